import { LdapError } from '../errors';
import { ResultCode } from '../../ldap/result-codes';
import { hashScheme, isSupportedHash, looksLikeUnsupportedHash, type PasswordHasher } from '../../security/passwords';

/**
 * userPassword never becomes an attribute row: it is taken out of the request here and stored as a hash
 * in the credentials table. Cleartext is hashed with bcrypt; supported `{SCHEME}` hashes (migration from
 * another directory, see security/hash-schemes.ts) are kept as given.
 */
export async function toStoredHash(values: string[], hasher: PasswordHasher): Promise<string> {
  if (values.length !== 1) throw new LdapError(ResultCode.constraintViolation, 'userPassword: exactly one value is allowed');
  const value = values[0];
  if (value.length === 0) throw new LdapError(ResultCode.constraintViolation, 'userPassword: the password must not be empty');
  if (isSupportedHash(value)) return value;
  if (looksLikeUnsupportedHash(value)) {
    throw new LdapError(
      ResultCode.invalidAttributeSyntax,
      `userPassword: ${hashScheme(value)} is not a password hash Cairn can verify (unknown scheme, malformed, or beyond Cairn's cost limits); ` +
        'use cleartext or a hash of a supported scheme: {CRYPT} ($1$, $5$, $6$, $y$, $2b$, DES), {SSHA}, {SSHA512}, {PBKDF2-SHA512}, {ARGON2}…',
    );
  }
  return hasher.hash(value);
}
