import { createHash, timingSafeEqual } from 'node:crypto';

/** The plain and salted digest schemes: base64 of digest(password + salt) followed by the salt. */
export const DIGESTS: Record<string, { algorithm: string; length: number; salted: boolean }> = {
  MD5: { algorithm: 'md5', length: 16, salted: false },
  SMD5: { algorithm: 'md5', length: 16, salted: true },
  SHA: { algorithm: 'sha1', length: 20, salted: false },
  SSHA: { algorithm: 'sha1', length: 20, salted: true },
  SHA256: { algorithm: 'sha256', length: 32, salted: false },
  SSHA256: { algorithm: 'sha256', length: 32, salted: true },
  SHA384: { algorithm: 'sha384', length: 48, salted: false },
  SSHA384: { algorithm: 'sha384', length: 48, salted: true },
  SHA512: { algorithm: 'sha512', length: 64, salted: false },
  SSHA512: { algorithm: 'sha512', length: 64, salted: true },
};

function decode(scheme: string, text: string): Buffer | undefined {
  const d = DIGESTS[scheme];
  if (!d || !/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) return undefined;
  const raw = Buffer.from(text, 'base64');
  return (d.salted ? raw.length > d.length : raw.length === d.length) ? raw : undefined;
}

export function isDigest(scheme: string, text: string): boolean {
  return decode(scheme, text) !== undefined;
}

export function digestCheck(password: Uint8Array, scheme: string, text: string): boolean {
  const d = DIGESTS[scheme];
  const raw = decode(scheme, text);
  if (!d || !raw) return false;
  const computed = createHash(d.algorithm).update(password).update(raw.subarray(d.length)).digest();
  return timingSafeEqual(computed, raw.subarray(0, d.length));
}
