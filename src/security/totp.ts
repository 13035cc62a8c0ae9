import { authenticator } from 'otplib';

/** TOTP as every authenticator app reads it: SHA-1, 6 digits, 30-second steps (RFC 6238), through otplib. */
export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;

export function generateTotpSecret(): string {
  return authenticator.generateSecret(20);
}

export function totpUri(account: string, issuer: string, secret: string): string {
  return authenticator.keyuri(account, issuer, secret);
}

export function isBase32Secret(secret: string): boolean {
  return /^[A-Z2-7]{16,}=*$/.test(secret.replace(/\s+/g, '').toUpperCase());
}

/**
 * The time step a code belongs to, within `window` steps of now (either side), or undefined. The clock is
 * a parameter so that tests can move it.
 */
export function matchTotpStep(secret: string, code: string, nowMs: number, window: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const check = authenticator.clone({ window, epoch: nowMs });
  const delta = check.checkDelta(code, secret.replace(/\s+/g, '').toUpperCase());
  if (delta === null) return undefined;
  return Math.floor(nowMs / 1000 / TOTP_STEP_SECONDS) + delta;
}

/** The current code (for tests and for `cairn mfa` messages). */
export function totpCode(secret: string, nowMs: number): string {
  return authenticator.clone({ epoch: nowMs }).generate(secret);
}
