import { pbkdf2Sync } from 'node:crypto';

/**
 * OpenLDAP's pw-pbkdf2 schemes: `{PBKDF2}` (SHA-1), `{PBKDF2-SHA1}`, `{PBKDF2-SHA256}`, `{PBKDF2-SHA512}`,
 * written `<iterations>$<salt>$<derived key>` in "adapted base64" ('.' for '+', no padding).
 */
export const PBKDF2_DIGESTS: Record<string, { digest: string; length: number }> = {
  PBKDF2: { digest: 'sha1', length: 20 },
  'PBKDF2-SHA1': { digest: 'sha1', length: 20 },
  'PBKDF2-SHA256': { digest: 'sha256', length: 32 },
  'PBKDF2-SHA512': { digest: 'sha512', length: 64 },
};

/** More iterations than this are refused: one bind must not hold a worker thread for minutes. */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;

const FORM = /^([1-9][0-9]{0,9})\$([./A-Za-z0-9]+)\$([./A-Za-z0-9]+)$/;

export interface Pbkdf2Hash {
  digest: string;
  iterations: number;
  salt: Buffer;
  key: Buffer;
}

export function parsePbkdf2(scheme: string, text: string): Pbkdf2Hash | undefined {
  const d = PBKDF2_DIGESTS[scheme];
  const m = FORM.exec(text);
  if (!d || !m) return undefined;
  const iterations = Number(m[1]);
  const salt = adaptedBase64(m[2]);
  const key = adaptedBase64(m[3]);
  if (iterations > MAX_PBKDF2_ITERATIONS || !salt || !key || key.length !== d.length) return undefined;
  return { digest: d.digest, iterations, salt, key };
}

function adaptedBase64(s: string): Buffer | undefined {
  if (s.length % 4 === 1) return undefined;
  const b = Buffer.from(s.replace(/\./g, '+'), 'base64');
  return b.toString('base64').replace(/=+$/, '').replace(/\+/g, '.') === s ? b : undefined;
}

export function pbkdf2Key(password: Uint8Array, h: Pbkdf2Hash): Buffer {
  return pbkdf2Sync(password, h.salt, h.iterations, h.key.length, h.digest);
}
