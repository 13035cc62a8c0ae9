import { LdapError } from '../errors';
import { ResultCode } from '../result-codes';
import { isSupportedHash, looksLikeUnsupportedHash, type PasswordHasher } from '../../security/passwords';

/**
 * userPassword never becomes an attribute row: it is taken out of the request here and stored as a hash
 * in the credentials table. Cleartext is hashed with bcrypt; supported `{SCHEME}` hashes (migration from
 * another directory) are kept as given.
 */
export async function toStoredHash(values: string[], hasher: PasswordHasher): Promise<string> {
  if (values.length !== 1) throw new LdapError(ResultCode.constraintViolation, 'userPassword: exactly one value is allowed');
  const value = values[0];
  if (value.length === 0) throw new LdapError(ResultCode.constraintViolation, 'userPassword: the password must not be empty');
  if (isSupportedHash(value)) return value;
  if (looksLikeUnsupportedHash(value)) {
    throw new LdapError(ResultCode.invalidAttributeSyntax, 'userPassword: unsupported password hash scheme (use {CRYPT} bcrypt, {SSHA}, {SHA}, {SSHA256}, {SSHA512} or cleartext)');
  }
  return hasher.hash(value);
}
