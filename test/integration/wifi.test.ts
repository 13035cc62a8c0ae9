/**
 * Device credentials (Wi-Fi): made by `cairn wifi`, bound over LDAP as FreeRADIUS does for EAP-TTLS/PAP,
 * and their NT hash (MSCHAPv2) read only by the service wifi.ntHashReaders names, only when asked for by
 * name, only while the owner may use the Wi-Fi. The compat suite proves PEAP-MSCHAPv2 with FreeRADIUS.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { parseEntries } from '../helpers/ldap-output';
import { ADMIN_DN, ADMIN_PASSWORD, BASE, bindAs, cairn, initData, ldapTool, removeData, startServer, type RunningServer } from '../helpers/server';

const DEVICES = `ou=devices,${BASE}`;
const RADIUS = `cn=radius,ou=services,${BASE}`;
const SSSD = `cn=sssd,ou=services,${BASE}`;
const SERVICE_PASSWORD = 'Service-Account-8163';

/** The NT hash as OpenSSL's own MD4 computes it (its legacy provider), over the password's UTF-16LE bytes. */
function opensslNtHash(password: string): string {
  const out = execFileSync('openssl', ['dgst', '-md4', '-provider', 'legacy', '-provider', 'default'], { input: Buffer.from(password, 'utf16le') });
  return /= ([0-9a-f]{32})/.exec(out.toString())![1].toUpperCase();
}

