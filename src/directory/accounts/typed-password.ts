import { TOTP_DIGITS } from '../../security/totp';

/** A password as typed at login by an account that uses MFA: the password followed by the one-time code. */
export interface PasswordWithCode {
  password: string;
  code: string;
}

/**
 * "Password followed by six digits", taken apart here and nowhere else. Undefined when the text is too
 * short to hold a password and a code.
 */
export function splitCode(typed: string): PasswordWithCode | undefined {
  if (typed.length <= TOTP_DIGITS) return undefined;
  return { password: typed.slice(0, -TOTP_DIGITS), code: typed.slice(-TOTP_DIGITS) };
}
