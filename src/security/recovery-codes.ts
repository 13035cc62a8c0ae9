import { randomInt } from 'node:crypto';

/**
 * MFA recovery codes: ten characters from an alphabet without look-alikes (no 0/o, 1/l/i), shown as
 * `xxxxx-xxxxx`, about 49 bits each. Typed back in any case, with or without the dash or spaces.
 */
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const LENGTH = 10;
export const RECOVERY_CODES_PER_SET = 10;

export function generateRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
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
