/**
 * Compare and filters follow search's read rules (issue 12, defect 2): what a person cannot read by search
 * (another person's password-policy and MFA state; anyone's userPassword and pwdHistory) cannot be learned by
 * compare, by name, OID or with options, nor by a filter. ldapcompare exits with the result code: 6 true,
 * 5 false, 16 noSuchAttribute, 50 insufficientAccessRights.
 */
import { expect } from 'chai';
import { ADMIN_DN, BASE, cairn, importLdif, initData, ldapTool, removeData, startServer, type RunningServer, asAdmin } from '../helpers/server';
import { totpCode } from '../helpers/oathtool';

const person = (uid: string) => `uid=${uid},ou=people,${BASE}`;
const SERVICE = `cn=cmpradius,ou=services,${BASE}`;
const TARGET = person('cmptarget');
const SELF = person('cmpself');

/** The state attributes a person may read only on their own entry: name, OID, a stored value. */
const STATE: [name: string, oid: string, value: string][] = [
  ['cairnMfaEnabled', '1.3.6.1.4.1.99999.1.1.8', 'TRUE'],
  ['pwdAccountLockedTime', '1.3.6.1.4.1.42.2.27.8.1.17', '20250102000000Z'],
  ['pwdFailureTime', '1.3.6.1.4.1.42.2.27.8.1.19', '20250103000000Z'],
  ['pwdChangedTime', '1.3.6.1.4.1.42.2.27.8.1.16', '20250101000000Z'],
  ['pwdReset', '1.3.6.1.4.1.42.2.27.8.1.22', 'TRUE'],
  ['pwdGraceUseTime', '1.3.6.1.4.1.42.2.27.8.1.21', '20250104000000Z'],
];
/** A value of the same syntax that the entry does not hold. */
const other = (value: string) => (value === 'TRUE' ? 'FALSE' : '20200101000000Z');

const personLdif = (uid: string, uidNumber: number, password: string, extra: string[]) =>
  [
    `dn: ${person(uid)}`,
    'objectClass: inetOrgPerson',
    'objectClass: posixAccount',
    `uid: ${uid}`,
    `cn: ${uid}`,
    `sn: ${uid}`,
    `uidNumber: ${uidNumber}`,
    'gidNumber: 10001',
    `homeDirectory: /home/${uid}`,
    `userPassword: ${password}`,
    ...extra,
    '',
  ].join('\n');

