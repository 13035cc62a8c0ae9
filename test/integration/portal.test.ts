/**
 * The self-service portal in a real browser (Debian's chromium): sign-in, home, password change with the
 * policy's own messages, MFA enrolment with codes computed here, the forced change after an administrator's
 * reset, a lockout shared with LDAP binds, and CSRF and cookie protections. Every page is screenshotted
 * into test-artifacts/portal/, and every kind of page (each template, each notice) is checked with axe-core.
 */
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { openBrowser, screenshot, seriousViolations, submitForm, textOf } from '../helpers/browser';
import { totpCode } from '../helpers/oathtool';
import { dataPaths } from '../../src/data-folder';
import { parseEntries } from '../helpers/ldap-output';
import { startSmtp, type TestSmtp } from '../helpers/smtp';
import { ADMIN_PASSWORD, BASE, bindAs, cairn, initData, ldapTool, removeData, startServer, type RunningServer } from '../helpers/server';

const ALICE = `uid=alice,ou=people,${BASE}`;
const BOB = `uid=bob,ou=people,${BASE}`;
const FIRST = 'Tulip-Harbour-42';
const SECOND = 'Quiet-Lantern-77';

describe('the self-service portal (a real browser)', function () {
  this.timeout(60000);
  let data: string;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let url: string;
  const checked: string[] = [];
  /** A real SMTP server, for the forgotten-password mail. */
  let smtp: TestSmtp;
  /** Bob's recovery codes, as the page showed them (when he turned MFA on, then his new set). */
  let bobCodes: string[] = [];

  const ldapBinds = (password: string) => ldapTool('ldapwhoami', bindAs(server.url, ALICE, password)).status === 0;

  /**
   * Opens a portal path; the first time a page is seen, keeps a screenshot and (unless it is a variant of a
   * page checked already: other field values, an empty list, a notice whose markup another page showed)
   * checks it with axe-core.
   */
  async function visit(path: string, shot: string, axe = true) {
    await page.goto(url + path.replace(/^\//, ''));
    await look(shot, axe);
  }
  async function look(shot: string, axe = true) {
    if (checked.includes(shot)) return;
    await screenshot(page, shot);
    if (axe) expect(await seriousViolations(page), `axe on ${shot}`).to.deep.equal([]);
    checked.push(shot);
  }
  async function signIn(username: string, password: string, code = '') {
    await page.goto(url + 'sign-in');
    await submitForm(page, { username, password, code });
  }
  /** The recovery codes a page shows. */
  const codesShown = () => page.evaluate("[...document.querySelectorAll('ul.recovery-codes code')].map((e) => e.textContent)") as Promise<string[]>;
  async function signOut() {
    await Promise.all([page.waitForNavigation(), page.click('header .sign-out button')]);
  }

  before(async () => {
    data = initData(undefined, { policy: 'default' });
    expect(
      cairn(['user', 'add', 'alice', '--given', 'Alice', '--sn', 'Liddell', '--mail', 'alice@example.com', '--password', FIRST], { data }).status,
    ).to.equal(0);
    expect(cairn(['group', 'add', 'wonderland'], { data }).status).to.equal(0);
    expect(cairn(['group', 'add-member', 'wonderland', 'alice'], { data }).status).to.equal(0);
    expect(cairn(['policy', 'set', 'pwdLockout=TRUE', 'pwdMaxFailure=3', 'pwdMinAge=0'], { data }).status).to.equal(0);
    expect(cairn(['user', 'add', 'bob', '--given', 'Bob', '--sn', 'Stone', '--password', 'Granite-Steps-63'], { data }).status).to.equal(0);
    expect(cairn(['group', 'add', 'must-mfa'], { data }).status).to.equal(0);
    expect(cairn(['group', 'add-member', 'must-mfa', 'bob'], { data }).status).to.equal(0);
    expect(cairn(['group', 'add', 'wifi'], { data }).status).to.equal(0);
    smtp = await startSmtp();
    server = await startServer(data, { CAIRN_PORTAL_LISTEN: '127.0.0.1:0', CAIRN_MFA_REQUIRED_GROUPS: `cn=must-mfa,ou=groups,${BASE}`, ...smtp.env });
    url = server.portalUrl!;
    expect(url).to.match(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    browser = await openBrowser();
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    await smtp?.close();
    removeData(data);
  });

  it('asks for a sign-in first, with the standard autocomplete tokens, reachable by keyboard', async () => {
    await page.goto(url);
    await look('sign-in', false);
    expect(new URL(page.url()).pathname).to.equal('/sign-in');
    const tokens = (await page.evaluate(
      "[...document.querySelectorAll('main input:not([type=hidden])')].map((e) => e.id + ':' + e.getAttribute('autocomplete'))",
    )) as string[];
    expect(tokens).to.deep.equal(['username:username', 'password:current-password', 'code:one-time-code']);
    // Tab from the top of the page: skip link, then the form's controls in order.
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      order.push((await page.evaluate("document.activeElement?.id || document.activeElement?.tagName.toLowerCase() || ''")) as string);
    }
    expect(order).to.deep.equal(['a', 'username', 'password', 'code', 'button']);
  });

  it('refuses a wrong password and an unknown person with the same words', async () => {
    await signIn('alice', 'not-her-password');
    const wrong = await textOf(page, '.notice.error');
    await look('sign-in-refused');
    await signIn('nobody-here', 'whatever');
    expect(await textOf(page, '.notice.error')).to.equal(wrong);
    expect(wrong).to.equal('The user name, password or code is wrong, or the account is locked.');
    // Those were failures the LDAP side counts too: reset them with a good bind before the lockout test.
    expect(ldapBinds(FIRST)).to.equal(true);
  });

  it('signs in by mail address too; home shows name, groups, password expiry, MFA off; the cookie is Secure, HttpOnly, SameSite=Strict', async () => {
    await signIn('alice@example.com', FIRST);
    expect(new URL(page.url()).pathname).to.equal('/');
    await look('home');
    const text = await textOf(page, 'main');
    expect(text).to.contain('Alice Liddell').and.to.contain('alice@example.com').and.to.contain('wonderland');
    expect(text).to.match(/Your password (expires on \d{4}-\d\d-\d\d|does not expire)/);
    expect(text).to.contain('Off.');
    const session = (await browser.cookies()).find((c) => c.name === 'cairn_session');
    expect(session, 'the session cookie').to.not.equal(undefined);
    expect({ secure: session!.secure, httpOnly: session!.httpOnly, sameSite: session!.sameSite }).to.deep.equal({
      secure: true,
      httpOnly: true,
      sameSite: 'Strict',
    });
  });

  it("changes the password under the policy: the rules are listed and checked live, a weak one is refused with LDAP's message", async () => {
    await visit('/password', 'password');
    const rules = (await page.evaluate("[...document.querySelectorAll('ul.rules li')].map((e) => e.textContent)")) as string[];
    expect(rules.join('\n')).to.match(/at least \d+ characters/);
    await page.type('#password', 'short');
    expect(await page.$$eval('ul.rules li.unmet', (els) => els.length)).to.be.greaterThan(0);
    await look('password-live-rules');
    await submitForm(page, { current: FIRST, password: 'short', confirm: 'short' });
    const refused = await textOf(page, '.notice.error');
    await look('password-refused', false);
    // The same refusal an LDAP client gets for the same password (ldappasswd, Password Modify).
    const ldap = ldapTool('ldappasswd', [...bindAs(server.url, ALICE, FIRST), '-a', FIRST, '-s', 'short']);
    expect(ldap.status).to.not.equal(0);
    const reason = /additional info: (.*)/i.exec(ldap.stderr + ldap.stdout)?.[1]?.trim() ?? '';
    expect(reason).to.not.equal('');
    expect(refused).to.equal(`Not changed: ${reason}.`);
    await submitForm(page, { current: FIRST, password: SECOND, confirm: SECOND });
    expect(await textOf(page, '.notice.ok')).to.contain('Your password is changed');
    await look('password-changed', false);
    expect(ldapBinds(SECOND), 'LDAP bind with the new password').to.equal(true);
    expect(ldapBinds(FIRST), 'LDAP bind with the old password').to.equal(false);
    // Still signed in here (a new session), and the old password is history.
    await page.goto(url);
    expect(new URL(page.url()).pathname).to.equal('/');
  });

  it('turns on MFA: QR code and secret, a wrong code refused, the right one from the app turns it on; then sign-in and LDAP need the code', async () => {
    await visit('/mfa', 'mfa-off');
    await Promise.all([page.waitForNavigation(), page.click('main form[action="/mfa/start"] button')]);
    await look('mfa-enrol');
    expect(await page.$('figure.qr svg')).to.not.equal(null);
    const secret = (await textOf(page, 'code.secret')).replace(/\s+/g, '');
    expect(secret).to.match(/^[A-Z2-7]{16,}$/);
    await submitForm(page, { code: totpCode(secret) === '000000' ? '111111' : '000000' });
    expect(await textOf(page, '.notice.error')).to.contain('Not turned on');
    await submitForm(page, { code: totpCode(secret) });
    expect(await textOf(page, '.notice.ok')).to.equal('Two-step sign-in is on.');
    await look('mfa-on');
    await signOut();
    expect(new URL(page.url()).pathname).to.equal('/sign-in');

    await signIn('alice', SECOND);
    expect(new URL(page.url()).pathname, 'the password alone').to.equal('/sign-in');
    await signIn('alice', SECOND, totpCode(secret, 30));
    expect(new URL(page.url()).pathname, 'password and code').to.equal('/');
    expect(ldapBinds(SECOND), 'LDAP: the password alone').to.equal(false);
    expect(cairn(['mfa', 'reset', 'alice'], { data }).status).to.equal(0);
    expect(ldapBinds(SECOND), 'LDAP after an administrator reset MFA').to.equal(true);
  });

  it("an administrator's reset: the next sign-in goes straight to the password page, and nothing else opens until it is changed", async () => {
    await signOut();
    expect(cairn(['user', 'passwd', 'alice', '--password', 'Temporary-Pass-31', '--reset'], { data }).status).to.equal(0);
    await signIn('alice', 'Temporary-Pass-31');
    expect(new URL(page.url()).pathname).to.equal('/password');
    expect(await textOf(page, 'main')).to.contain('You must choose a new password before you go on');
    await look('password-forced');
    for (const path of ['/', '/mfa']) {
      await page.goto(url + path.slice(1));
      expect(new URL(page.url()).pathname, path).to.equal('/password');
    }
    await submitForm(page, { current: 'Temporary-Pass-31', password: FIRST + 'x', confirm: FIRST + 'x' });
    expect(await textOf(page, '.notice.ok')).to.contain('Your password is changed');
    await page.goto(url);
    expect(new URL(page.url()).pathname).to.equal('/');
    expect(ldapBinds(FIRST + 'x')).to.equal(true);
  });

  it('shares one failure counter with LDAP binds: three wrong portal sign-ins lock the LDAP bind too', async () => {
    await signOut();
    for (let i = 0; i < 3; i++) await signIn('alice', `wrong-${i}`);
    expect(ldapBinds(FIRST + 'x'), 'LDAP bind of a locked account').to.equal(false);
    await signIn('alice', FIRST + 'x');
    expect(new URL(page.url()).pathname, 'portal sign-in of a locked account').to.equal('/sign-in');
  });

  it('an administrator finds the locked person, sees why, unlocks and resets the password from the web (shown once, changed at the next sign-in)', async () => {
    await signIn('admin', ADMIN_PASSWORD);
    expect(new URL(page.url()).pathname).to.equal('/');
    await visit('/admin?q=alic', 'admin-find');
    await Promise.all([page.waitForNavigation(), page.click('main ul.people a')]);
    await look('admin-person');
    expect(await textOf(page, 'main dl')).to.contain('locked after too many failed sign-ins');
    await Promise.all([page.waitForNavigation(), page.click('main form[action="/admin/person/unlock"] button')]);
    expect(await textOf(page, '.notice.ok')).to.equal('Unlocked.');
    expect(ldapBinds(FIRST + 'x'), 'LDAP after the unlock').to.equal(true);
    await Promise.all([page.waitForNavigation(), page.click('main form[action="/admin/person/reset"] button')]);
    const notice = await textOf(page, '.notice.ok');
    await look('admin-reset', false);
    const generated = /New password, shown once: (\S+)\. They must change it/.exec(notice)?.[1] ?? '';
    expect(generated).to.have.length.greaterThan(11);
    expect(ldapBinds(FIRST + 'x'), 'the old password after the reset').to.equal(false);
    await signOut();
    await signIn('alice', generated);
    expect(new URL(page.url()).pathname).to.equal('/password');
    await submitForm(page, { current: generated, password: SECOND + 'y', confirm: SECOND + 'y' });
    expect(await textOf(page, '.notice.ok')).to.contain('Your password is changed');
    // A person who is not an administrator gets no further than a refusal.
    const r = await page.goto(url + 'admin?q=a');
    expect(r!.status()).to.equal(403);
    expect(await textOf(page, '.notice.error')).to.contain('Only administrators');
  });

  it('forgot password: the same answer for anyone, a mail with a single-use link to a real SMTP server, a new password under the policy, the lockout lifted', async () => {
    await signOut();
    for (let i = 0; i < 3; i++) await signIn('alice', `wrong-again-${i}`);
    expect(ldapBinds(SECOND + 'y'), 'locked before the reset').to.equal(false);
    await page.goto(url + 'sign-in');
    await Promise.all([page.waitForNavigation(), page.click('main a[href="/forgot"]')]);
    await look('forgot');
    await submitForm(page, { username: 'nobody-here' });
    const unknown = await textOf(page, '.notice.ok');
    await page.goto(url + 'forgot');
    await submitForm(page, { username: 'alice@example.com' });
    expect(await textOf(page, '.notice.ok')).to.equal(unknown);
    await look('forgot-sent', false);
    for (let i = 0; i < 50 && smtp.received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(smtp.received.map((m) => m.to)).to.deep.equal([['alice@example.com']]);
    const body = smtp.received[0].raw.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
    const link = new RegExp(`${url.replace(/[.]/g, '\\.')}reset\\?token=[A-Za-z0-9_-]+`).exec(body)?.[0];
    expect(link, body).to.be.a('string');
    await page.goto(link!);
    await look('reset');
    await submitForm(page, { password: 'short', confirm: 'short' });
    expect(await textOf(page, '.notice.error')).to.match(/^Not changed: the new password must be at least \d+ characters\.$/);
    await submitForm(page, { password: 'Bright-Meadow-58', confirm: 'Bright-Meadow-58' });
    expect(await textOf(page, '.notice.ok')).to.equal('Your new password is set.');
    expect(ldapBinds('Bright-Meadow-58'), 'the new password, the lock lifted').to.equal(true);
    await page.goto(link!);
    expect(await textOf(page, '.notice.error')).to.equal('This link has expired or was used already.');
  });

  it('a member of a group that must use MFA, without a secret yet: signed in only to turn it on, then everything opens, and LDAP takes password+code', async () => {
    const ldap = ldapTool('ldapwhoami', bindAs(server.url, BOB, 'Granite-Steps-63'));
    expect(ldap.status, 'LDAP before enrolment').to.not.equal(0);
    expect(ldap.stderr + ldap.stdout).to.contain('turn it on in the self-service portal');
    await signIn('bob', 'Granite-Steps-63');
    expect(new URL(page.url()).pathname).to.equal('/mfa');
    await look('mfa-required');
    for (const path of ['/', '/password']) {
      await page.goto(url + path.slice(1));
      expect(new URL(page.url()).pathname, path).to.equal('/mfa');
    }
    await Promise.all([page.waitForNavigation(), page.click('main form[action="/mfa/start"] button')]);
    const secret = (await textOf(page, 'code.secret')).replace(/\s+/g, '');
    await submitForm(page, { code: totpCode(secret) });
    expect(await textOf(page, '.notice.ok')).to.equal('Two-step sign-in is on.');
    bobCodes = await codesShown();
    await page.goto(url);
    expect(new URL(page.url()).pathname, 'home, once enrolled').to.equal('/');
    expect(ldapTool('ldapwhoami', bindAs(server.url, BOB, `Granite-Steps-63${totpCode(secret, 30)}`)).status, 'LDAP with password+code').to.equal(0);
  });

  it("recovery codes: ten shown once when MFA is turned on, each signs in once in place of the app's code, a new set replaces the old", async () => {
    expect(bobCodes).to.have.length(10);
    expect(new Set(bobCodes).size).to.equal(10);
    await signOut();
    await signIn('bob', 'Granite-Steps-63', bobCodes[0]);
    expect(new URL(page.url()).pathname, 'password and a recovery code').to.equal('/');
    await visit('/mfa', 'mfa-enrolled');
    expect(await textOf(page, 'main')).to.contain('You have 9 unused recovery codes');
    await signOut();
    await signIn('bob', 'Granite-Steps-63', bobCodes[0]);
    expect(new URL(page.url()).pathname, 'a code used already').to.equal('/sign-in');
    // Not on LDAP: there the code follows the password, and a recovery code is just a wrong password.
    expect(ldapTool('ldapwhoami', bindAs(server.url, BOB, `Granite-Steps-63${bobCodes[1]}`)).status).to.not.equal(0);
    await signIn('bob', 'Granite-Steps-63', bobCodes[1].toUpperCase());
    expect(new URL(page.url()).pathname, 'in capitals too').to.equal('/');
    await page.goto(url + 'mfa');
    await Promise.all([page.waitForNavigation(), page.click('main form[action="/mfa/recovery-codes"] button')]);
    await look('mfa-new-codes', false);
    const fresh = await codesShown();
    expect(fresh).to.have.length(10);
    expect(fresh.filter((c) => bobCodes.includes(c))).to.deep.equal([]);
    await signOut();
    await signIn('bob', 'Granite-Steps-63', bobCodes[2]);
    expect(new URL(page.url()).pathname, 'a code of the old set').to.equal('/sign-in');
    await signIn('bob', 'Granite-Steps-63', fresh[0]);
    expect(new URL(page.url()).pathname).to.equal('/');
    bobCodes = fresh;
  });

  it("SSH keys: added under a label with ssh-keygen's fingerprint, refused when weak, broken or there already, removed; LDAP shows what sshd gets", async () => {
    const keys = mkdtempSync(join(tmpdir(), 'cairn-keys-'));
    const keygen = (name: string, ...args: string[]) => {
      const r = spawnSync('ssh-keygen', ['-q', '-N', '', '-f', join(keys, name), ...args], { encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(0);
      return readFileSync(join(keys, `${name}.pub`), 'utf8');
    };
    const ed = keygen('ed', '-t', 'ed25519', '-C', 'bob@old-laptop');
    const ec = keygen('ec', '-t', 'ecdsa', '-b', '256');
    const weak = keygen('weak', '-t', 'rsa', '-b', '1024');
    // As `ssh-keygen -l` shows them: "256 SHA256:… comment (ED25519)".
    const fingerprints: Record<string, string> = {};
    for (const name of ['ed', 'ec'])
      fingerprints[name] = spawnSync('ssh-keygen', ['-lf', join(keys, `${name}.pub`)], { encoding: 'utf8' }).stdout.split(' ')[1];
    const fingerprint = (name: string) => fingerprints[name];
    const sshKeysOnLdap = () =>
      parseEntries(
        ldapTool('ldapsearch', [...bindAs(server.url, `uid=admin,ou=people,${BASE}`, ADMIN_PASSWORD), '-LLL', '-b', BOB, '-s', 'base', 'sshPublicKey']).stdout,
      )[0]?.attrs.sshpublickey ?? [];
    rmSync(keys, { recursive: true, force: true });
    const add = (key: string, label = '') => submitForm(page, { key, label }, 'form[action="/ssh-keys/add"] button[type=submit]');

    await visit('/ssh-keys', 'ssh-keys-none', false);
    await add(ed, 'Work laptop');
    expect(await textOf(page, '.notice.ok')).to.equal(`Key added: ${fingerprint('ed')}.`);
    await add(ec);
    await look('ssh-keys');
    const rows = (await page.evaluate(
      "[...document.querySelectorAll('table.keys tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim()))",
    )) as string[][];
    expect(rows.map((r) => r.slice(0, 3))).to.deep.equal([
      ['Work laptop', 'ssh-ed25519 (256 bits)', fingerprint('ed')],
      [ec.trim().split(' ')[2], 'ecdsa-sha2-nistp256 (256 bits)', fingerprint('ec')],
    ]);
    await add(ec, 'Home\tdesk');
    expect(await textOf(page, '.notice.error')).to.equal('Not added: sshPublicKey: the label may not hold tabs, line breaks or other control characters.');
    await add(ed, 'again');
    expect(await textOf(page, '.notice.error')).to.equal('Not added: sshPublicKey: this key is there already (Work laptop).');
    await add(weak);
    expect(await textOf(page, '.notice.error')).to.match(/^Not added: sshPublicKey: RSA keys must have at least 2048 bits; this one has 1024/);
    await look('ssh-keys-refused', false);
    await add('-----BEGIN OPENSSH PRIVATE KEY-----');
    expect(await textOf(page, '.notice.error')).to.contain('paste the public key');
    expect(sshKeysOnLdap()).to.deep.equal([`${ed.trim().split(' ').slice(0, 2).join(' ')} Work laptop`, ec.trim()]);
    await Promise.all([page.waitForNavigation(), page.click('main table.keys tbody tr:first-child button')]);
    expect(await textOf(page, '.notice.ok')).to.equal('Key removed: Work laptop.');
    expect(sshKeysOnLdap()).to.deep.equal([ec.trim()]);
    // Every control of the page (the table's buttons, the form) is reached with Tab, in order.
    await page.goto(url + 'ssh-keys');
    const controls = (await page.evaluate(
      "[...document.querySelectorAll('main button, main input:not([type=hidden]), main textarea, main select, main a')].map((e) => e.outerHTML)",
    )) as string[];
    const reached: string[] = [];
    for (let i = 0; i < 30 && reached.length < controls.length; i++) {
      await page.keyboard.press('Tab');
      const html = (await page.evaluate("document.activeElement?.closest('main') ? document.activeElement.outerHTML : ''")) as string;
      if (html) reached.push(html);
    }
    expect(reached).to.deep.equal(controls);
    await page.goto(url);
    expect(await textOf(page, 'main table.keys')).to.contain(fingerprint('ec'));
  });

  it("profile: the fields access.selfWritable allows, a login shell from access.allowedShells; another shell is refused with LDAP's reason", async () => {
    // A value with spaces an administrator set is shown and sent back as it is: saving unchanged changes nothing.
    const spaced = ldapTool(
      'ldapmodify',
      bindAs(server.url, `uid=admin,ou=people,${BASE}`, ADMIN_PASSWORD),
      `dn: ${BOB}\nchangetype: modify\nreplace: displayName\ndisplayName: Bob  Stone \n`,
    );
    expect(spaced.status, spaced.stderr).to.equal(0);
    await visit('/profile', 'profile');
    await submitForm(page, {});
    expect(await textOf(page, '.notice.ok')).to.equal('Nothing to change.');
    const fields = (await page.evaluate("[...document.querySelectorAll('main form input:not([type=hidden]), main form select')].map((e) => e.id)")) as string[];
    expect(fields).to.deep.equal(['givenName', 'sn', 'cn', 'displayName', 'mail', 'telephoneNumber', 'mobile', 'loginShell']);
    await page.select('#loginShell', '/bin/zsh');
    await submitForm(page, { displayName: 'Bobby Stone', mobile: '+44 7700 900123' });
    expect(await textOf(page, '.notice.ok')).to.equal('Saved: Name shown to others, Mobile, Login shell.');
    const bob = parseEntries(
      ldapTool('ldapsearch', [
        ...bindAs(server.url, `uid=admin,ou=people,${BASE}`, ADMIN_PASSWORD),
        '-LLL',
        '-b',
        BOB,
        '-s',
        'base',
        'displayName',
        'mobile',
        'loginShell',
      ]).stdout,
    )[0].attrs;
    expect([bob.displayname, bob.mobile, bob.loginshell]).to.deep.equal([['Bobby Stone'], ['+44 7700 900123'], ['/bin/zsh']]);
    await page.evaluate("document.querySelector('#loginShell').add(new Option('/tmp/evil', '/tmp/evil', true, true))");
    await submitForm(page, {});
    expect(await textOf(page, '.notice.error')).to.match(/^Not saved: loginShell: \/tmp\/evil is not an allowed shell/);
    await look('profile-refused', false);
  });

  it('Wi-Fi: a device credential made here (only in a Wi-Fi group), shown once, binds without an MFA code, and is revoked here', async () => {
    await visit('/wifi', 'wifi-none', false);
    const make = (device: string) => submitForm(page, { device }, 'form[action="/wifi/add"] button[type=submit]');
    await make('phone');
    expect(await textOf(page, '.notice.error')).to.equal('Not made: bob is in none of the Wi-Fi groups (wifi.groups: wifi).');
    expect(cairn(['group', 'add-member', 'wifi', 'bob'], { data }).status).to.equal(0);
    await make('phone');
    await look('wifi-made', false);
    const shown = (await page.evaluate("[...document.querySelectorAll('section.notice dd code')].map((e) => e.textContent)")) as string[];
    expect(shown[0]).to.equal('bob.phone');
    expect(shown[1]).to.match(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    const DEVICE = `uid=bob.phone,ou=devices,${BASE}`;
    // Bob must use MFA everywhere else; his phone's credential needs no code.
    expect(ldapTool('ldapwhoami', bindAs(server.url, DEVICE, shown[1])).status, 'the device binds').to.equal(0);
    // It is not a person: it opens no portal (nor, not being a posixAccount, any login).
    const other = await browser.createBrowserContext();
    const stranger = await other.newPage();
    await stranger.goto(url + 'sign-in');
    await submitForm(stranger, { username: 'bob.phone', password: shown[1], code: '' });
    expect(new URL(stranger.url()).pathname, 'the portal refuses a device credential').to.equal('/sign-in');
    await other.close();
    await page.goto(url + 'wifi');
    await look('wifi');
    expect(await textOf(page, 'main table.keys')).to.contain('bob.phone');
    await Promise.all([page.waitForNavigation(), page.click('main table.keys tbody tr:first-child button')]);
    expect(await textOf(page, '.notice.ok')).to.equal('Revoked bob.phone: it can no longer join the Wi-Fi.');
    expect(ldapTool('ldapwhoami', bindAs(server.url, DEVICE, shown[1])).status, 'revoked').to.not.equal(0);
  });

  it('app passwords: made here with a scope, bind over LDAP with no code, never open the portal, revoked here', async () => {
    await visit('/app-passwords', 'app-passwords-none', false);
    const make = (fields: Record<string, string>) => submitForm(page, fields, 'form[action="/app-passwords/add"] button[type=submit]');
    await make({ name: 'nas', from: '', service: '' });
    expect(await textOf(page, '.notice.error')).to.contain('Not made: an app password needs a scope');
    await make({ name: 'nas', from: '127.0.0.1', service: '' });
    await look('app-password-made', false);
    const nas = await textOf(page, 'section.notice code.secret');
    expect(nas).to.match(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect(ldapTool('ldapwhoami', bindAs(server.url, BOB, nas)).status, 'LDAP with no code').to.equal(0);
    await page.goto(url + 'app-passwords');
    await look('app-passwords');
    expect(await textOf(page, 'main table.keys')).to.contain('from 127.0.0.1');
    await signOut();
    await signIn('bob', nas);
    expect(new URL(page.url()).pathname, 'the portal refuses an app password').to.equal('/sign-in');
    await signIn('bob', 'Granite-Steps-63', bobCodes[5]);
    expect(new URL(page.url()).pathname).to.equal('/');
    await page.goto(url + 'app-passwords');
    await Promise.all([page.waitForNavigation(), page.click('main table.keys tbody tr:first-child button')]);
    expect(await textOf(page, '.notice.ok')).to.equal('Revoked nas.');
    expect(ldapTool('ldapwhoami', bindAs(server.url, BOB, nas)).status, 'revoked').to.not.equal(0);
  });

  it('an administrator adds a person (a generated first password, changed at first sign-in) and changes their groups', async () => {
    await signOut();
    await signIn('admin', ADMIN_PASSWORD);
    await page.goto(url + 'admin');
    const addPerson = (fields: Record<string, string>) => submitForm(page, fields, 'form[action="/admin/add"] button[type=submit]');
    await addPerson({ uid: 'carol smith', given: 'Carol', sn: 'Reed', mail: 'carol@example.com' });
    expect(await textOf(page, '.notice.error')).to.match(/^Not added: User name "carol smith" may hold only letters/);
    await look('admin-add-refused', false);
    await addPerson({ uid: 'carol', given: 'Carol', sn: 'Reed', mail: 'carol@example.com' });
    const notice = await textOf(page, '.notice.ok');
    await look('admin-added', false);
    const first = /First password, shown once: (\S+)\. They must change it/.exec(notice)?.[1] ?? '';
    expect(first, notice).to.have.length.greaterThan(11);
    const CAROL = `uid=carol,ou=people,${BASE}`;
    await page.select('#group', `cn=wonderland,ou=groups,${BASE}`);
    await Promise.all([page.waitForNavigation(), page.click('main form[action="/admin/person/join"] button')]);
    expect(await textOf(page, '.notice.ok')).to.equal('Added to wonderland.');
    const members = () =>
      parseEntries(
        ldapTool('ldapsearch', [
          ...bindAs(server.url, `uid=admin,ou=people,${BASE}`, ADMIN_PASSWORD),
          '-LLL',
          '-b',
          `cn=wonderland,ou=groups,${BASE}`,
          '-s',
          'base',
          'member',
          'memberUid',
        ]).stdout,
      )[0].attrs;
    expect(members().memberuid).to.include('carol');
    expect(members().member.map((m) => m.toLowerCase())).to.include(CAROL.toLowerCase());
    await Promise.all([page.waitForNavigation(), page.click('main ul.groups form[action="/admin/person/leave"] button')]);
    expect(await textOf(page, '.notice.ok')).to.equal('Removed from wonderland.');
    expect(members().memberuid ?? []).to.not.include('carol');
    await signOut();
    await signIn('carol', first);
    expect(new URL(page.url()).pathname, 'the first password must be changed').to.equal('/password');
  });

  it('refuses a form without its CSRF token, and a session cookie that is not one', async () => {
    const post = await page.evaluate(async () => {
      const r = await fetch('/sign-in', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'username=alice&password=x',
      });
      return { status: r.status, text: await r.text() };
    });
    expect(post.status).to.equal(403);
    expect(post.text).to.contain('This form has expired or did not come from this portal');
    await browser.setCookie({ name: 'cairn_session', value: 'forged-token', domain: '127.0.0.1', path: '/', secure: true, httpOnly: true, sameSite: 'Strict' });
    await page.goto(url);
    expect(new URL(page.url()).pathname).to.equal('/sign-in');
  });

  it('ends a session after portal.sessionIdleMinutes (15) without a request, and after portal.sessionMaxHours (8) whatever happens', async () => {
    // Time moves in the store, as the clock would have moved it: the session's last request, or its start, is put back.
    const age = (column: 'seen_at' | 'created_at', ms: number) => {
      const db = new Database(dataPaths(data).database);
      try {
        db.pragma('busy_timeout = 5000');
        db.prepare(`UPDATE web_sessions SET ${column} = ${column} - ?`).run(ms);
      } finally {
        db.close();
      }
    };
    await page.deleteCookie({ name: 'cairn_session', domain: '127.0.0.1' });
    await signIn('alice', 'Bright-Meadow-58');
    expect(new URL(page.url()).pathname).to.equal('/');
    age('seen_at', 14 * 60_000);
    await page.goto(url);
    expect(new URL(page.url()).pathname, 'idle for 14 minutes').to.equal('/');
    age('seen_at', 15 * 60_000);
    await page.goto(url);
    expect(new URL(page.url()).pathname, 'idle for 15 minutes').to.equal('/sign-in');
    await signIn('alice', 'Bright-Meadow-58');
    age('created_at', 8 * 3_600_000);
    await page.goto(url);
    expect(new URL(page.url()).pathname, 'busy, but 8 hours old').to.equal('/sign-in');
  });

  it('serves every page with a strict Content-Security-Policy and no caching', async () => {
    const r = await page.goto(url + 'sign-in');
    const headers = r!.headers();
    expect(headers['content-security-policy']).to.contain("default-src 'self'").and.to.contain("script-src 'self'").and.to.contain("frame-ancestors 'none'");
    expect(headers['cache-control']).to.equal('no-store');
    expect(checked.length).to.be.greaterThan(10);
  });
});
