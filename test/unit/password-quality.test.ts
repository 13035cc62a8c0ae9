import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBlocklist } from '../../src/security/policy/blocklist';
import { policyFromEntry } from '../../src/security/policy/policy';
import { checkQuality, generatePassword } from '../../src/security/policy/quality';
import { PasswordPolicy, PersonalData, PolicyError, QualityFailure } from '../../src/security/policy/types';

const basePolicy: PasswordPolicy = {
  dn: 'cn=default,ou=policies,dc=example,dc=com',
  minLength: 0,
  maxLength: 0,
  checkQuality: 1,
  inHistory: 0,
  minAge: 0,
  maxAge: 0,
  expireWarning: 0,
  graceAuthNLimit: 0,
  graceExpiry: 0,
  lockout: false,
  maxFailure: 0,
  failureCountInterval: 0,
  lockoutDuration: 0,
  mustChange: false,
  allowUserChange: true,
  safeModify: false,
  minUpper: 0,
  minLower: 0,
  minDigit: 0,
  minSpecial: 0,
  minClasses: 0,
  rejectPersonal: false,
  blocklist: false,
};

const noPersonal: PersonalData = { mailNames: [] };
const alice: PersonalData = { uid: 'alice', givenName: 'Alice', sn: 'Liddell', mailNames: ['a.liddell', 'wonder'] };
const emptyList: ReadonlySet<string> = new Set();
const smallList: ReadonlySet<string> = new Set(['password', '123456', 'summer2024', 'p@ssw0rd']);

function policy(overrides: Partial<PasswordPolicy>): PasswordPolicy {
  return { ...basePolicy, ...overrides };
}

function check(
  password: string,
  overrides: Partial<PasswordPolicy>,
  personal: PersonalData = noPersonal,
  blocklist: ReadonlySet<string> = emptyList,
): QualityFailure | undefined {
  return checkQuality(password, policy(overrides), personal, blocklist);
}

function quality(message: string): QualityFailure {
  return { error: PolicyError.insufficientPasswordQuality, message };
}

