import type { Change } from '../../ldap/types';
import { isSupportedHash, type PasswordHasher } from '../../security/passwords';
import { assertOptionsAllowed } from './entry-attributes';
import { LdapError } from '../errors';
import type { Normalization } from '../normalize';
import { ResultCode } from '../../ldap/result-codes';
import { toStoredHash } from './passwords';

/** What a modify does to the stored password: nothing, a new hash, or no password at all. */
export type PasswordOutcome = { kind: 'unchanged' } | { kind: 'set'; hash: string } | { kind: 'remove' };

/**
 * Splits the userPassword changes off a modify and works out their effect, in order (RFC 4511 4.6): a
 * delete naming a value must name the current password (so "delete old, add new" proves the old one),
 * an add needs the old value gone first. The hashing and checking happen here, before the transaction.
 */
export async function planPasswordChanges(
  changes: Change[],
  norm: Normalization,
  hasher: PasswordHasher,
  currentHash: string | undefined,
  /** Access to the values given (acl.ts): a pre-hashed value is for administrators only. */
  checkValues: (values: string[]) => void,
  /** The password policy's check of a cleartext password; told whether the old one was verified first. */
  checkCleartext: (password: string, oldVerified: boolean) => Promise<void> = async () => undefined,
): Promise<{ others: Change[]; outcome: PasswordOutcome; oldVerified: boolean }> {
  let oldVerified = false;
  const newHash = async (values: string[]) => {
    checkValues(values);
    if (values.length === 1 && !isSupportedHash(values[0])) await checkCleartext(values[0], oldVerified);
    return toStoredHash(values, hasher);
  };
  const others: Change[] = [];
  let present = currentHash !== undefined;
  let outcome: PasswordOutcome = { kind: 'unchanged' };
  for (const c of changes) {
    const info = norm.requireAttribute(c.modification.type);
    assertOptionsAllowed(info, c.modification.type);
    if (info.key !== 'userpassword') {
      others.push(c);
      continue;
    }
    const values = c.modification.values;
    switch (c.operation) {
      case 'delete':
        if (!present) throw new LdapError(ResultCode.noSuchAttribute, 'modify/delete: userPassword: no such attribute');
        if (values.length > 0) {
          if (values.length > 1 || !currentHash || outcome.kind !== 'unchanged' || !(await hasher.verify(values[0], currentHash))) {
            await hasher.verifyNothing(values[0] ?? '');
            throw new LdapError(ResultCode.noSuchAttribute, 'modify/delete: userPassword: value #0 not found');
          }
          oldVerified = true;
        }
        present = false;
        outcome = { kind: 'remove' };
        break;
      case 'add':
        if (present) throw new LdapError(ResultCode.attributeOrValueExists, 'modify/add: userPassword: a password is set already; delete or replace it');
        outcome = { kind: 'set', hash: await newHash(values) };
        present = true;
        break;
      case 'replace':
        outcome = values.length ? { kind: 'set', hash: await newHash(values) } : { kind: 'remove' };
        present = values.length > 0;
        break;
      case 'increment':
        throw new LdapError(ResultCode.constraintViolation, 'modify/increment: userPassword: not an integer attribute');
    }
  }
  return { others, outcome, oldVerified };
}
