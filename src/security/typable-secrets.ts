import { randomInt } from 'node:crypto';

/**
 * Secrets people type from a screen or a sheet of paper: characters from an alphabet without look-alikes
 * (no 0/o, 1/l/i), about 4.95 bits each, easy on a phone's keyboard.
 */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 10;
export const RECOVERY_CODES_PER_SET = 10;

function typable(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return s;
}

/** An MFA recovery code: ten characters (about 49 bits), shown as `xxxxx-xxxxx`, typed back in any case, with or without the dash. */
export function generateRecoveryCode(): string {
  return typable(LENGTH);
}

/** A device credential's password (Wi-Fi): four groups of five (about 99 bits), typed once into a phone's settings. */
export function generateDevicePassword(): string {
  return [typable(5), typable(5), typable(5), typable(5)].join('-');
}

/** How a code is shown: two groups of five. */
export function formatRecoveryCode(code: string): string {
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** The code as stored (lower case, no separators), or undefined when the text cannot be a recovery code. */
export function normalizeRecoveryCode(typed: string): string | undefined {
  const code = typed.replace(/[\s-]+/g, '').toLowerCase();
  if (code.length !== LENGTH) return undefined;
  for (const c of code) if (!ALPHABET.includes(c)) return undefined;
  return code;
}
