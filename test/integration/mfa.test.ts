import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as net from 'node:net';
import { ADMIN_DN, ADMIN_PASSWORD, BASE, cairn, initData, ldapTool, removeData, startServer, type RunningServer, asAdmin, bindAs } from '../helpers/server';
import { BerReader } from '../../src/wire/protocol/ber-read';
import { berInteger, berOctetString, berSequence } from '../../src/wire/protocol/ber-write';
import { totpCode } from '../helpers/oathtool';

const code = totpCode;

/** Simple binds one after another on one new connection from a chosen loopback address: each result code and text. */
async function bindsOnOneConnection(port: number, from: string, binds: [dn: string, password: string][]): Promise<{ code: number; message: string }[]> {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
  await new Promise((r) => socket.once('connect', r));
  const results: { code: number; message: string }[] = [];
  for (const [i, [dn, password]] of binds.entries()) {
    socket.write(berSequence([berInteger(i + 1), berSequence([berInteger(3), berOctetString(dn), berOctetString(password, 0x80)], 0x60)]));
    const reply = await new Promise<Buffer>((r) => socket.once('data', r));
    const r = new BerReader(reply);
    r.enter(0x30);
    r.readInteger();
    r.enter(0x61);
    const resultCode = r.readEnumerated();
    r.readString();
    results.push({ code: resultCode, message: r.readString() });
  }
  socket.destroy();
  return results;
}

/** One simple bind on a new connection from a chosen loopback address; resolves with the result code and text. */
async function rawBind(port: number, from: string, dn: string, password: string): Promise<{ code: number; message: string }> {
  return (await bindsOnOneConnection(port, from, [[dn, password]]))[0];
}

