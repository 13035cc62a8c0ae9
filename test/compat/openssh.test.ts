import { expect } from 'chai';
import { CompatDirectory, PEOPLE } from './lib/directory';
import type { PrivateHost } from './lib/host';
import { installKeysScript, sshWithKey, sshWithPassword, startSshd, type SshServer } from './lib/openssh';
import { startSssd } from './lib/sssd';

describe('OpenSSH (sshd with sssd for the accounts)', function () {
  this.timeout(120000);
  let directory: CompatDirectory;
  let host: PrivateHost;
  let withSssKeys: SshServer;
  let withScriptKeys: SshServer;

  before(async () => {
    directory = await CompatDirectory.start();
    host = await startSssd(directory, 'rfc2307bis');
    withSssKeys = await startSshd(host, 'sshd-sss', '/usr/bin/sss_ssh_authorizedkeys');
    withScriptKeys = await startSshd(host, 'sshd-script', installKeysScript(host, directory));
  });
  after(async () => {
    await host?.stop();
    await directory?.stop();
  });

  const why = (name: string) => `${host.output(name).slice(-2000)}\n${directory.log()}`;

  it('key login with AuthorizedKeysCommand sss_ssh_authorizedkeys', () => {
    expect(sshWithKey(withSssKeys, 'alice', directory.sshPrivateKey), why('sshd-sss')).to.equal('alice');
    expect(sshWithKey(withSssKeys, 'bob', directory.sshPrivateKey), 'bob has no key in Cairn').to.equal(undefined);
  });

  it('a locked account cannot log in with its key (sssd access_provider ldap, ppolicy)', () => {
    expect(sshWithKey(withSssKeys, 'carol', directory.sshPrivateKey)).to.equal(undefined);
  });

  it('key login with AuthorizedKeysCommand running an ldapsearch script', () => {
    expect(sshWithKey(withScriptKeys, 'alice', directory.sshPrivateKey), why('sshd-script')).to.equal('alice');
    expect(sshWithKey(withScriptKeys, 'bob', directory.sshPrivateKey)).to.equal(undefined);
    expect(sshWithKey(withScriptKeys, 'carol', directory.sshPrivateKey)).to.equal(undefined);
  });

  it('password login through PAM (pam_sss); a wrong password is refused', () => {
    expect(sshWithPassword(withSssKeys, 'alice', PEOPLE.alice.password), why('sshd-sss')).to.equal('alice');
    expect(sshWithPassword(withSssKeys, 'alice', 'Not-Her-Password-1')).to.equal(undefined);
  });

  it('password login with the password followed by the TOTP code', async () => {
    expect(sshWithPassword(withSssKeys, 'erin', PEOPLE.erin.password + (await directory.freshTotp('erin'))), why('sshd-sss')).to.equal('erin');
    expect(sshWithPassword(withSssKeys, 'erin', PEOPLE.erin.password)).to.equal(undefined);
  });
});
