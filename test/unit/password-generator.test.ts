import { expect } from 'chai';
import { generateInitialPassword, generatePassword } from '../../src/directory/accounts/generator';
import { loadBlocklist } from '../../src/security/policy/blocklist';
import { DEFAULT_POLICY } from '../../src/security/policy/policy';
import { checkQuality } from '../../src/security/policy/quality';
import type { PasswordPolicy } from '../../src/security/policy/types';

/** The one generator: every password it makes passes the policy it was made for, by construction. */
describe('password generator', () => {
  const blocklist = loadBlocklist();
  const policy: PasswordPolicy = { dn: 'cn=default,ou=policies,dc=example,dc=com', ...DEFAULT_POLICY };

  it('5,000 passwords for the default policy (3 character classes) all pass its quality check', () => {
    for (let i = 0; i < 5000; i++) {
      const p = generatePassword(policy, blocklist);
      expect(checkQuality(p, policy, { mailNames: [] }, blocklist), p).to.equal(undefined);
    }
  });

  it("the first administrator's password (cairn init, cairn serve --init) passes the default policy too", () => {
    for (let i = 0; i < 1000; i++) {
      const p = generateInitialPassword(blocklist);
      expect(checkQuality(p, policy, { mailNames: [] }, blocklist), p).to.equal(undefined);
    }
  });

  it('follows a stricter policy: length and each class minimum', () => {
    const strict: PasswordPolicy = { ...policy, minLength: 24, maxLength: 24, minUpper: 3, minLower: 3, minDigit: 3, minSpecial: 3, minClasses: 4 };
    for (let i = 0; i < 500; i++) {
      const p = generatePassword(strict, blocklist, { uid: 'pat', mailNames: ['pat'] });
      expect([...p]).to.have.length(24);
      expect(checkQuality(p, strict, { uid: 'pat', mailNames: ['pat'] }, blocklist), p).to.equal(undefined);
    }
  });
});