describe('compare and filters follow the read rules of search', function () {
  this.timeout(60000);
  let server: RunningServer;
  const admin = () => asAdmin(server.url);
  const as = (dn: string, password: string) => ['-x', '-H', server.url, '-D', dn, '-w', password];
  const reader = () => as(person('cmpreader'), 'reader-pass');
  /** ldapcompare's exit status: the result code. */
  const compare = (bind: string[], dn: string, attribute: string, value: string) => {
    const r = ldapTool('ldapcompare', [...bind, dn, `${attribute}:${value}`]);
    return r.status;
  };
  const found = (bind: string[], filter: string) => {
    const r = ldapTool('ldapsearch', [...bind, '-LLL', '-b', `ou=people,${BASE}`, filter, '1.1']);
    expect(r.status, r.stderr).to.equal(0);
    return r.stdout;
  };

  before(async () => {
    const data = initData();
    importLdif(
      data,
      [
        personLdif('cmptarget', 31001, 'target-pass', [
          ...STATE.map(([name, , value]) => `${name}: ${value}`),
          'pwdFailureTime: 20250105000000Z',
          'pwdHistory: 20231201000000Z#1.3.6.1.4.1.1466.115.121.1.40#6#{SSHA}x',
        ]),
        personLdif('cmpself', 31002, 'self-pass', [
          'pwdChangedTime: 20250101000000Z',
          'pwdFailureTime: 20250103000000Z',
          'pwdReset: TRUE',
          'pwdGraceUseTime: 20250104000000Z',
        ]),
        personLdif('cmpreader', 31003, 'reader-pass', []),
      ].join('\n'),
    );
    const service = cairn(['service', 'add', 'cmpradius', '--password', 'radius-pass'], { data });
    expect(service.status, service.stderr).to.equal(0);
    server = await startServer(data);
  });
  after(async () => {
    await server?.stop();
    removeData(server.data);
  });

  it('another person gets insufficientAccessRights (50) for each state attribute, by name, OID, option or case, true or false, held or not', () => {
    for (const [name, oid, value] of STATE) {
      for (const attribute of [name, oid, name.toUpperCase(), `${name};x-opt`, `${oid};x-opt`]) {
        expect(compare(reader(), TARGET, attribute, value), `${attribute}=${value}`).to.equal(50);
        expect(compare(reader(), TARGET, attribute, other(value)), `${attribute}=${other(value)}`).to.equal(50);
        // An entry without the attribute answers the same: presence is not told either.
        expect(compare(reader(), SELF, attribute, value), `${attribute} on cmpself`).to.equal(50);
        expect(compare(reader(), ADMIN_DN, attribute, value), `${attribute} on the admin`).to.equal(50);
      }
    }
    expect(compare(reader(), TARGET, 'pwdPolicySubentry', `cn=default,ou=policies,${BASE}`)).to.equal(50);
  });

  it('administrators get compareTrue (6) and compareFalse (5) as before, by name and OID', () => {
    for (const [name, oid, value] of STATE) {
      for (const attribute of [name, oid]) {
        expect(compare(admin(), TARGET, attribute, value), `${attribute}=${value}`).to.equal(6);
        expect(compare(admin(), TARGET, attribute, other(value)), `${attribute}=${other(value)}`).to.equal(5);
      }
    }
    expect(compare(admin(), TARGET, 'pwdFailureTime', '20250105000000Z')).to.equal(6);
    expect(compare(admin(), SELF, 'pwdAccountLockedTime', '20250102000000Z'), 'not held: noSuchAttribute').to.equal(16);
  });

  it('the person themself gets 6/5 on their own state, 16 for what they do not hold', () => {
    const self = as(SELF, 'self-pass');
    // pwdFailureTime is left out: the bind itself clears it.
    for (const [name, oid, value] of STATE.filter(([n]) => !['cairnMfaEnabled', 'pwdAccountLockedTime', 'pwdFailureTime'].includes(n))) {
      for (const attribute of [name, oid]) {
        expect(compare(self, SELF, attribute, value), `${attribute}=${value}`).to.equal(6);
        expect(compare(self, SELF, attribute, other(value)), `${attribute}=${other(value)}`).to.equal(5);
      }
    }
    expect(compare(self, SELF, 'pwdAccountLockedTime', '20250102000000Z')).to.equal(16);
    expect(compare(self, SELF, 'cairnMfaEnabled', 'TRUE')).to.equal(16);
    // ...but not another person's.
    expect(compare(self, TARGET, 'pwdChangedTime', '20250101000000Z')).to.equal(50);
  });

  it('services read policy state (6/5) but not whether MFA is on (50), as in search', () => {
    const service = as(SERVICE, 'radius-pass');
    expect(compare(service, TARGET, 'pwdAccountLockedTime', '20250102000000Z')).to.equal(6);
    expect(compare(service, TARGET, 'pwdFailureTime', '20200101000000Z')).to.equal(5);
    expect(compare(service, TARGET, 'cairnMfaEnabled', 'TRUE')).to.equal(50);
    expect(compare(service, TARGET, 'cairnMfaEnabled', 'FALSE')).to.equal(50);
  });

  it('userPassword and pwdHistory cannot be compared by anyone, administrators included (50)', () => {
    for (const attribute of ['userPassword', '2.5.4.35', 'pwdHistory', '1.3.6.1.4.1.42.2.27.8.1.20']) {
      expect(compare(reader(), TARGET, attribute, 'target-pass'), `another person: ${attribute}`).to.equal(50);
      expect(compare(admin(), TARGET, attribute, 'target-pass'), `admin: ${attribute}`).to.equal(50);
      expect(compare(as(SELF, 'self-pass'), SELF, attribute, 'self-pass'), `self: ${attribute}`).to.equal(50);
    }
  });

  it('anonymous clients get 50; ordinary attributes compare as before; a missing entry is still 32', () => {
    expect(compare(['-x', '-H', server.url], TARGET, 'uid', 'cmptarget')).to.equal(50);
    expect(compare(reader(), TARGET, 'uid', 'CMPTARGET')).to.equal(6);
    expect(compare(reader(), TARGET, 'uid', 'someone')).to.equal(5);
    expect(compare(reader(), TARGET, 'loginShell', '/bin/sh')).to.equal(16);
    expect(compare(reader(), person('ghost'), 'pwdAccountLockedTime', '20250102000000Z')).to.equal(32);
  });

  it('another person cannot find the entry by a filter on a hidden attribute (name, OID, option, negation); administrators can', () => {
    const filters = STATE.flatMap(([name, oid, value]) => [
      `(${name}=*)`,
      `(${name}=${value})`,
      `(${oid}=*)`,
      `(${name};x-opt=*)`,
      `(&(uid=cmptarget)(!(${name}=${other(value)})))`,
      `(&(uid=cmptarget)(|(${name}=*)(uid=nobody)))`,
      ...(value === 'TRUE' ? [] : [`(${name}>=20000101000000Z)`, `(${name}<=29991231000000Z)`]),
    ]);
    for (const filter of filters) {
      expect(found(reader(), filter), filter).to.not.include('cmptarget');
      expect(found(as(SELF, 'self-pass'), filter), `${filter} by cmpself`).to.not.include('cmptarget');
    }
    for (const [name] of STATE) expect(found(admin(), `(${name}=*)`), name).to.include('cmptarget');
    // The hidden attributes are not in the entry the other person reads either.
    const read = ldapTool('ldapsearch', [...reader(), '-LLL', '-b', TARGET, '-s', 'base', '*', '+']);
    for (const [name] of STATE) expect(read.stdout, name).to.not.include(name);
  });

  it('a person enrolled in MFA compares their own cairnMfaEnabled (6/5); another person gets 50', async () => {
    expect(cairn(['user', 'add', 'cmpmfa', '--given', 'Mf', '--sn', 'Aa', '--password', 'mfa-pass'], { data: server.data }).status).to.equal(0);
    const enrol = cairn(['mfa', 'enroll', 'cmpmfa'], { data: server.data });
    expect(enrol.status, enrol.stderr).to.equal(0);
    const secret = /secret ([A-Z2-7]+)/.exec(enrol.stdout)![1];
    const code = () => totpCode(secret);
    expect(cairn(['mfa', 'confirm', 'cmpmfa', code()], { data: server.data }).status).to.equal(0);
    // Codes are per 30 s step: start the binds early in a step.
    const into = (Date.now() / 1000) % 30;
    if (into > 25) await new Promise((r) => setTimeout(r, (30 - into) * 1000 + 200));
    const self = as(person('cmpmfa'), `mfa-pass${code()}`);
    expect(compare(self, person('cmpmfa'), 'cairnMfaEnabled', 'TRUE')).to.equal(6);
    expect(compare(self, person('cmpmfa'), '1.3.6.1.4.1.99999.1.1.8', 'FALSE')).to.equal(5);
    expect(compare(reader(), person('cmpmfa'), 'cairnMfaEnabled', 'TRUE')).to.equal(50);
    expect(compare(admin(), person('cmpmfa'), 'cairnMfaEnabled', 'TRUE')).to.equal(6);
  });
});