describe('Wi-Fi device credentials (cairn wifi, LDAP binds, NT hashes for FreeRADIUS)', function () {
  this.timeout(30000);
  let data: string;
  let server: RunningServer;
  let password = '';
  const must = (args: string[]) => {
    const r = cairn(args, { data });
    expect(r.status, r.stderr).to.equal(0);
    return r.stdout;
  };
  const binds = (dn: string, pw: string) => ldapTool('ldapwhoami', bindAs(server.url, dn, pw));
  const ntHashAs = (dn: string, pw: string, attributes: string[] = ['cairnNTPassword'], filter = '(uid=alice.phone)') => {
    const r = ldapTool('ldapsearch', [...bindAs(server.url, dn, pw), '-LLL', '-b', DEVICES, filter, ...attributes]);
    return { status: r.status, entries: parseEntries(r.stdout), text: r.stdout + r.stderr };
  };

  before(async () => {
    data = initData();
    must(['user', 'add', 'alice', '--given', 'Alice', '--sn', 'Liddell', '--password', 'Tulip-Harbour-42']);
    must(['user', 'add', 'bob', '--given', 'Bob', '--sn', 'Stone', '--password', 'Granite-Steps-63']);
    must(['group', 'add', 'wifi']);
    must(['group', 'add-member', 'wifi', 'alice']);
    for (const name of ['radius', 'sssd']) must(['service', 'add', name, '--password', SERVICE_PASSWORD]);
    // Alice must use MFA everywhere else: the device credential needs no code.
    must(['mfa', 'enroll', 'alice', '--secret', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP']);
    server = await startServer(data, { CAIRN_WIFI_NT_HASH_READERS: 'radius' });
  });
  after(async () => {
    await server?.stop();
    removeData(data);
  });

  it('cairn wifi add: a generated password shown once, only for a member of a Wi-Fi group', () => {
    const out = must(['wifi', 'add', 'alice', 'phone']);
    expect(out).to.match(/^Wi-Fi user name: alice\.phone\nPassword \(shown once\): [a-z2-9]{5}(-[a-z2-9]{5}){3}\n$/);
    password = /shown once\): (\S+)/.exec(out)![1];
    const bob = cairn(['wifi', 'add', 'bob', 'phone'], { data });
    expect(bob.status).to.equal(1);
    expect(bob.stderr).to.contain('bob is in none of the Wi-Fi groups (wifi.groups: wifi)');
    expect(cairn(['wifi', 'add', 'alice', 'Bad Name'], { data }).stderr).to.contain('lower-case letters, digits and "-"');
    expect(must(['wifi', 'list', 'alice'])).to.match(/^alice\.phone\tuid=alice,ou=people,dc=example,dc=com\t\d{4}-\d\d-\d\d \d\d:\d\d\t-\n$/);
  });

  it('binds over LDAP with no MFA code (EAP-TTLS/PAP), never as the person, and then may do nothing else', () => {
    expect(binds(`uid=alice.phone,${DEVICES}`, password).status).to.equal(0);
    expect(binds(`uid=alice,ou=people,${BASE}`, password).status, 'the person with the device password').to.not.equal(0);
    const search = ldapTool('ldapsearch', [...bindAs(server.url, `uid=alice.phone,${DEVICES}`, password), '-LLL', '-b', BASE, '(uid=alice)']);
    expect(search.status).to.equal(50);
    const change = ldapTool('ldappasswd', [...bindAs(server.url, `uid=alice.phone,${DEVICES}`, password), '-s', 'Chosen-Password-99']);
    expect(change.status, 'a device credential changes no password').to.not.equal(0);
    expect(must(['wifi', 'list', 'alice'])).to.match(/\t\d{4}-\d\d-\d\d \d\d:\d\d\n$/);
  });

  it('the NT hash (MD4 of UTF-16LE, as OpenSSL computes it) only for the allowed service, only when named', () => {
    const radius = ntHashAs(RADIUS, SERVICE_PASSWORD);
    expect(radius.entries[0]?.attrs.cairnntpassword, radius.text).to.deep.equal([opensslNtHash(password)]);
    expect(ntHashAs(RADIUS, SERVICE_PASSWORD, ['+']).entries[0].attrs.cairnntpassword, 'not by "+"').to.equal(undefined);
    expect(ntHashAs(RADIUS, SERVICE_PASSWORD, ['*']).entries[0].attrs.cairnntpassword, 'not by "*"').to.equal(undefined);
    expect(ntHashAs(SSSD, SERVICE_PASSWORD).entries[0].attrs.cairnntpassword, 'an ordinary service').to.equal(undefined);
    expect(ntHashAs(ADMIN_DN, ADMIN_PASSWORD).entries[0].attrs.cairnntpassword, 'an administrator').to.equal(undefined);
    for (const who of [RADIUS, SSSD]) {
      expect(ntHashAs(who, SERVICE_PASSWORD, ['1.1'], '(cairnNTPassword=*)').entries, `a filter, as ${who}`).to.deep.equal([]);
      expect(ntHashAs(who, SERVICE_PASSWORD, ['userPassword']).entries[0].attrs.userpassword, 'no bcrypt hash either').to.equal(undefined);
    }
  });

  it('out of the Wi-Fi group: the device binds no more and its NT hash is not given; back in: both again', () => {
    must(['group', 'remove-member', 'wifi', 'alice']);
    expect(binds(`uid=alice.phone,${DEVICES}`, password).status).to.not.equal(0);
    expect(ntHashAs(RADIUS, SERVICE_PASSWORD).entries[0].attrs.cairnntpassword).to.equal(undefined);
    must(['group', 'add-member', 'wifi', 'alice']);
    expect(binds(`uid=alice.phone,${DEVICES}`, password).status).to.equal(0);
  });

  it('the owner locked: no device binds, and no NT hash is given; unlocked: both again', () => {
    const lock = (value: string) =>
      ldapTool(
        'ldapmodify',
        [...bindAs(server.url, ADMIN_DN, ADMIN_PASSWORD)],
        `dn: uid=alice,ou=people,${BASE}\nchangetype: modify\n${value ? `replace: pwdAccountLockedTime\npwdAccountLockedTime: ${value}` : 'delete: pwdAccountLockedTime'}\n`,
      );
    expect(lock('000001010000Z').status).to.equal(0);
    expect(binds(`uid=alice.phone,${DEVICES}`, password).status).to.not.equal(0);
    expect(ntHashAs(RADIUS, SERVICE_PASSWORD).entries[0].attrs.cairnntpassword).to.equal(undefined);
    expect(lock('').status).to.equal(0);
    expect(binds(`uid=alice.phone,${DEVICES}`, password).status).to.equal(0);
  });

  it('revoked: gone at once; --all revokes every device of the person', () => {
    const second = /shown once\): (\S+)/.exec(must(['wifi', 'add', 'alice', 'laptop']))![1];
    expect(must(['wifi', 'revoke', 'alice', 'phone'])).to.equal('Revoked alice.phone\n');
    expect(binds(`uid=alice.phone,${DEVICES}`, password).status).to.not.equal(0);
    expect(binds(`uid=alice.laptop,${DEVICES}`, second).status).to.equal(0);
    expect(must(['wifi', 'revoke', 'alice', '--all'])).to.equal('Revoked alice.laptop\n');
    expect(binds(`uid=alice.laptop,${DEVICES}`, second).status).to.not.equal(0);
    expect(must(['wifi', 'list'])).to.equal('');
  });

  it('the owner deleted: the device binds no more', () => {
    must(['group', 'add-member', 'wifi', 'bob']);
    const bobs = /shown once\): (\S+)/.exec(must(['wifi', 'add', 'bob', 'tablet']))![1];
    expect(binds(`uid=bob.tablet,${DEVICES}`, bobs).status).to.equal(0);
    expect(ldapTool('ldapdelete', [...bindAs(server.url, ADMIN_DN, ADMIN_PASSWORD), `uid=bob,ou=people,${BASE}`]).status).to.equal(0);
    expect(binds(`uid=bob.tablet,${DEVICES}`, bobs).status).to.not.equal(0);
  });
});
