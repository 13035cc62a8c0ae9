import { expect } from 'chai';
import * as net from 'node:net';
import { createHash } from 'node:crypto';
import { BASE, cairn, importLdif, initData, ldapTool, removeData, startServer, type RunningServer, asAdmin, bindAs } from '../helpers/server';
import { BerReader } from '../../src/wire/protocol/ber-read';
import { berInteger, berOctetString, berSequence } from '../../src/wire/protocol/ber-write';

/** resultCode and diagnosticMessage of one LDAP response (bind or extended), read with Cairn's BER reader. */
function decodeResponse(buf: Buffer): { resultCode: number; diagnosticMessage: string } {
  const r = new BerReader(buf);
  r.enter(0x30);
  r.readInteger();
  r.enter(r.peekTag());
  const resultCode = r.readEnumerated();
  r.readString();
  return { resultCode, diagnosticMessage: r.readString() };
}

/** The password policy of draft-behera, on every path: ldappasswd, ldapmodify, the CLI, and at bind. */
describe('password policy', function () {
  this.timeout(60000);
  let server: RunningServer;
  const POLICY = `cn=default,ou=policies,${BASE}`;
  const person = (uid: string) => `uid=${uid},ou=people,${BASE}`;
  const admin = () => asAdmin(server.url);
  const as = (uid: string, pw: string) => ['-x', '-H', server.url, '-D', person(uid), '-w', pw];
  // Through the CLI: with a short pwdMaxAge the administrator's own password expires too.
  const setPolicy = (...pairs: [string, string][]) =>
    importLdif(server.data, [`dn: ${POLICY}`, 'changetype: modify', ...pairs.flatMap(([a, v]) => [`replace: ${a}`, `${a}: ${v}`, '-']), ''].join('\n'));
  const addPerson = (uid: string, pw: string) => {
    const r = cairn(['user', 'add', uid, '--given', 'Pat', '--sn', 'Quinn', '--mail', `${uid}@example.com`, '--password', pw], { data: server.data });
    expect(r.status, r.stderr).to.equal(0);
  };
  const whoami = (uid: string, pw: string) => ldapTool('ldapwhoami', [...as(uid, pw), '-e', 'ppolicy']);

  before(async () => {
    server = await startServer(initData(undefined, { policy: 'default' }));
  });
  after(async () => {
    await server?.stop();
    removeData(server.data);
  });

  it('cairn init writes the default policy, readable by bound users', () => {
    const r = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', POLICY, '-s', 'base']);
    for (const line of [
      'pwdMinLength: 12',
      'cairnPwdMinClasses: 3',
      'pwdInHistory: 5',
      'pwdMaxFailure: 10',
      'pwdLockoutDuration: 900',
      'pwdExpireWarning: 1209600',
      'pwdMustChange: TRUE',
      'cairnPwdRejectPersonal: TRUE',
      'cairnPwdBlocklist: TRUE',
    ]) {
      expect(r.stdout).to.include(line);
    }
  });

  it('refuses weak passwords on every path with 19, the rule in words, and the control error', () => {
    addPerson('pat', 'Strong-Enough-42');
    const cases: [string, string, RegExp][] = [
      ['Sh0rt!', 'must be at least 12 characters', /error=6/],
      ['alllowercaseletters', 'must use at least 3 of', /error=5/],
      ['Quinn-Family-2024x', 'must not contain your surname', /error=5/],
      ['Password123456!', 'is too common', /error=5/],
    ];
    for (const [pw, message, control] of cases) {
      const exop = ldapTool('ldappasswd', [...admin(), '-e', 'ppolicy', '-s', pw, person('pat')]);
      expect(exop.status, pw).to.not.equal(0);
      expect(exop.stdout + exop.stderr)
        .to.include('Constraint violation (19)')
        .and.include(message);
      expect(exop.stdout + exop.stderr).to.match(control);
      const modify = ldapTool(
        'ldapmodify',
        [...admin(), '-e', 'ppolicy'],
        `dn: ${person('pat')}\nchangetype: modify\nreplace: userPassword\nuserPassword: ${pw}\n`,
      );
      expect(modify.status, pw).to.equal(19);
      expect(modify.stderr).to.include(message);
      const cli = cairn(['user', 'passwd', 'pat', '--password', pw], { data: server.data });
      expect(cli.status, pw).to.equal(1);
      expect(cli.stderr).to.include(message);
    }
    expect(whoami('pat', 'Strong-Enough-42').status).to.equal(0);
  });

  it('ldappasswd without -s gets a generated password that satisfies the policy', () => {
    addPerson('zzgen', 'Initial-Pass-73');
    const r = ldapTool('ldappasswd', [...admin(), person('zzgen')]);
    expect(r.status, r.stderr).to.equal(0);
    const generated = /New password: (\S+)/.exec(r.stdout)![1];
    expect([...generated].length).to.be.at.least(12);
    expect(whoami('zzgen', generated).stdout).to.include(`dn:${person('zzgen')}`);
  });

  it('a self change: without the old password as pwdSafeModify FALSE allows; a wrong old one is 49; history refuses a recent password', () => {
    addPerson('zzsam', 'First-Horse-11');
    const wrongOld = ldapTool('ldappasswd', [...as('zzsam', 'First-Horse-11'), '-a', 'Not-The-Old-1', '-s', 'Second-Horse-22']);
    expect(wrongOld.stdout + wrongOld.stderr).to.include('Invalid credentials (49)');
    const noOld = ldapTool('ldappasswd', [...as('zzsam', 'First-Horse-11'), '-e', 'ppolicy', '-s', 'Zeroth-Horse-00']);
    expect(noOld.status, noOld.stdout + noOld.stderr).to.equal(0);
    const generated = ldapTool('ldappasswd', as('zzsam', 'Zeroth-Horse-00'));
    expect(generated.status, generated.stderr).to.equal(0);
    const current = /New password: (\S+)/.exec(generated.stdout)![1];
    const ok = ldapTool('ldappasswd', [...as('zzsam', current), '-a', current, '-s', 'Second-Horse-22']);
    expect(ok.status, ok.stdout + ok.stderr).to.equal(0);
    const recent = ldapTool('ldappasswd', [...as('zzsam', 'Second-Horse-22'), '-e', 'ppolicy', '-a', 'Second-Horse-22', '-s', 'First-Horse-11']);
    expect(recent.stdout + recent.stderr)
      .to.include('was used recently')
      .and.match(/error=8/);
    const same = ldapTool('ldappasswd', [...as('zzsam', 'Second-Horse-22'), '-a', 'Second-Horse-22', '-s', 'Second-Horse-22']);
    expect(same.stdout + same.stderr).to.include('was used recently');
  });

  it('minimum age refuses a second self change too soon (passwordTooYoung)', () => {
    addPerson('zzyoung', 'Young-Pass-101');
    setPolicy(['pwdMinAge', '3600']);
    try {
      const r = ldapTool('ldappasswd', [...as('zzyoung', 'Young-Pass-101'), '-e', 'ppolicy', '-a', 'Young-Pass-101', '-s', 'Older-Pass-202']);
      expect(r.stdout + r.stderr)
        .to.include('changed too recently')
        .and.match(/error=7/);
      // An administrator's reset is not bound by the minimum age.
      expect(ldapTool('ldappasswd', [...admin(), '-s', 'Admin-Reset-303', person('zzyoung')]).status).to.equal(0);
    } finally {
      setPolicy(['pwdMinAge', '0']);
    }
  });

  it('locks an account after pwdMaxFailure failures (accountLocked whatever the password), until cairn user unlock', () => {
    addPerson('zzlock', 'Lock-Me-Out-55');
    setPolicy(['pwdMaxFailure', '3']);
    try {
      for (let i = 0; i < 3; i++) expect(whoami('zzlock', 'wrong').status).to.equal(49);
      const locked = whoami('zzlock', 'Lock-Me-Out-55');
      expect(locked.status).to.equal(49);
      expect(locked.stderr).to.include('Account locked');
      const read = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('zzlock'), '-s', 'base', 'pwdAccountLockedTime', 'pwdFailureTime']);
      expect(read.stdout).to.match(/pwdAccountLockedTime: \d{14}Z/);
      expect(read.stdout.match(/pwdFailureTime:/g)).to.have.length(3);
      expect(cairn(['user', 'unlock', 'zzlock'], { data: server.data }).status).to.equal(0);
      expect(whoami('zzlock', 'Lock-Me-Out-55').status).to.equal(0);
    } finally {
      setPolicy(['pwdMaxFailure', '10']);
    }
  });

  it('a correct bind resets the failure count', () => {
    addPerson('zzcount', 'Count-Me-In-66');
    expect(whoami('zzcount', 'wrong').status).to.equal(49);
    expect(whoami('zzcount', 'Count-Me-In-66').status).to.equal(0);
    const read = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('zzcount'), '-s', 'base', 'pwdFailureTime']);
    expect(read.stdout).to.not.include('pwdFailureTime');
  });

  // The rules (warning, expiry, grace, failure interval, lock duration) are tested with a fake clock in
  // test/unit/accounts.test.ts; this proves the wiring: the warning and the expiry reach the client, and the
  // connection whose bind failed on the expiry may change the password (as sssd does). One real wait.
  it('warns before expiry (timeBeforeExpiration), refuses an expired password with passwordExpired, and lets the connection whose bind failed change it (as sssd does)', async () => {
    addPerson('zzexp', 'Expiring-Pass-77');
    addPerson('zzsssd', 'Sssd-Old-Pass-9');
    setPolicy(['pwdMaxAge', '3600'], ['pwdExpireWarning', '7200']);
    try {
      const warn = whoami('zzexp', 'Expiring-Pass-77');
      expect(warn.status).to.equal(0);
      expect(warn.stderr).to.match(/Password expires in \d+ seconds/);
      setPolicy(['pwdMaxAge', '1']);
      await new Promise((r) => setTimeout(r, 1500));
      const expired = whoami('zzexp', 'Expiring-Pass-77');
      expect(expired.status).to.equal(49);
      expect(expired.stderr).to.include('Password expired');
      expect(expired.stderr).to.include('your password has expired');
      const dn = person('zzsssd');
      const socket = net.connect(server.port, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      const reply = () => new Promise<Buffer>((r) => socket.once('data', r));
      const message = (id: number, op: Buffer) => berSequence([berInteger(id), op]);
      socket.write(message(1, berSequence([berInteger(3), berOctetString(dn), berOctetString('Sssd-Old-Pass-9', 0x80)], 0x60)));
      const bind = decodeResponse(await reply());
      expect(bind.resultCode).to.equal(49);
      const value = berSequence([berOctetString(dn, 0x80), berOctetString('Sssd-Old-Pass-9', 0x81), berOctetString('Sssd-New-Pass-10', 0x82)]);
      socket.write(message(2, berSequence([berOctetString('1.3.6.1.4.1.4203.1.11.1', 0x80), berOctetString(value, 0x81)], 0x77)));
      const exop = decodeResponse(await reply());
      socket.destroy();
      expect(exop.resultCode, exop.diagnosticMessage).to.equal(0);
      setPolicy(['pwdMaxAge', '0']);
      expect(whoami('zzsssd', 'Sssd-New-Pass-10').status).to.equal(0);
      expect(whoami('zzsssd', 'Sssd-Old-Pass-9').status).to.equal(49);
    } finally {
      setPolicy(['pwdMaxAge', '0']);
    }
  });

  it('Password Modify from an anonymous connection, without an expired bind, is refused (8)', async () => {
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const value = berSequence([berOctetString(person('zzsssd'), 0x80), berOctetString('Sssd-New-Pass-10', 0x81), berOctetString('Other-New-Pass-11', 0x82)]);
    socket.write(berSequence([berInteger(1), berSequence([berOctetString('1.3.6.1.4.1.4203.1.11.1', 0x80), berOctetString(value, 0x81)], 0x77)]));
    const r = decodeResponse(await new Promise<Buffer>((res) => socket.once('data', res)));
    socket.destroy();
    expect(r.resultCode).to.equal(8);
    expect(r.diagnosticMessage).to.include('only authenticated users may change passwords');
  });

  it('after an administrator reset: changeAfterReset, only a password change is allowed, then normal again', () => {
    addPerson('zzreset', 'Before-Reset-12');
    expect(ldapTool('ldappasswd', [...admin(), '-s', 'After-Reset-3434', person('zzreset')]).status).to.equal(0);
    const bind = whoami('zzreset', 'After-Reset-3434');
    expect(bind.status).to.equal(0);
    expect(bind.stderr).to.include('Password must be changed');
    const search = ldapTool('ldapsearch', [...as('zzreset', 'After-Reset-3434'), '-e', 'ppolicy', '-b', BASE, '(uid=zzreset)', '1.1']);
    expect(search.stdout).to.include('result: 50').and.include('you must change your password');
    const change = ldapTool('ldappasswd', [...as('zzreset', 'After-Reset-3434'), '-a', 'After-Reset-3434', '-s', 'Mine-Again-5656']);
    expect(change.status, change.stdout + change.stderr).to.equal(0);
    const after = whoami('zzreset', 'Mine-Again-5656');
    expect(after.stderr).to.not.include('must be changed');
    expect(ldapTool('ldapsearch', [...as('zzreset', 'Mine-Again-5656'), '-b', BASE, '(uid=zzreset)', '1.1']).status).to.equal(0);
  });

  it('cairn user passwd --reset marks the password must-change; shadowLastChange follows the change', () => {
    addPerson('zzcli', 'Cli-Initial-777');
    const r = cairn(['user', 'passwd', 'zzcli', '--password', 'Cli-Reset-8888', '--reset'], { data: server.data });
    expect(r.status, r.stderr).to.equal(0);
    expect(whoami('zzcli', 'Cli-Reset-8888').stderr).to.include('Password must be changed');
    const read = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('zzcli'), '-s', 'base', 'pwdReset', 'pwdChangedTime', 'shadowLastChange']);
    expect(read.stdout).to.include('pwdReset: TRUE');
    expect(read.stdout).to.include(`shadowLastChange: ${Math.floor(Date.now() / 86400000)}`);
  });

  it('policy state is readable by administrators, services and the person, not by other people', () => {
    addPerson('zzread', 'Reader-Pass-4321');
    addPerson('zzother', 'Other-Pass-9876');
    const attrs = ['pwdChangedTime', 'pwdFailureTime'];
    const byOther = ldapTool('ldapsearch', [...as('zzread', 'Reader-Pass-4321'), '-LLL', '-b', person('zzother'), '-s', 'base', ...attrs]);
    expect(byOther.stdout).to.not.match(/pwdChangedTime|pwdFailureTime/);
    const bySelf = ldapTool('ldapsearch', [...as('zzother', 'Other-Pass-9876'), '-LLL', '-b', person('zzother'), '-s', 'base', ...attrs]);
    expect(bySelf.stdout).to.include('pwdChangedTime:');
    expect(whoami('zzother', 'wrong').status).to.equal(49);
    const service = cairn(['service', 'add', 'radius', '--password', 'Radius-Service-1'], { data: server.data });
    expect(service.status, service.stderr).to.equal(0);
    const byService = ldapTool('ldapsearch', [
      ...bindAs(server.url, `cn=radius,ou=services,${BASE}`, 'Radius-Service-1'),
      '-LLL',
      '-b',
      person('zzother'),
      '-s',
      'base',
      ...attrs,
    ]);
    expect(byService.stdout).to.include('pwdChangedTime:').and.include('pwdFailureTime:');
    const history = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('zzother'), '-s', 'base', 'pwdHistory', '+']);
    expect(history.stdout).to.not.include('pwdHistory');
  });

  it("cairn import carries an OpenLDAP export's policy state: lock, history (never shown), changed time", () => {
    const old = '{SSHA}' + Buffer.concat([createHash('sha1').update('Previous-Pass-1').update('salt').digest(), Buffer.from('salt')]).toString('base64');
    const cur = '{SSHA}' + Buffer.concat([createHash('sha1').update('Current-Pass-22').update('salt').digest(), Buffer.from('salt')]).toString('base64');
    importLdif(
      server.data,
      [
        `dn: ${person('zzmig')}`,
        'objectClass: inetOrgPerson',
        'objectClass: posixAccount',
        'uid: zzmig',
        'cn: Mig Rated',
        'sn: Rated',
        'uidNumber: 30998',
        'gidNumber: 10001',
        'homeDirectory: /home/zzmig',
        `userPassword: ${cur}`,
        'pwdChangedTime: 20240101000000Z',
        `pwdHistory: 20231201000000Z#1.3.6.1.4.1.1466.115.121.1.40#${old.length}#${old}`,
        'pwdAccountLockedTime: 000001010000Z',
        'entryCSN: 20240101000000.000000Z#000000#000#000000',
        '',
      ].join('\n'),
    );
    const locked = whoami('zzmig', 'Current-Pass-22');
    expect(locked.stderr).to.include('Account locked');
    expect(cairn(['user', 'unlock', 'zzmig'], { data: server.data }).status).to.equal(0);
    expect(whoami('zzmig', 'Current-Pass-22').status).to.equal(0);
    const read = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('zzmig'), '-s', 'base', '+']);
    expect(read.stdout).to.include('pwdChangedTime: 20240101000000Z');
    expect(read.stdout).to.not.include('pwdHistory');
    const reuse = ldapTool('ldappasswd', [...as('zzmig', 'Current-Pass-22'), '-a', 'Current-Pass-22', '-s', 'Previous-Pass-1']);
    expect(reuse.stdout + reuse.stderr).to.include('was used recently');
  });

  it('cairn policy show and set change the rules that apply at once', () => {
    const set = cairn(['policy', 'set', 'pwdMinLength=20'], { data: server.data });
    expect(set.status, set.stderr).to.equal(0);
    try {
      expect(cairn(['policy', 'show'], { data: server.data }).stdout).to.include('pwdMinLength: 20');
      const r = ldapTool('ldappasswd', [...admin(), '-s', 'Only-Fifteen-15', person('zzread')]);
      expect(r.stdout + r.stderr).to.include('must be at least 20 characters');
      const bad = cairn(['policy', 'set', 'pwdNoSuchThing=1'], { data: server.data });
      expect(bad.status).to.equal(1);
      expect(bad.stderr).to.match(/^cairn: pwdNoSuchThing is not a password policy setting/);
    } finally {
      cairn(['policy', 'set', 'pwdMinLength=12'], { data: server.data });
    }
  });

  it('people cannot find out through a filter who is locked; administrators and services can', () => {
    addPerson('zzlocked', 'Locked-Out-4242');
    setPolicy(['pwdMaxFailure', '2']);
    try {
      for (let i = 0; i < 2; i++) whoami('zzlocked', 'wrong');
      const filter = '(pwdAccountLockedTime=*)';
      const byAdmin = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', BASE, filter, '1.1']);
      expect(byAdmin.stdout).to.include(person('zzlocked'));
      const byPerson = ldapTool('ldapsearch', [...as('zzread', 'Reader-Pass-4321'), '-LLL', '-b', BASE, filter, '1.1']);
      expect(byPerson.status).to.equal(0);
      expect(byPerson.stdout.trim()).to.equal('');
      const negated = ldapTool('ldapsearch', [...as('zzread', 'Reader-Pass-4321'), '-LLL', '-b', BASE, `(&(uid=zzlocked)(!${filter}))`, '1.1']);
      expect(negated.stdout.trim()).to.equal('');
    } finally {
      setPolicy(['pwdMaxFailure', '10']);
      cairn(['user', 'unlock', 'zzlocked'], { data: server.data });
    }
  });

  it('pwdCheckQuality 2 refuses a pre-hashed password it cannot check', () => {
    setPolicy(['pwdCheckQuality', '2']);
    try {
      const hash = '{SSHA}' + Buffer.concat([createHash('sha1').update('Hashed-Pass-999').update('s').digest(), Buffer.from('s')]).toString('base64');
      const r = ldapTool(
        'ldapmodify',
        [...admin(), '-e', 'ppolicy'],
        `dn: ${person('zzread')}\nchangetype: modify\nreplace: userPassword\nuserPassword: ${hash}\n`,
      );
      expect(r.status).to.equal(19);
      expect(r.stderr).to.include('already hashed');
    } finally {
      setPolicy(['pwdCheckQuality', '1']);
    }
  });

  it('sends the response control only to clients that asked for it', () => {
    addPerson('zzquiet', 'Quiet-Pass-5151');
    expect(ldapTool('ldappasswd', [...admin(), '-s', 'Quiet-Reset-6262', person('zzquiet')]).status).to.equal(0);
    const asked = whoami('zzquiet', 'Quiet-Reset-6262');
    expect(asked.stderr).to.include('Password must be changed');
    const notAsked = ldapTool('ldapwhoami', as('zzquiet', 'Quiet-Reset-6262'));
    expect(notAsked.status).to.equal(0);
    expect(notAsked.stderr).to.equal('');
  });

  it("a person's pwdPolicySubentry names the policy that governs them", () => {
    importLdif(
      server.data,
      [
        `dn: cn=strict,ou=policies,${BASE}`,
        'objectClass: cairnPolicy',
        'objectClass: pwdPolicy',
        'objectClass: cairnPasswordPolicy',
        'cn: strict',
        'pwdAttribute: userPassword',
        'pwdMinLength: 20',
        '',
      ].join('\n'),
    );
    addPerson('zzstrict', 'Strict-Person-1234');
    const assign = ldapTool(
      'ldapmodify',
      admin(),
      `dn: ${person('zzstrict')}\nchangetype: modify\nreplace: pwdPolicySubentry\npwdPolicySubentry: cn=strict,ou=policies,${BASE}\n`,
    );
    expect(assign.status, assign.stderr).to.equal(0);
    const r = ldapTool('ldappasswd', [...admin(), '-s', 'Fifteen-Chars-1', person('zzstrict')]);
    expect(r.stdout + r.stderr).to.include('must be at least 20 characters');
    // The default policy (12) still governs everybody else.
    expect(ldapTool('ldappasswd', [...admin(), '-s', 'Fifteen-Chars-1', person('zzread')]).status).to.equal(0);
  });

  it("pwdAllowUserChange FALSE refuses a person's own change (passwordModNotAllowed); pwdSafeModify TRUE needs the old password in a modify and in Password Modify", () => {
    addPerson('zzself', 'Self-Change-1111');
    setPolicy(['pwdAllowUserChange', 'FALSE']);
    try {
      const r = ldapTool('ldappasswd', [...as('zzself', 'Self-Change-1111'), '-e', 'ppolicy', '-a', 'Self-Change-1111', '-s', 'Self-Change-2222']);
      expect(r.stdout + r.stderr)
        .to.include('Insufficient access (50)')
        .and.match(/error=3/);
    } finally {
      setPolicy(['pwdAllowUserChange', 'TRUE']);
    }
    setPolicy(['pwdSafeModify', 'TRUE']);
    try {
      const replace = ldapTool(
        'ldapmodify',
        [...as('zzself', 'Self-Change-1111'), '-e', 'ppolicy'],
        `dn: ${person('zzself')}\nchangetype: modify\nreplace: userPassword\nuserPassword: Self-Change-3333\n`,
      );
      expect(replace.status).to.equal(19);
      expect(replace.stderr).to.include('must supply the old password');
      const extended = ldapTool('ldappasswd', [...as('zzself', 'Self-Change-1111'), '-e', 'ppolicy', '-s', 'Self-Change-3333']);
      expect(extended.stdout + extended.stderr)
        .to.include('must supply the old password')
        .and.match(/error=4/);
      const proven = ldapTool(
        'ldapmodify',
        as('zzself', 'Self-Change-1111'),
        `dn: ${person('zzself')}\nchangetype: modify\ndelete: userPassword\nuserPassword: Self-Change-1111\n-\nadd: userPassword\nuserPassword: Self-Change-3333\n`,
      );
      expect(proven.status, proven.stderr).to.equal(0);
    } finally {
      setPolicy(['pwdSafeModify', 'FALSE']);
    }
  });

  it('a person added with a password starts with shadowLastChange today; an imported value is kept unless older than pwdChangedTime (then that day, as nslcd would lock out a fresh password)', () => {
    setPolicy(['pwdMaxAge', String(90 * 86400)]);
    try {
      addPerson('zzborn', 'Newborn-Pass-5151');
      const today = Math.floor(Date.now() / 86400000);
      const born = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('zzborn'), '-s', 'base', 'shadowLastChange', 'shadowMax']);
      expect(born.stdout).to.include(`shadowLastChange: ${today}`).and.include('shadowMax: 90');
      const migrated = [
        `dn: ${person('zzmigrated')}`,
        'objectClass: inetOrgPerson',
        'objectClass: posixAccount',
        'objectClass: shadowAccount',
        'uid: zzmigrated',
        'cn: Mig Rated',
        'sn: Rated',
        'uidNumber: 30777',
        'gidNumber: 10001',
        'homeDirectory: /home/zzmigrated',
        'userPassword: {SSHA}n4vC8k4CGAwKZBjJU8KSBtlLqi9uNTZD',
        'shadowLastChange: 19000',
        '',
      ].join('\n');
      importLdif(server.data, migrated);
      const read = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('zzmigrated'), '-s', 'base', 'shadowLastChange']);
      // No pwdChangedTime: as in slapd the password does not expire, and the shadow values stay as imported.
      expect(read.stdout).to.include('shadowLastChange: 19000');
      importLdif(
        server.data,
        migrated
          .replace(/zzmigrated/g, 'zzmigrated2')
          .replace('30777', '30778')
          .replace('shadowLastChange: 19000', 'shadowLastChange: 19500\npwdChangedTime: 20230101000000Z'),
      );
      const kept = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('zzmigrated2'), '-s', 'base', 'shadowLastChange']);
      expect(kept.stdout, 'newer than pwdChangedTime: kept').to.include('shadowLastChange: 19500');
    } finally {
      setPolicy(['pwdMaxAge', '0']);
    }
  });

  it('shadowMax and shadowWarning follow the policy, so shadow-based clients warn on the same days', () => {
    addPerson('zzshadow', 'Shadow-Pass-8080');
    setPolicy(['pwdMaxAge', String(90 * 86400)], ['pwdExpireWarning', String(14 * 86400)]);
    try {
      expect(ldapTool('ldappasswd', [...admin(), '-s', 'Shadow-Pass-9090', person('zzshadow')]).status).to.equal(0);
      const read = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('zzshadow'), '-s', 'base', 'shadowMax', 'shadowWarning', 'shadowLastChange']);
      expect(read.stdout).to.include('shadowMax: 90').and.include('shadowWarning: 14');
      // With grace logins, no shadowMax: nslcd would turn away a person who still has grace logins.
      setPolicy(['pwdGraceAuthNLimit', '3']);
      expect(ldapTool('ldappasswd', [...admin(), '-s', 'Shadow-Pass-7070', person('zzshadow')]).status).to.equal(0);
      const grace = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('zzshadow'), '-s', 'base', 'shadowMax', 'shadowWarning', 'shadowLastChange']);
      expect(grace.stdout).to.include('shadowLastChange: ').and.not.include('shadowMax').and.not.include('shadowWarning');
    } finally {
      setPolicy(['pwdMaxAge', '0'], ['pwdExpireWarning', '1209600'], ['pwdGraceAuthNLimit', '0']);
    }
  });
});
