import { expect } from 'chai';
import { CompatDirectory, PEOPLE } from './lib/directory';
import type { PrivateHost } from './lib/host';
import { PAM_SERVICE, startNslcd } from './lib/nslcd';
import { asPerson, expectChangeAtLogin, pam } from './lib/pam';

const today = () => String(Math.floor(Date.now() / 86400000));

describe('nslcd and pam_ldap (StartTLS, a service bind account)', function () {
  this.timeout(120000);
  let directory: CompatDirectory;
  let host: PrivateHost;

  before(async () => {
    directory = await CompatDirectory.start();
    host = await startNslcd(directory);
  });
  after(async () => {
    await host?.stop();
    await directory?.stop();
  });

  const getent = (...args: string[]) => host.run('getent', ['-s', 'ldap', ...args]);

  it('getent -s ldap passwd finds a person by name and by uid number', () => {
    expect(getent('passwd', 'alice').stdout.trim()).to.equal('alice:x:10001:10001:Alice Example:/home/alice:/bin/sh');
    expect(getent('passwd', '10002').stdout.trim()).to.equal('bob:x:10002:10001:Bob Example:/home/bob:/bin/sh');
    expect(getent('passwd', 'nobody-here').status).to.equal(2);
  });

  it('getent -s ldap group finds a group by name and by number, with its members', () => {
    const devs = getent('group', 'devs').stdout.trim();
    expect(devs).to.match(/^devs:\*:20001:/);
    expect(devs.split(':')[3].split(',').sort()).to.deep.equal(['alice', 'bob']);
    expect(getent('group', '20002').stdout.trim()).to.match(/^wifi:\*:20002:/);
    const ops = getent('group', 'ops').stdout.trim();
    expect(ops, 'a memberUid-only group, as Debian stock slapd stores it').to.match(/^ops:\*:20003:/);
    expect(ops.split(':')[3].split(',').sort()).to.deep.equal(['frank', 'gwen']);
  });

  it('getent -s ldap shadow shows the password age fields the policy keeps', () => {
    const [name, , lastChange] = getent('shadow', 'alice').stdout.trim().split(':');
    expect(name).to.equal('alice');
    expect(lastChange).to.equal(today());
    // bob's policy: passwords last 30 days, with a warning 14 days before.
    const bob = getent('shadow', 'bob').stdout.trim().split(':');
    expect([bob[4], bob[5]]).to.deep.equal(['30', '14']);
    expect(Number(bob[2])).to.equal(Math.floor(Date.now() / 86400000) - 27);
  });

  it('initgroups: id lists the primary group and every group the person is in', () => {
    const out = host.run('id', ['alice']).stdout.trim();
    expect(out).to.match(/^uid=10001\(alice\) gid=10001\(users\) groups=/);
    expect(
      out
        .replace(/.*groups=/, '')
        .split(',')
        .sort(),
    ).to.deep.equal(['10001(users)', '20001(devs)', '20002(wifi)']);
  });

  it('logs in through PAM with the right password, refuses a wrong one and a locked account', () => {
    const ok = pam(host, PAM_SERVICE, 'alice', ['authenticate', 'acct_mgmt'], [PEOPLE.alice.password]);
    expect(ok.ok, ok.text).to.equal(true);
    expect(pam(host, PAM_SERVICE, 'alice', ['authenticate'], ['Not-Her-Password-1']).ok).to.equal(false);
    expect(pam(host, PAM_SERVICE, 'carol', ['authenticate'], [PEOPLE.carol.password]).ok).to.equal(false);
  });

  it('warns at login that the password expires soon', () => {
    const r = pam(host, PAM_SERVICE, 'bob', ['authenticate', 'acct_mgmt'], [PEOPLE.bob.password]);
    expect(r.ok, r.text).to.equal(true);
    expect(r.text).to.match(/Password will expire in [23] days/);
  });

  it('an expired password with grace logins left logs in and says how many are left, as on OpenLDAP', () => {
    const r = pam(host, PAM_SERVICE, 'ivy', ['authenticate', 'acct_mgmt'], [PEOPLE.ivy.password]);
    expect(r.ok, r.text).to.equal(true);
    expect(r.text, r.text).to.match(/Password expired, [0-2] grace logins left/);
  });

  it('an expired password does not log in (pam_ldap cannot change it: an administrator resets it)', () => {
    expect(pam(host, PAM_SERVICE, 'dave', ['authenticate'], [PEOPLE.dave.password]).ok).to.equal(false);
  });

  it('a password reset by an administrator: login says it must be changed, and the change works', () => {
    expectChangeAtLogin(host, PAM_SERVICE, 'hank', 'Password must be changed', 'Harvest-Signal-4417');
  });

  it("a refused new password shows Cairn's reason", () => {
    const r = pam(host, PAM_SERVICE, 'frank', ['chauthtok'], [PEOPLE.frank.password, 'Short-1', 'Short-1'], asPerson('frank'));
    expect(r.ok).to.equal(false);
    expect(r.text).to.contain('password change failed: the new password must be at least 12 characters');
  });

  it('changes a password through PAM: the new one works, the old one not, shadowLastChange is today', () => {
    const r = pam(host, PAM_SERVICE, 'frank', ['chauthtok'], [PEOPLE.frank.password, 'Pebble-Canyon-7731', 'Pebble-Canyon-7731'], asPerson('frank'));
    expect(r.ok, r.text).to.equal(true);
    expect(pam(host, PAM_SERVICE, 'frank', ['authenticate'], ['Pebble-Canyon-7731']).ok).to.equal(true);
    expect(pam(host, PAM_SERVICE, 'frank', ['authenticate'], [PEOPLE.frank.password]).ok).to.equal(false);
    expect(getent('shadow', 'frank').stdout.split(':')[2]).to.equal(today());
  });
});
