import { expect } from 'chai';
import {
  ADMIN_DN,
  ADMIN_PASSWORD,
  BASE,
  importLdif,
  initData,
  ldapTool,
  peopleLdif,
  removeData,
  startServer,
  type RunningServer,
  asAdmin,
} from '../helpers/server';

/** Reads the directory with OpenLDAP's own tools, as administrators and scripts do. */
describe('OpenLDAP client tools against cairn serve', function () {
  this.timeout(60000);
  let server: RunningServer;
  const admin = () => asAdmin(server.url);
  const search = (...args: string[]) => ldapTool('ldapsearch', [...admin(), '-LLL', '-o', 'ldif-wrap=no', ...args]);
  const dns = (r: string | { stdout: string }) =>
    (typeof r === 'string' ? r : r.stdout)
      .split('\n')
      .filter((l) => l.startsWith('dn: '))
      .map((l) => l.slice(4));

  before(async () => {
    const data = initData();
    importLdif(
      data,
      peopleLdif(25) +
        `\ndn: cn=devs,ou=groups,${BASE}\nobjectClass: groupOfNames\nobjectClass: posixGroup\ncn: devs\ngidNumber: 12000\n` +
        `member: uid=user0001,ou=people,${BASE}\nmember: uid=user0002,ou=people,${BASE}\n\n` +
        `dn: uid=zoe,ou=people,${BASE}\nobjectClass: inetOrgPerson\nuid: zoe\ncn:: Wm/DqyDDhW5nc3Ryw7Zt\nsn: Angstrom\ndescription: a*b (x)\n`,
    );
    server = await startServer(data);
  });
  after(async () => {
    await server?.stop();
    removeData(server.data);
  });

  it('ldapwhoami binds over plain LDAP, StartTLS (-ZZ) and LDAPS', () => {
    for (const [url, extra] of [
      [server.url, []],
      [server.url, ['-ZZ']],
      [server.ldapsUrl, []],
    ] as const) {
      const r = ldapTool('ldapwhoami', ['-x', '-H', url, ...extra, '-D', ADMIN_DN, '-w', ADMIN_PASSWORD]);
      expect(r.stderr).to.equal('');
      expect(r.stdout.trim()).to.equal(`dn:${ADMIN_DN}`);
    }
  });

  it('matches the bind DN case- and space-insensitively', () => {
    const r = ldapTool('ldapwhoami', ['-x', '-H', server.url, '-D', 'UID=Admin, OU=People, DC=Example,DC=COM', '-w', ADMIN_PASSWORD]);
    expect(r.status).to.equal(0);
  });

  it('answers a wrong password and an unknown user with the same 49', () => {
    const wrong = ldapTool('ldapwhoami', ['-x', '-H', server.url, '-D', ADMIN_DN, '-w', 'nope']);
    const unknown = ldapTool('ldapwhoami', ['-x', '-H', server.url, '-D', `uid=ghost,ou=people,${BASE}`, '-w', 'nope']);
    expect(wrong.status).to.equal(49);
    expect(unknown.status).to.equal(49);
    expect(wrong.stderr).to.equal(unknown.stderr);
  });

  it('anonymous clients read the root DSE and cn=subschema, nothing else', () => {
    const root = ldapTool('ldapsearch', ['-x', '-H', server.url, '-LLL', '-b', '', '-s', 'base', '+']);
    expect(root.stdout).to.include(`namingContexts: ${BASE}`);
    expect(root.stdout).to.include('supportedControl: 1.2.840.113556.1.4.319');
    expect(root.stdout).to.include('supportedExtension: 1.3.6.1.4.1.1466.20037');
    expect(root.stdout).to.include('supportedLDAPVersion: 3');
    expect(root.stdout).to.include('subschemaSubentry: cn=Subschema');
    expect(root.stdout).to.include('vendorName: Cairn');
    const schema = ldapTool('ldapsearch', ['-x', '-H', server.url, '-LLL', '-o', 'ldif-wrap=no', '-b', 'cn=subschema', '-s', 'base', '+']);
    expect(schema.stdout).to.match(/attributeTypes: \( 0\.9\.2342\.19200300\.100\.1\.1 NAME \( 'uid' 'userid' \)/);
    expect(schema.stdout).to.match(/objectClasses: \( 1\.3\.6\.1\.1\.1\.2\.2 NAME 'posixGroup'.* AUXILIARY/);
    expect(schema.stdout).to.include('ldapSyntaxes: ');
    expect(schema.stdout).to.include('matchingRules: ');
    const tree = ldapTool('ldapsearch', ['-x', '-H', server.url, '-b', BASE, '(uid=admin)']);
    expect(tree.stdout).to.include('result: 50 Insufficient access');
  });

  it('searches base, one and subtree scopes', () => {
    expect(dns(search('-b', BASE, '-s', 'base', '1.1'))).to.deep.equal([BASE]);
    expect(dns(search('-b', BASE, '-s', 'one', '1.1')).sort()).to.deep.equal(
      ['ou=groups', 'ou=people', 'ou=policies', 'ou=services'].map((o) => `${o},${BASE}`),
    );
    expect(dns(search('-b', `ou=people,${BASE}`, '-s', 'sub', '(objectClass=posixAccount)', '1.1'))).to.have.length(25); // not the built-in admin
  });

  it('matches values by the schema: case-insensitive uid, DN-valued member, numeric ordering', () => {
    expect(dns(search('-b', BASE, '(uid=USER0003)', '1.1'))).to.deep.equal([`uid=user0003,ou=people,${BASE}`]);
    expect(dns(search('-b', BASE, `(member=UID=User0001,OU=People,dc=example,dc=com)`, '1.1'))).to.deep.equal([`cn=devs,ou=groups,${BASE}`]);
    expect(dns(search('-b', BASE, '(&(uidNumber>=20020)(uidNumber<=20100))', '1.1'))).to.have.length(5);
    expect(dns(search('-b', BASE, '(uidNumber<=9999)', '1.1'))).to.have.length(0);
  });

  it('decodes escapes and UTF-8 in filters', () => {
    expect(dns(search('-b', BASE, '(cn=zoë*)', '1.1'))).to.deep.equal([`uid=zoe,ou=people,${BASE}`]);
    expect(dns(search('-b', BASE, '(cn=Zo\\c3\\ab \\c3\\85ngstr\\c3\\b6m)', '1.1'))).to.deep.equal([`uid=zoe,ou=people,${BASE}`]);
    expect(dns(search('-b', BASE, '(description=a\\2ab \\28x\\29)', '1.1'))).to.deep.equal([`uid=zoe,ou=people,${BASE}`]);
    expect(dns(search('-b', BASE, '(description=a\\2a*)', '1.1'))).to.have.length(1);
    expect(dns(search('-b', BASE, '(description=ab*)', '1.1'))).to.have.length(0);
  });

  it('treats attributes and classes that do not exist as matching nothing, without an error', () => {
    const samba = search('-b', BASE, '(&(objectClass=sambaSamAccount)(|(!(sambaSID=*))(sambaSID=S-1-5-21-1)))');
    expect(samba.status).to.equal(0);
    expect(dns(samba.stdout)).to.have.length(0);
    expect(dns(search('-b', BASE, '(!(nonexistentAttr=x))', '1.1'))).to.have.length(0);
  });

  it('supports extensible matching and absolute true/false filters', () => {
    expect(dns(search('-b', BASE, '(uid:caseExactMatch:=user0004)', '1.1'))).to.have.length(1);
    expect(dns(search('-b', BASE, '(uid:caseExactMatch:=USER0004)', '1.1'))).to.have.length(0);
    expect(dns(search('-b', BASE, '(ou:dn:=people)', '1.1')).length).to.be.greaterThan(25);
    expect(dns(search('-b', BASE, '-s', 'base', '(&)', '1.1'))).to.have.length(1);
    expect(dns(search('-b', BASE, '-s', 'base', '(|)', '1.1'))).to.have.length(0);
  });

  it('returns operational attributes for + or by name, each attribute once', () => {
    const out = search('-b', `uid=user0001,ou=people,${BASE}`, '-s', 'base', '*', '+', 'modifyTimestamp', 'cn').stdout;
    for (const a of [
      'entryUUID',
      'entryDN',
      'createTimestamp',
      'modifyTimestamp',
      'creatorsName',
      'modifiersName',
      'memberOf',
      'hasSubordinates',
      'subschemaSubentry',
      'structuralObjectClass',
    ]) {
      expect(out.match(new RegExp(`^${a}: `, 'gm')), a).to.have.length(1);
    }
    // user0001 was imported without one (as from OpenLDAP); the administrator's password has one.
    const admin = search('-b', ADMIN_DN, '-s', 'base', '+', 'pwdChangedTime').stdout;
    expect(admin.match(/^pwdChangedTime: /gm)).to.have.length(1);
    expect(out).to.include(`memberOf: cn=devs,ou=groups,${BASE}`);
    expect(out).to.not.match(/userPassword/i);
    const named = search('-b', `uid=user0001,ou=people,${BASE}`, '-s', 'base', 'ENTRYUUID', 'givenname').stdout;
    expect(named).to.match(/^entryUUID: [0-9a-f-]{36}$/m);
    expect(named).to.include('givenName: User');
    expect(named).to.not.include('cn: ');
  });

  it('never returns a password hash, even when asked for by name', () => {
    const out = search('-b', BASE, '(uid=user0001)', 'userPassword', '*', '+').stdout;
    expect(out).to.not.match(/userPassword|CRYPT|\$2[aby]\$/i);
  });

  it('returns types only with -A', () => {
    const out = search('-A', '-b', `uid=user0001,ou=people,${BASE}`, '-s', 'base', 'uid', 'mail').stdout;
    expect(out).to.match(/^uid:\s*$/m);
    expect(out).to.not.include('user0001@example.com');
  });

  it('pages with -E pr=N/noprompt: every entry exactly once', () => {
    const out = search('-E', 'pr=4/noprompt', '-b', `ou=people,${BASE}`, '(objectClass=inetOrgPerson)', '1.1');
    expect(out.status).to.equal(0);
    const got = dns(out.stdout);
    expect(got).to.have.length(27);
    expect(new Set(got).size).to.equal(27);
  });

  it('stops at the size limit with sizeLimitExceeded (4)', () => {
    const out = ldapTool('ldapsearch', [...admin(), '-z', '3', '-b', `ou=people,${BASE}`, '(uid=user*)', '1.1']);
    expect(out.status).to.equal(4);
    expect(dns(out.stdout.replace(/^dn: /gm, 'dn: '))).to.have.length(3);
  });

  it('reports a missing base as noSuchObject (32) with the matched DN', () => {
    const out = ldapTool('ldapsearch', [...admin(), '-b', `uid=ghost,ou=people,${BASE}`, '(objectClass=*)']);
    expect(out.status).to.equal(32);
    expect(out.stdout).to.include(`matchedDN: ou=people,${BASE}`);
  });

  it('compares values by the matching rule', () => {
    const t = ldapTool('ldapcompare', [...admin(), `uid=user0001,ou=people,${BASE}`, 'uid:USER0001']);
    expect(t.stdout.trim()).to.equal('TRUE');
    expect(t.status).to.equal(6);
    const f = ldapTool('ldapcompare', [...admin(), `uid=user0001,ou=people,${BASE}`, 'uid:user0002']);
    expect(f.stdout.trim()).to.equal('FALSE');
    expect(f.status).to.equal(5);
  });

  it('refuses an unknown critical control with 12 and accepts unknown non-critical ones', () => {
    const critical = ldapTool('ldapsearch', [...admin(), '-e', '!1.2.3.4.5.6', '-b', BASE, '-s', 'base', '1.1']);
    expect(critical.status).to.equal(12);
    const optional = ldapTool('ldapsearch', [...admin(), '-e', '1.2.3.4.5.6', '-b', BASE, '-s', 'base', '1.1']);
    expect(optional.status).to.equal(0);
  });

  it('answers a SASL bind with authMethodNotSupported (7)', () => {
    const r = ldapTool('ldapwhoami', ['-H', server.url, '-Y', 'DIGEST-MD5', '-U', 'admin', '-w', 'x']);
    expect(r.stderr).to.include('SASL mechanism DIGEST-MD5 is not supported');
    expect(r.status).to.equal(7);
  });

  it('stops on SIGTERM: exit status 0, and the port no longer answers', async () => {
    const code = await server.stop();
    expect(code).to.equal(0);
    const r = ldapTool('ldapwhoami', asAdmin(server.url));
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.include("Can't contact LDAP server");
  });
});