/** MFA: a TOTP code appended to the password, codes from oathtool (independent of otplib). */
describe('MFA (TOTP appended to the password)', function () {
  this.timeout(60000);
  let server: RunningServer;
  const person = (uid: string) => `uid=${uid},ou=people,${BASE}`;
  const REQUIRED = `cn=mfa-required,ou=groups,${BASE}`;
  const whoami = (uid: string, typed: string, extra: string[] = []) =>
    ldapTool('ldapwhoami', ['-x', '-H', server.url, '-D', person(uid), '-w', typed, ...extra]);
  const admin = () => asAdmin(server.url);
  const enrol = (uid: string, password: string) => {
    expect(cairn(['user', 'add', uid, '--given', 'Em', '--sn', 'Fa', '--password', password], { data: server.data }).status).to.equal(0);
    const out = cairn(['mfa', 'enroll', uid], { data: server.data });
    expect(out.status, out.stderr).to.equal(0);
    const secret = /secret ([A-Z2-7]+)/.exec(out.stdout)![1];
    expect(out.stdout).to.include(`otpauth://totp/Cairn:${uid}?secret=${secret}`);
    const confirm = cairn(['mfa', 'confirm', uid, code(secret)], { data: server.data });
    expect(confirm.status, confirm.stderr).to.equal(0);
    return secret;
  };
  /** Waits for the start of the next 30 s step, so a test's codes are not split across two steps. */
  const freshStep = async () => {
    const into = (Date.now() / 1000) % 30;
    if (into > 25) await new Promise((r) => setTimeout(r, (30 - into) * 1000 + 200));
  };

  before(async () => {
    const data = initData();
    server = await startServer(data, { CAIRN_LOG_LEVEL: 'info' });
    const group = ldapTool('ldapadd', admin(), `dn: ${REQUIRED}\nobjectClass: groupOfNames\nobjectClass: posixGroup\ncn: mfa-required\ngidNumber: 19000\n`);
    expect(group.status, group.stderr).to.equal(0);
    // The policy names the groups whose members must use MFA.
    const policy = ldapTool(
      'ldapmodify',
      admin(),
      `dn: cn=default,ou=policies,${BASE}\nchangetype: modify\nadd: cairnMfaRequiredGroup\ncairnMfaRequiredGroup: ${REQUIRED}\n`,
    );
    expect(policy.status, policy.stderr).to.equal(0);
  });
  after(async () => {
    await server?.stop();
    removeData(server.data);
  });

  it('enrolment is pending until confirmed: until then the password alone works', () => {
    expect(cairn(['user', 'add', 'pend', '--given', 'Pe', '--sn', 'Nd', '--password', 'pend-pass'], { data: server.data }).status).to.equal(0);
    expect(cairn(['mfa', 'enroll', 'pend'], { data: server.data }).status).to.equal(0);
    expect(whoami('pend', 'pend-pass').status).to.equal(0);
    expect(cairn(['mfa', 'status', 'pend'], { data: server.data }).stdout).to.include('pending confirmation');
    const wrong = cairn(['mfa', 'confirm', 'pend', '000000'], { data: server.data });
    expect(wrong.status).to.equal(1);
    expect(wrong.stderr).to.include('does not match');
  });

  // Which steps are accepted (the previous, this and the next; not two away), replay and the reuse grace
  // running out are tested with a fake clock in test/unit/accounts.test.ts: here, the wiring.
  it('the right code after the password binds; a code three steps ahead does not', () => {
    const secret = enrol('ann', 'ann-pass');
    expect(whoami('ann', `ann-pass${code(secret)}`).status).to.equal(0);
    expect(whoami('ann', `ann-pass${code(secret, 90)}`).status).to.equal(49);
  });

  it('a wrong password, a wrong code, a missing code and a replayed code get the same 49 and the same message', async () => {
    const secret = enrol('bob', 'bob-pass');
    await freshStep();
    const c = code(secret);
    expect((await rawBind(server.port, '127.0.0.2', person('bob'), `bob-pass${c}`)).code).to.equal(0);
    const replay = await rawBind(server.port, '127.0.0.3', person('bob'), `bob-pass${c}`);
    const wrongCode = await rawBind(server.port, '127.0.0.3', person('bob'), `bob-pass${c === '000000' ? '111111' : '000000'}`);
    const wrongPassword = await rawBind(server.port, '127.0.0.3', person('bob'), `bob-wrong${code(secret, 30)}`);
    const noCode = await rawBind(server.port, '127.0.0.3', person('bob'), 'bob-pass');
    for (const r of [replay, wrongCode, wrongPassword, noCode]) expect(r).to.deep.equal({ code: 49, message: 'invalid credentials' });
    const log = server.stderr();
    expect(log).to.include('one-time code used already').and.include('wrong one-time code').and.include('wrong password');
    expect(log).to.not.include(c === '000000' ? 'bob-pass000000' : `bob-pass${c}`);
  });

  it('the identical password+code from the same client is accepted again within the grace period (sssd, nslcd)', async () => {
    const secret = enrol('carl', 'carl-pass');
    await freshStep();
    const typed = `carl-pass${code(secret)}`;
    for (let i = 0; i < 3; i++) expect((await rawBind(server.port, '127.0.0.4', person('carl'), typed)).code, `bind ${i}`).to.equal(0);
    expect((await rawBind(server.port, '127.0.0.5', person('carl'), typed)).code, 'another client').to.equal(49);
  });

  it('no grace on a connection where someone else authenticated before (a FreeRADIUS or web application pool)', async () => {
    const secret = enrol('fern', 'fern-pass');
    await freshStep();
    const typed = `fern-pass${code(secret)}`;
    const pool = await bindsOnOneConnection(server.port, '127.0.0.9', [
      [ADMIN_DN, ADMIN_PASSWORD],
      [person('fern'), typed],
      [ADMIN_DN, ADMIN_PASSWORD],
      [person('fern'), typed],
    ]);
    expect(pool.map((r) => r.code)).to.deep.equal([0, 0, 0, 49]);
    expect((await rawBind(server.port, '127.0.0.9', person('fern'), typed)).code, 'a new connection from the same client').to.equal(49);
  });

  it('two binds racing with the same code from two clients: exactly one succeeds', async () => {
    const secret = enrol('dora', 'dora-pass');
    await freshStep();
    const typed = `dora-pass${code(secret)}`;
    const results = await Promise.all(['127.0.0.6', '127.0.0.7', '127.0.0.8'].map((from) => rawBind(server.port, from, person('dora'), typed)));
    expect(results.filter((r) => r.code === 0)).to.have.length(1);
  });

  it('an account in a group that requires MFA cannot bind without enrolment, and is told why', () => {
    expect(cairn(['user', 'add', 'eve', '--given', 'Ev', '--sn', 'Ee', '--password', 'eve-pass'], { data: server.data }).status).to.equal(0);
    expect(cairn(['group', 'add-member', 'mfa-required', 'eve'], { data: server.data }).status).to.equal(0);
    const r = whoami('eve', 'eve-pass');
    expect(r.status).to.equal(49);
    expect(r.stderr).to.include('MFA enrolment is required');
    expect(cairn(['mfa', 'status'], { data: server.data }).stdout).to.match(/^eve\tREQUIRED, not enrolled$/m);
    const wrong = whoami('eve', 'not-her-pass');
    expect(wrong.stderr).to.not.include('MFA');
  });

  it('service accounts are exempt', () => {
    expect(cairn(['service', 'add', 'radius', '--password', 'radius-pass'], { data: server.data }).status).to.equal(0);
    const r = ldapTool('ldapwhoami', ['-x', '-H', server.url, '-D', `cn=radius,ou=services,${BASE}`, '-w', 'radius-pass']);
    expect(r.status).to.equal(0);
  });

  it('wrong codes count towards the lockout', () => {
    const secret = enrol('finn', 'finn-pass');
    const policy = ldapTool(
      'ldapmodify',
      admin(),
      `dn: cn=default,ou=policies,${BASE}\nchangetype: modify\nreplace: pwdLockout\npwdLockout: TRUE\n-\nreplace: pwdMaxFailure\npwdMaxFailure: 3\n-\n`,
    );
    expect(policy.status, policy.stderr).to.equal(0);
    try {
      for (let i = 0; i < 3; i++) expect(whoami('finn', 'finn-pass000000').status).to.equal(49);
      const locked = whoami('finn', `finn-pass${code(secret)}`, ['-e', 'ppolicy']);
      expect(locked.stderr).to.include('Account locked');
    } finally {
      ldapTool('ldapmodify', admin(), `dn: cn=default,ou=policies,${BASE}\nchangetype: modify\nreplace: pwdLockout\npwdLockout: FALSE\n-\n`);
      cairn(['user', 'unlock', 'finn'], { data: server.data });
    }
  });

  it('Password Modify takes the old password with or without the code; the change needs no new code', async () => {
    const secret = enrol('gail', 'gail-pass');
    await freshStep();
    const typed = `gail-pass${code(secret)}`;
    const r = ldapTool('ldappasswd', ['-x', '-H', server.url, '-D', person('gail'), '-w', typed, '-a', typed, '-s', 'gail-new']);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(whoami('gail', `gail-new${code(secret)}`).status).to.equal(0);
  });

  it('the secret never leaves: not in the database in clear, not in export, not over LDAP; cairnMfaEnabled shows', () => {
    const secret = enrol('hugo', 'hugo-pass');
    const db = readFileSync(join(server.data, 'cairn.sqlite'));
    expect(db.includes(Buffer.from(secret))).to.equal(false);
    expect(cairn(['export'], { data: server.data }).stdout).to.not.include(secret);
    const asAdmin = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('hugo'), '-s', 'base', '*', '+']);
    expect(asAdmin.stdout).to.include('cairnMfaEnabled: TRUE').and.not.include(secret);
    expect(server.stderr()).to.not.include(secret);
    const reset = cairn(['mfa', 'reset', 'hugo'], { data: server.data });
    expect(reset.status).to.equal(0);
    expect(whoami('hugo', 'hugo-pass').status).to.equal(0);
    expect(ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('hugo'), '-s', 'base', '+']).stdout).to.not.include('cairnMfaEnabled');
  });

  it('enroll draws a QR code, and --secret imports an existing secret that the app already has', () => {
    expect(cairn(['user', 'add', 'ivy', '--given', 'Iv', '--sn', 'Yy', '--password', 'ivy-pass'], { data: server.data }).status).to.equal(0);
    const existing = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const out = cairn(['mfa', 'enroll', 'ivy', '--secret', existing], { data: server.data });
    expect(out.status, out.stderr).to.equal(0);
    expect(out.stdout).to.include(`secret=${existing}`);
    expect(out.stdout).to.match(/[▀▄█]{10}/);
    expect(cairn(['mfa', 'confirm', 'ivy', code(existing)], { data: server.data }).status).to.equal(0);
    expect(whoami('ivy', `ivy-pass${code(existing)}`).status).to.equal(0);
    const bad = cairn(['mfa', 'enroll', 'ivy', '--secret', 'not-base32!'], { data: server.data });
    expect(bad.status).to.equal(1);
    expect(bad.stderr).to.include('base32');
  });

  it('cairnMfaEnabled is readable by the person and administrators, not by other people or services', async () => {
    const secret = enrol('jay', 'jay-pass');
    expect(cairn(['user', 'add', 'kim', '--given', 'Ki', '--sn', 'Mm', '--password', 'kim-pass'], { data: server.data }).status).to.equal(0);
    await freshStep();
    const self = ldapTool('ldapsearch', [
      ...bindAs(server.url, person('jay'), `jay-pass${code(secret)}`),
      '-LLL',
      '-b',
      person('jay'),
      '-s',
      'base',
      'cairnMfaEnabled',
    ]);
    expect(self.stdout).to.include('cairnMfaEnabled: TRUE');
    const other = ldapTool('ldapsearch', [...bindAs(server.url, person('kim'), 'kim-pass'), '-LLL', '-b', person('jay'), '-s', 'base', 'cairnMfaEnabled']);
    expect(other.stdout).to.not.include('cairnMfaEnabled');
    const service = ldapTool('ldapsearch', [
      ...bindAs(server.url, `cn=radius,ou=services,${BASE}`, 'radius-pass'),
      '-LLL',
      '-b',
      BASE,
      '(cairnMfaEnabled=TRUE)',
      '1.1',
    ]);
    expect(service.stdout.trim()).to.equal('');
  });
});
