import { generatePassword as generateForPolicy } from '../../security/policy/quality';
import { DEFAULT_POLICY } from '../../security/policy/policy';
import type { PasswordPolicy, PersonalData } from '../../security/policy/types';

const NOBODY: PersonalData = { mailNames: [] };

/**
 * The one password generator: whatever generates a password (Password Modify's genPasswd, `cairn user
 * passwd`, `cairn service add`, `cairn init`, later the portal) asks for one that satisfies the policy
 * that governs the account, length and character classes placed by construction and checked as well.
 */
export function generatePassword(policy: PasswordPolicy, blocklist: ReadonlySet<string>, personal: PersonalData = NOBODY): string {
  return generateForPolicy(policy, blocklist, personal);
}

/** For the first administrator, before any policy entry exists: Cairn's default policy. */
export function generateInitialPassword(blocklist: ReadonlySet<string> = new Set()): string {
  return generatePassword({ dn: '', ...DEFAULT_POLICY }, blocklist);
}
