import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, cairn, initData, removeData } from '../helpers/server';
import { totpCode } from '../../src/security/totp';
import { checkQuality } from '../../src/security/policy/quality';
import { DEFAULT_POLICY } from '../../src/security/policy/policy';
import { loadBlocklist } from '../../src/security/policy/blocklist';

interface AuditLine {
  message?: string;
  who?: string;
  dn?: string;
  attributes?: string[];
  result?: number;
}

/** Through the real CLI, no server: every account state change adds a line to the audit log, as LDAP writes do. */
describe('account changes in the audit log (CLI)', function () {
  this.timeout(120000);
  let data: string;
  const person = (uid: string) => `uid=${uid},ou=people,${BASE}`;
  const run = (...args: string[]) => {
    const r = cairn(args, { data });
    expect(r.status, r.stderr).to.equal(0);
    return r.stdout;
  };
  const lines = (): AuditLine[] =>
    existsSync(join(data, 'audit.log'))
      ? readFileSync(join(data, 'audit.log'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as AuditLine)
      : [];
  /** The lines a command added, for one entry. */
  const added = (command: () => void, dn: string) => {
    const before = lines().length;
    command();
    return lines()
      .slice(before)
      .filter((l) => l.dn === dn);
  };

  before(() => {
    data = initData();
    run('user', 'add', 'audra', '--given', 'Au', '--sn', 'Dra', '--password', 'audra-pass');
  });
  after(() => removeData(data));

  it('cairn mfa enroll, confirm and reset each add an audit line', () => {
    let secret = '';
    const enrolled = added(() => (secret = /secret ([A-Z2-7]+)/.exec(run('mfa', 'enroll', 'audra'))![1]), person('audra'));
    expect(enrolled.map((l) => [l.who, l.attributes, l.result])).to.deep.equal([['cn=cairn', ['mfaEnroll:cairnMfaEnabled'], 0]]);
    const confirmed = added(() => run('mfa', 'confirm', 'audra', totpCode(secret, Date.now())), person('audra'));
    expect(confirmed.map((l) => [l.attributes, l.result])).to.deep.equal([[['mfaConfirm:cairnMfaEnabled'], 0]]);
    const reset = added(() => run('mfa', 'reset', 'audra'), person('audra'));
    expect(reset.map((l) => [l.attributes, l.result])).to.deep.equal([[['mfaReset:cairnMfaEnabled'], 0]]);
  });

  it('a refused confirmation is audited with its result', () => {
    run('mfa', 'enroll', 'audra');
    const refused = added(() => expect(cairn(['mfa', 'confirm', 'audra', '000000'], { data }).status).to.equal(1), person('audra'));
    expect(refused.map((l) => [l.attributes, l.result])).to.deep.equal([[['mfaConfirm:cairnMfaEnabled'], 49]]);
    run('mfa', 'reset', 'audra');
  });

  it('cairn user unlock and cairn user passwd each add an audit line', () => {
    const unlocked = added(() => run('user', 'unlock', 'audra'), person('audra'));
    expect(unlocked.map((l) => [l.attributes, l.result])).to.deep.equal([[['unlock:pwdAccountLockedTime'], 0]]);
    const changed = added(() => run('user', 'passwd', 'audra', '--password', 'audra-new-pass'), person('audra'));
    expect(changed.map((l) => [l.attributes, l.result])).to.deep.equal([[['passwordModify:userPassword'], 0]]);
  });

  it('cairn service add without --password prints a password the default policy accepts (the one generator)', () => {
    const strict = initData(undefined, { policy: 'default' });
    try {
      for (const name of ['gen1', 'gen2', 'gen3']) {
        const r = cairn(['service', 'add', name], { data: strict });
        expect(r.status, r.stderr).to.equal(0);
        const password = /Password \(shown once\): (\S+)/.exec(r.stdout)![1];
        expect(checkQuality(password, { dn: '', ...DEFAULT_POLICY }, { mailNames: [] }, loadBlocklist()), password).to.equal(undefined);
      }
    } finally {
      removeData(strict);
    }
  });
});
