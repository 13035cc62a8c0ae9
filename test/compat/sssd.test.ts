import { expect } from 'chai';
import { CompatDirectory, PEOPLE, totpAt } from './lib/directory';
import type { PrivateHost } from './lib/host';
import { asPerson, expectChangeAtLogin, pam } from './lib/pam';
import { PAM_SERVICE, startSssd } from './lib/sssd';
import { openBrowser, submitForm, textOf } from '../helpers/browser';
import { totpCode } from '../helpers/oathtool';

describe('sssd (id, auth, chpass and access providers ldap, StartTLS, a service bind account)', function () {
  this.timeout(180000);
  let directory: CompatDirectory;

  before(async () => {
    directory = await CompatDirectory.start();
  });
  after(async () => {
    await directory?.stop();
  });

  for (const schema of ['rfc2307', 'rfc2307bis'] as const) {
    describe(`accounts and groups, ldap_schema = ${schema}`, () => {
      let host: PrivateHost;
      before(async () => {
        host = await startSssd(directory, schema);
      });
      after(async () => {
        await host?.stop();
      });

      it('getent passwd finds a person by name and by uid number', () => {
        expect(host.run('getent', ['passwd', 'alice']).stdout.trim()).to.equal('alice:*:10001:10001:Alice Example:/home/alice:/bin/sh');
        expect(host.run('getent', ['passwd', '10002']).stdout.trim()).to.equal('bob:*:10002:10001:Bob Example:/home/bob:/bin/sh');
      });

      it('getent passwd finds nobody for an unknown name, and no service accounts', () => {
        expect(host.run('getent', ['passwd', 'nobody-here']).status).to.equal(2);
        expect(host.run('getent', ['passwd', 'radius']).status).to.equal(2);
      });

      it('getent group lists the group by name and by number, with its members', () => {
        const byName = host.run('getent', ['group', 'devs']).stdout.trim();
        expect(byName).to.match(/^devs:\*:20001:/);
        expect(byName.split(':')[3].split(',').sort()).to.deep.equal(['alice', 'bob']);
        expect(host.run('getent', ['group', '20002']).stdout.trim()).to.match(/^wifi:\*:20002:/);
      });

      if (schema === 'rfc2307') {
        it('a memberUid-only group (as Debian stock slapd stores it) lists its members', () => {
          const ops = host.run('getent', ['group', 'ops']).stdout.trim();
          expect(ops).to.match(/^ops:\*:20003:/);
          expect(ops.split(':')[3].split(',').sort()).to.deep.equal(['frank', 'gwen']);
        });
      }

      it('id lists the primary group and every group the person is in', () => {
        const out = host.run('id', ['alice']).stdout.trim();
        expect(out).to.match(/^uid=10001\(alice\) gid=10001\(users\) groups=/);
        const groups = out
          .replace(/.*groups=/, '')
          .split(',')
          .sort();
        expect(groups).to.deep.equal(['10001(users)', '20001(devs)', '20002(wifi)']);
      });
    });
  }

  describe('login, password changes and SSH keys (rfc2307bis)', () => {
    let host: PrivateHost;
    before(async () => {
      host = await startSssd(directory, 'rfc2307bis');
    });
    after(async () => {
      await host?.stop();
    });

    it('logs in with the right password and refuses a wrong one', () => {
      const ok = pam(host, PAM_SERVICE, 'alice', ['authenticate', 'acct_mgmt'], [PEOPLE.alice.password]);
      expect(ok.ok, ok.text).to.equal(true);
      const wrong = pam(host, PAM_SERVICE, 'alice', ['authenticate'], ['Not-Her-Password-1']);
      expect(wrong.ok).to.equal(false);
      expect(wrong.text).to.contain('Authentication failure');
    });

    it('warns at login that the password expires soon', () => {
      const r = pam(host, PAM_SERVICE, 'bob', ['authenticate', 'acct_mgmt'], [PEOPLE.bob.password]);
      expect(r.ok, r.text).to.equal(true);
      expect(r.text).to.contain('Your password will expire in 2 day(s).');
    });

    it('refuses a locked account, even with the right password', () => {
      const r = pam(host, PAM_SERVICE, 'carol', ['authenticate'], [PEOPLE.carol.password]);
      expect(r.ok).to.equal(false);
      expect(r.text).to.contain('Authentication failure');
    });

    it('an expired password: login says to change it, and the change works on the same password', () => {
      expectChangeAtLogin(host, PAM_SERVICE, 'dave', 'Password expired. Change your password now.', 'Nimbus-Orchard-2290');
    });

    it('a password reset by an administrator: login says to change it, and the change works', () => {
      expectChangeAtLogin(host, PAM_SERVICE, 'hank', 'Password expired. Change your password now.', 'Harvest-Signal-4417');
    });

    it("shows Cairn's reason when a new password is refused", () => {
      const short = pam(host, PAM_SERVICE, 'frank', ['chauthtok'], [PEOPLE.frank.password, 'Short-1', 'Short-1'], asPerson('frank'));
      expect(short.ok).to.equal(false);
      expect(short.text).to.contain('Password change failed. Server message: the new password must be at least 12 characters');
      const common = pam(host, PAM_SERVICE, 'frank', ['chauthtok'], [PEOPLE.frank.password, 'frankfrankfrank', 'frankfrankfrank'], asPerson('frank'));
      expect(common.ok).to.equal(false);
      expect(common.text).to.match(/Server message: the new password .*/);
    });

    it('refuses a password change with a wrong current password', () => {
      const r = pam(host, PAM_SERVICE, 'frank', ['chauthtok'], ['Not-His-Password-1', 'Pebble-Canyon-7731', 'Pebble-Canyon-7731'], asPerson('frank'));
      expect(r.ok).to.equal(false);
    });

    it('changes a password; the old one stops working', () => {
      const r = pam(host, PAM_SERVICE, 'frank', ['chauthtok'], [PEOPLE.frank.password, 'Pebble-Canyon-7731', 'Pebble-Canyon-7731'], asPerson('frank'));
      expect(r.ok, r.text).to.equal(true);
      expect(pam(host, PAM_SERVICE, 'frank', ['authenticate'], ['Pebble-Canyon-7731']).ok).to.equal(true);
      expect(pam(host, PAM_SERVICE, 'frank', ['authenticate'], [PEOPLE.frank.password]).ok).to.equal(false);
    });

    it('logs in with the password followed by the TOTP code; refuses a wrong code or none', async () => {
      const ok = pam(host, PAM_SERVICE, 'erin', ['authenticate', 'acct_mgmt'], [PEOPLE.erin.password + (await directory.freshTotp('erin'))]);
      expect(ok.ok, ok.text).to.equal(true);
      const wrong = totpAt('erin', Math.floor(Date.now() / 30000) + 20);
      expect(pam(host, PAM_SERVICE, 'erin', ['authenticate'], [PEOPLE.erin.password + wrong]).ok).to.equal(false);
      expect(pam(host, PAM_SERVICE, 'erin', ['authenticate'], [PEOPLE.erin.password]).ok).to.equal(false);
    });

    it('changes the password of an MFA account, with password+code as the current password', async () => {
      const current = PEOPLE.gwen.password + (await directory.freshTotp('gwen'));
      const r = pam(host, PAM_SERVICE, 'gwen', ['chauthtok'], [current, 'Marble-Cascade-8841', 'Marble-Cascade-8841'], asPerson('gwen'));
      expect(r.ok, r.text).to.equal(true);
      const login = pam(host, PAM_SERVICE, 'gwen', ['authenticate'], ['Marble-Cascade-8841' + (await directory.freshTotp('gwen'))]);
      expect(login.ok, login.text).to.equal(true);
    });

    it('a person added with cairn user add changes the password and turns on MFA in the portal (a real browser), then logs in with password+code', async () => {
      directory.cairn(['user', 'add', 'ines', '--given', 'Ines', '--sn', 'Portal', '--password', 'Ferry-Lantern-2718']);
      let secret: string;
      const browser = await openBrowser();
      try {
        const page = await browser.newPage();
        const url = directory.server.portalUrl!;
        await page.goto(url + 'sign-in');
        await submitForm(page, { username: 'ines', password: 'Ferry-Lantern-2718', code: '' });
        expect(new URL(page.url()).pathname).to.equal('/');
        await page.goto(url + 'password');
        await submitForm(page, { current: 'Ferry-Lantern-2718', password: 'Harbour-Signal-5521', confirm: 'Harbour-Signal-5521' });
        expect(await textOf(page, '.notice.ok')).to.contain('Your password is changed');
        await page.goto(url + 'mfa');
        await Promise.all([page.waitForNavigation(), page.click('main form[action="/mfa/start"] button')]);
        secret = (await textOf(page, 'code.secret')).replace(/\s+/g, '');
        // The phone's code, from oathtool as an authenticator app computes it.
        await submitForm(page, { code: totpCode(secret) });
        expect(await textOf(page, '.notice.ok')).to.equal('Two-step sign-in is on.');
        await page.goto(url + 'ssh-keys');
        await submitForm(page, { key: directory.sshPublicKey, label: 'Compat laptop' }, 'form[action="/ssh-keys/add"] button[type=submit]');
        expect(await textOf(page, '.notice.ok')).to.match(/^Key added: SHA256:/);
      } finally {
        await browser.close();
      }
      expect(pam(host, PAM_SERVICE, 'ines', ['authenticate'], ['Harbour-Signal-5521']).ok, 'the password alone').to.equal(false);
      const login = pam(host, PAM_SERVICE, 'ines', ['authenticate', 'acct_mgmt'], ['Harbour-Signal-5521' + totpCode(secret, 30)]);
      expect(login.ok, login.text + directory.log()).to.equal(true);
      // What sshd's AuthorizedKeysCommand gets for her: the key added on the portal, under its label.
      const keys = host.run('sss_ssh_authorizedkeys', ['ines']);
      expect(keys.stdout.trim(), keys.stderr).to.equal(`${directory.sshPublicKey.split(' ').slice(0, 2).join(' ')} Compat laptop`);
    });

    it('sss_ssh_authorizedkeys prints the SSH keys stored in Cairn', () => {
      const r = host.run('sss_ssh_authorizedkeys', ['alice']);
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout.trim()).to.equal(directory.sshPublicKey);
      expect(host.run('sss_ssh_authorizedkeys', ['bob']).stdout.trim()).to.equal('');
    });
  });
});