describe('password quality', () => {
  it('passes everything when no rule is set', () => {
    expect(check('', {})).to.equal(undefined);
    expect(check('x', {})).to.equal(undefined);
  });

  describe('length', () => {
    it('refuses a password shorter than minLength with passwordTooShort', () => {
      expect(check('abcdefg', { minLength: 8 })).to.deep.equal({
        error: PolicyError.passwordTooShort,
        message: 'must be at least 8 characters',
      });
      expect(check('abcdefgh', { minLength: 8 })).to.equal(undefined);
    });

    it('refuses a password longer than maxLength with passwordTooLong; 0 is no maximum, but 4096 bytes always are', () => {
      expect(check('abcdefghijk', { maxLength: 10 })).to.deep.equal({
        error: PolicyError.passwordTooLong,
        message: 'must be at most 10 characters',
      });
      expect(check('abcdefghij', { maxLength: 10 })).to.equal(undefined);
      expect(check('a'.repeat(4096), { maxLength: 0 })).to.equal(undefined);
      expect(check('a'.repeat(4095) + 'é', { maxLength: 0 })).to.deep.equal({ error: PolicyError.passwordTooLong, message: 'must be at most 4096 bytes' });
    });

    it('counts code points, not UTF-16 units', () => {
      const withEmoji = 'abc😀'; // 4 code points, 5 UTF-16 units
      expect(withEmoji.length).to.equal(5);
      expect(check(withEmoji, { minLength: 4, maxLength: 4 })).to.equal(undefined);
      expect(check(withEmoji, { minLength: 5 })?.error).to.equal(PolicyError.passwordTooShort);
      expect(check('😀😀😀', { maxLength: 2 })?.message).to.equal('must be at most 2 characters');
    });
  });

  describe('character classes', () => {
    it('minUpper: singular and plural messages', () => {
      expect(check('abc', { minUpper: 1 })).to.deep.equal(quality('must contain a capital letter'));
      expect(check('Abc', { minUpper: 2 })).to.deep.equal(quality('must contain at least 2 capital letters'));
      expect(check('ABc', { minUpper: 2 })).to.equal(undefined);
    });

    it('minLower: singular and plural messages', () => {
      expect(check('ABC', { minLower: 1 })).to.deep.equal(quality('must contain a lower-case letter'));
      expect(check('ABc', { minLower: 3 })).to.deep.equal(quality('must contain at least 3 lower-case letters'));
      expect(check('Abcd', { minLower: 3 })).to.equal(undefined);
    });

    it('minDigit: singular and plural messages', () => {
      expect(check('abc', { minDigit: 1 })).to.deep.equal(quality('must contain a digit'));
      expect(check('abc1', { minDigit: 2 })).to.deep.equal(quality('must contain at least 2 digits'));
      expect(check('ab1c2', { minDigit: 2 })).to.equal(undefined);
    });

    it('minSpecial: singular and plural messages', () => {
      expect(check('abc1', { minSpecial: 1 })).to.deep.equal(quality('must contain a special character (not a letter or digit)'));
      expect(check('abc!', { minSpecial: 2 })).to.deep.equal(quality('must contain at least 2 special characters (not a letter or digit)'));
      expect(check('a b!', { minSpecial: 2 })).to.equal(undefined);
    });

    it('classifies Unicode letters and digits; caseless letters are neither upper, lower nor special', () => {
      expect(check('ÉÀ', { minUpper: 2 })).to.equal(undefined);
      expect(check('éà', { minLower: 2 })).to.equal(undefined);
      expect(check('٣٤', { minDigit: 2 })).to.equal(undefined); // Arabic-Indic digits
      const caseless = '漢字';
      expect(check(caseless, { minUpper: 1 })?.message).to.equal('must contain a capital letter');
      expect(check(caseless, { minLower: 1 })?.message).to.equal('must contain a lower-case letter');
      expect(check(caseless, { minSpecial: 1 })?.message).to.equal('must contain a special character (not a letter or digit)');
      expect(check('😀', { minSpecial: 1 })).to.equal(undefined);
    });

    it('minClasses counts the four classes present', () => {
      const message = 'must use at least 3 of: capital letters, lower-case letters, digits, special characters';
      expect(check('abcDEF', { minClasses: 3 })).to.deep.equal(quality(message));
      expect(check('abcDEF1', { minClasses: 3 })).to.equal(undefined);
      expect(check('abc1!', { minClasses: 3 })).to.equal(undefined);
      expect(check('aB1!', { minClasses: 4 })).to.equal(undefined);
      expect(check('aB1', { minClasses: 4 })?.message).to.equal('must use at least 4 of: capital letters, lower-case letters, digits, special characters');
    });
  });

  describe('personal data', () => {
    const on = { rejectPersonal: true };

    it('refuses the uid, given name, surname and mail names, case-insensitively', () => {
      expect(check('xxALICExx', on, { uid: 'alice', mailNames: [] })).to.deep.equal(quality('must not contain your user name'));
      expect(check('my-bob-42', on, { givenName: 'Bob', mailNames: [] })).to.deep.equal(quality('must not contain your given name'));
      expect(check('1liddell!', on, { sn: 'Liddell', mailNames: [] })).to.deep.equal(quality('must not contain your surname'));
      expect(check('WONDERland', on, { mailNames: ['a.liddell', 'Wonder'] })).to.deep.equal(quality('must not contain your mail address'));
    });

    it('checks uid, given name, surname, then mail names', () => {
      expect(check('alice-liddell', on, alice)?.message).to.equal('must not contain your user name');
      expect(check('liddell-wonder', on, alice)?.message).to.equal('must not contain your surname');
    });

    it('ignores values shorter than 3 characters', () => {
      const short: PersonalData = { uid: 'al', givenName: 'Bo', sn: 'Li', mailNames: ['ab'] };
      expect(check('al-bo-li-ab', on, short)).to.equal(undefined);
      expect(check('xbox', on, { givenName: 'Box', mailNames: [] })?.message).to.equal('must not contain your given name');
    });

    it('is off unless rejectPersonal is set', () => {
      expect(check('alice', {}, alice)).to.equal(undefined);
      expect(check('Tr4ck-Horse', on, alice)).to.equal(undefined);
    });
  });

  describe('blocklist', () => {
    const on = { blocklist: true };
    const common = quality('is too common (found in a list of common passwords)');

    it('refuses a listed password, case-insensitively', () => {
      expect(check('password', on, noPersonal, smallList)).to.deep.equal(common);
      expect(check('PassWord', on, noPersonal, smallList)).to.deep.equal(common);
      expect(check('P@ssW0rd', on, noPersonal, smallList)).to.deep.equal(common);
    });

    it('refuses a listed word with digits or special characters after or before it', () => {
      const padded = ['Password123!', 'password1', '!!password', '2024Password', '#1password#1', 'Summer2024!'];
      for (const password of padded) {
        expect(check(password, on, noPersonal, smallList), password).to.deep.equal(common);
      }
      expect(check('123456!', on, noPersonal, smallList)).to.deep.equal(common);
      expect(check('!!123456', on, noPersonal, smallList)).to.deep.equal(common);
    });

    it('accepts a listed word with letters around it or inside it', () => {
      for (const password of ['passwordx', 'mypassword', 'pass-word', 'Password1a', '99123456!']) {
        expect(check(password, on, noPersonal, smallList), password).to.equal(undefined);
      }
    });

    it('is off unless blocklist is set', () => {
      expect(check('password', {}, noPersonal, smallList)).to.equal(undefined);
    });
  });

  describe('rule order', () => {
    const all = policy({
      minLength: 8,
      maxLength: 12,
      minUpper: 1,
      minLower: 1,
      minDigit: 1,
      minSpecial: 1,
      minClasses: 4,
      rejectPersonal: true,
      blocklist: true,
    });
    const run = (password: string): string | undefined => checkQuality(password, all, alice, smallList)?.message;

    it('reports the first failing rule', () => {
      expect(run('alice')).to.equal('must be at least 8 characters');
      expect(run('alicealicealice')).to.equal('must be at most 12 characters');
      expect(run('alicealice')).to.equal('must contain a capital letter');
      expect(run('ALICEALICE')).to.equal('must contain a lower-case letter');
      expect(run('Alicealice')).to.equal('must contain a digit');
      expect(run('Alicealice1')).to.equal('must contain a special character (not a letter or digit)');
      expect(run('Alicealice1!')).to.equal('must not contain your user name');
      expect(run('Password12!')).to.equal('is too common (found in a list of common passwords)');
      expect(run('Tr4ck-Horse')).to.equal(undefined);
    });

    it('checks the classes one by one before minClasses', () => {
      const p = policy({ minDigit: 1, minClasses: 4 });
      expect(checkQuality('abc', p, noPersonal, emptyList)?.message).to.equal('must contain a digit');
    });

    it('with checkQuality 0 applies only the length rules', () => {
      const lax = { ...all, checkQuality: 0 };
      expect(checkQuality('alicealice', lax, alice, smallList)).to.equal(undefined);
      expect(checkQuality('password', lax, alice, smallList)).to.equal(undefined);
      expect(checkQuality('short', lax, alice, smallList)?.error).to.equal(PolicyError.passwordTooShort);
      expect(checkQuality('far-too-long-really', lax, alice, smallList)?.error).to.equal(PolicyError.passwordTooLong);
    });
  });

  describe('generatePassword', () => {
    const lookAlikes = /[0O1lI]/;
    const policies: Array<Partial<PasswordPolicy>> = [
      {},
      { minLength: 8, minUpper: 1, minLower: 1, minDigit: 1, minSpecial: 1 },
      { minClasses: 4, rejectPersonal: true, blocklist: true },
      { minSpecial: 3, minDigit: 3 },
      { minLength: 24, minUpper: 4 },
      { minLength: 12, maxLength: 20, minClasses: 4 },
      { maxLength: 10, minClasses: 4 },
      { checkQuality: 0 },
    ];

    it('generates passwords that pass the policy and have no look-alike characters', () => {
      for (const overrides of policies) {
        const p = policy(overrides);
        for (let i = 0; i < 20; i++) {
          const password = generatePassword(p, smallList, alice);
          expect(checkQuality(password, p, alice, smallList), password).to.equal(undefined);
          expect(password).not.to.match(lookAlikes);
          expect(password)
            .to.match(/\p{Lu}/u)
            .and.to.match(/\p{Ll}/u)
            .and.to.match(/\p{Nd}/u);
          expect(password).to.match(/[^\p{L}\p{Nd}]/u);
        }
      }
    });

    it('is 16 characters unless minLength asks for more or maxLength for fewer', () => {
      expect(generatePassword(policy({}), emptyList, noPersonal)).to.have.length(16);
      expect(generatePassword(policy({ minLength: 30 }), emptyList, noPersonal)).to.have.length(30);
      expect(generatePassword(policy({ maxLength: 12 }), emptyList, noPersonal)).to.have.length(12);
    });

    it('places at least 2 of each class, and more when the policy asks', () => {
      for (let i = 0; i < 20; i++) {
        const password = generatePassword(policy({ minSpecial: 3 }), emptyList, noPersonal);
        expect(password.match(/\p{Lu}/gu)?.length ?? 0).to.be.at.least(2);
        expect(password.match(/\p{Ll}/gu)?.length ?? 0).to.be.at.least(2);
        expect(password.match(/\p{Nd}/gu)?.length ?? 0).to.be.at.least(2);
        expect(password.match(/[^\p{L}\p{Nd}]/gu)?.length ?? 0).to.be.at.least(3);
      }
    });

    it('refuses a policy that cannot be met', () => {
      expect(() => generatePassword(policy({ minLength: 10, maxLength: 8 }), emptyList, noPersonal)).to.throw();
      expect(() => generatePassword(policy({ maxLength: 4, minDigit: 5 }), emptyList, noPersonal)).to.throw();
    });
  });
});

