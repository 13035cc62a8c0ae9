import { createHash } from 'node:crypto';
import { LdapError } from '../errors';
import { ResultCode } from '../../ldap/result-codes';

/**
 * Paged-results cookies (RFC 2696) are stateless: the id of the last entry sent, and a fingerprint of the
 * search (who searches, and what) so a cookie cannot continue a different one, or another person's. Results are in id order, so the next page starts
 * after that id and sees every matching entry exactly once, even across restarts.
 */
export function searchFingerprint(parts: unknown[]): Buffer {
  return createHash('sha256').update(JSON.stringify(parts)).digest().subarray(0, 8);
}

export function makeCookie(lastId: number, fingerprint: Buffer): Buffer {
  const b = Buffer.alloc(16);
  b.writeDoubleBE(lastId, 0);
  fingerprint.copy(b, 8);
  return b;
}

export function readCookie(cookie: Buffer, fingerprint: Buffer): number {
  if (cookie.length === 0) return 0;
  if (cookie.length !== 16 || !cookie.subarray(8).equals(fingerprint)) {
    throw new LdapError(ResultCode.unwillingToPerform, 'paged results cookie is invalid or belongs to another search');
  }
  const id = cookie.readDoubleBE(0);
  if (!Number.isInteger(id) || id < 0) throw new LdapError(ResultCode.unwillingToPerform, 'paged results cookie is invalid');
  return id;
}