describe('loadBlocklist', () => {
  it('reads the shipped list of common passwords', () => {
    const list = loadBlocklist();
    expect(list.size).to.be.at.least(500);
    for (const common of ['password', '123456', 'qwerty', 'letmein', 'changeme', 'p@ssw0rd']) {
      expect(list.has(common), common).to.equal(true);
    }
    for (const entry of list) {
      expect(entry, entry).to.equal(entry.toLowerCase());
      expect(entry.startsWith('#'), entry).to.equal(false);
    }
    expect(loadBlocklist()).to.equal(list);
  });

  it('ignores comments and blank lines, lower-cases and trims entries, and caches per file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-blocklist-'));
    const file = join(dir, 'list.txt');
    try {
      writeFileSync(file, '# a comment\n\nhunter2\r\n  Secret  \n#password\n\n');
      const list = loadBlocklist(file);
      expect([...list].sort()).to.deep.equal(['hunter2', 'secret']);
      writeFileSync(file, 'changed\n');
      expect(loadBlocklist(file)).to.equal(list);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a policy entry read as draft-behera reads it', () => {
  it('absent attributes mean 0 and FALSE, but pwdAllowUserChange means TRUE', () => {
    const values: Record<string, string> = { pwdminlength: '8', pwdlockout: 'TRUE' };
    const p = policyFromEntry('cn=short,ou=policies,dc=example,dc=com', (k) => values[k]);
    expect(p.minLength).to.equal(8);
    expect(p.lockout).to.equal(true);
    expect(p.maxAge).to.equal(0);
    expect(p.safeModify).to.equal(false);
    expect(p.mustChange).to.equal(false);
    expect(p.allowUserChange).to.equal(true);
    expect(policyFromEntry('cn=x', (k) => (k === 'pwdallowuserchange' ? 'FALSE' : undefined)).allowUserChange).to.equal(false);
  });
});
