/**
 * The schemas a migrated OpenLDAP directory uses, and a site's own schema: a server started with
 * schema.extra (CAIRN_SCHEMA_EXTRA) pointing at a folder of the site's .schema and cn=config .ldif files.
 * ldapadd of a sudoRole, an autofs map with its entries, an inetLocalMailRecipient person, a group stored
 * as Debian's stock slapd stores it (top + posixGroup, memberUid only) and an entry of the site's class;
 * ldapsearch reads them back with the filters sssd, autofs and Postfix use; cn=Subschema publishes them.
 */
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_DN, BASE, cairn, importLdif, initData, ldapTool, removeData, startServer, type RunningServer, asAdmin } from '../helpers/server';

const SITE_SCHEMA = `# The site's own schema
objectidentifier exampleOID 1.3.6.1.4.1.55555

attributetype ( exampleOID:1.1 NAME 'exampleBadge'
	DESC 'Badge number'
	EQUALITY caseIgnoreMatch
	SUBSTR caseIgnoreSubstringsMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLE-VALUE )

attributetype ( exampleOID:1.2 NAME 'exampleRoom'
	EQUALITY caseIgnoreMatch
	SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
`;

/** The same folder's second file, in OpenLDAP's cn=config LDIF form, folded as slapcat writes it. */
const SITE_LDIF = `dn: cn=example,cn=schema,cn=config
objectClass: olcSchemaConfig
cn: example
olcObjectClasses: {0}( exampleOID:2.1 NAME 'exampleDevice' DESC 'A device of th
 e site' SUP top STRUCTURAL MUST cn MAY ( exampleBadge $ exampleRoom $ descripti
 on ) )
`;

const ldif = (...lines: string[]) => lines.join('\n') + '\n';

describe('site schema and the schemas of a migrated OpenLDAP directory', function () {
  this.timeout(60000);
  let data: string;
  let server: RunningServer;
  let schemaFolder: string;

  const admin = () => asAdmin(server.url);
  const ldapadd = (input: string) => ldapTool('ldapadd', admin(), input);
  const search = (base: string, filter: string, ...attrs: string[]) =>
    ldapTool('ldapsearch', [...admin(), '-LLL', '-o', 'ldif-wrap=no', '-b', base, filter, ...attrs]);
  const dns = (out: string) =>
    out
      .split('\n')
      .filter((l) => l.startsWith('dn: '))
      .map((l) => l.slice(4).toLowerCase())
      .sort();

  before(async () => {
    data = initData();
    schemaFolder = join(data, '..', 'site-schema');
    mkdirSync(schemaFolder);
    writeFileSync(join(schemaFolder, '10-example.schema'), SITE_SCHEMA);
    writeFileSync(join(schemaFolder, '20-example.ldif'), SITE_LDIF);
    server = await startServer(data, { CAIRN_SCHEMA_EXTRA: schemaFolder });
    const r = ldapadd(
      ldif(
        `dn: ou=SUDOers,${BASE}`,
        'objectClass: organizationalUnit',
        'ou: SUDOers',
        '',
        `dn: ou=automount,${BASE}`,
        'objectClass: organizationalUnit',
        'ou: automount',
        '',
        `dn: ou=devices,${BASE}`,
        'objectClass: organizationalUnit',
        'ou: devices',
        '',
      ),
    );
    expect(r.status, r.stderr).to.equal(0);
  });

  after(async () => {
    await server?.stop();
    if (data) removeData(data);
  });

  describe('sudo (sudoRole)', () => {
    before(() => {
      const r = ldapadd(
        ldif(
          `dn: cn=defaults,ou=SUDOers,${BASE}`,
          'objectClass: top',
          'objectClass: sudoRole',
          'cn: defaults',
          'sudoOption: env_keep+=SSH_AUTH_SOCK',
          '',
          `dn: cn=%admins,ou=SUDOers,${BASE}`,
          'objectClass: top',
          'objectClass: sudoRole',
          'cn: %admins',
          'sudoUser: %admins',
          'sudoHost: ALL',
          'sudoCommand: ALL',
          'sudoRunAsUser: ALL',
          'sudoRunAsGroup: ALL',
          'sudoOption: !authenticate',
          'sudoOrder: 10',
          'sudoNotBefore: 20240101000000Z',
          'sudoNotAfter: 20991231235959Z',
          '',
          `dn: cn=web-restart,ou=SUDOers,${BASE}`,
          'objectClass: top',
          'objectClass: sudoRole',
          'cn: web-restart',
          'sudoUser: alice',
          'sudoHost: web01',
          'sudoHost: web01.example.com',
          'sudoCommand: /usr/bin/systemctl restart nginx',
          'sudoOrder: 20',
          '',
          `dn: cn=db-hosts,ou=SUDOers,${BASE}`,
          'objectClass: top',
          'objectClass: sudoRole',
          'cn: db-hosts',
          'sudoUser: bob',
          'sudoHost: db*',
          'sudoCommand: ALL',
          'sudoOrder: 30',
          '',
        ),
      );
      expect(r.status, r.stderr).to.equal(0);
    });

    it("sssd's rule filter for a host: ALL and the host's own rules", () => {
      const r = search(`ou=SUDOers,${BASE}`, '(&(objectClass=sudoRole)(|(sudoHost=ALL)(sudoHost=web01)))');
      expect(r.status, r.stderr).to.equal(0);
      expect(dns(r.stdout)).to.deep.equal([`cn=%admins,ou=sudoers,${BASE}`, `cn=web-restart,ou=sudoers,${BASE}`]);
    });

    it("sssd's full filter: no sudoHost, ALL, names, netgroups and wildcard rules (caseExactIA5SubstringsMatch)", () => {
      const filter =
        '(&(objectClass=sudoRole)(|(!(sudoHost=*))(sudoHost=ALL)(sudoHost=db01)(sudoHost=db01.example.com)(sudoHost=192.0.2.7)' +
        '(sudoHost=+*)(|(sudoHost=*\\5C*)(sudoHost=*?*)(sudoHost=*\\2A*)(sudoHost=*[*]*))))';
      const r = search(`ou=SUDOers,${BASE}`, filter, 'cn');
      expect(r.status, r.stderr).to.equal(0);
      expect(dns(r.stdout)).to.deep.equal([`cn=%admins,ou=sudoers,${BASE}`, `cn=db-hosts,ou=sudoers,${BASE}`, `cn=defaults,ou=sudoers,${BASE}`]);
    });

    it('sudoHost and sudoCommand compare case-exactly, sudoOrder and the validity times by value', () => {
      expect(dns(search(`ou=SUDOers,${BASE}`, '(sudoHost=WEB01)').stdout)).to.deep.equal([]);
      expect(dns(search(`ou=SUDOers,${BASE}`, '(sudoHost=web0*)').stdout)).to.deep.equal([`cn=web-restart,ou=sudoers,${BASE}`]);
      expect(dns(search(`ou=SUDOers,${BASE}`, '(&(objectClass=sudoRole)(sudoOrder>=20))').stdout)).to.deep.equal([
        `cn=db-hosts,ou=sudoers,${BASE}`,
        `cn=web-restart,ou=sudoers,${BASE}`,
      ]);
      expect(dns(search(`ou=SUDOers,${BASE}`, '(&(sudoNotBefore<=20250601000000Z)(sudoNotAfter>=20250601000000Z))').stdout)).to.deep.equal([
        `cn=%admins,ou=sudoers,${BASE}`,
      ]);
    });

    it('sudo rules for a user: by name, %group and ALL', () => {
      const r = search(`ou=SUDOers,${BASE}`, '(&(objectClass=sudoRole)(|(sudoUser=alice)(sudoUser=%admins)(sudoUser=ALL)))', 'sudoCommand');
      expect(dns(r.stdout)).to.deep.equal([`cn=%admins,ou=sudoers,${BASE}`, `cn=web-restart,ou=sudoers,${BASE}`]);
      expect(r.stdout).to.include('sudoCommand: /usr/bin/systemctl restart nginx');
    });

    it('a bad sudoOrder is refused (invalidAttributeSyntax, 21)', () => {
      const r = ldapadd(ldif(`dn: cn=bad,ou=SUDOers,${BASE}`, 'objectClass: sudoRole', 'cn: bad', 'sudoOrder: first'));
      expect(r.status).to.equal(21);
    });
  });

  describe('autofs maps (Debian autofs.schema: automountMap by ou, automount by cn)', () => {
    before(() => {
      const r = ldapadd(
        ldif(
          `dn: ou=auto.master,ou=automount,${BASE}`,
          'objectClass: top',
          'objectClass: automountMap',
          'ou: auto.master',
          '',
          `dn: cn=/home,ou=auto.master,ou=automount,${BASE}`,
          'objectClass: top',
          'objectClass: automount',
          'cn: /home',
          `automountInformation: ldap:ou=auto.home,ou=automount,${BASE} --timeout=60`,
          '',
          `dn: ou=auto.home,ou=automount,${BASE}`,
          'objectClass: top',
          'objectClass: automountMap',
          'ou: auto.home',
          '',
          `dn: cn=alice,ou=auto.home,ou=automount,${BASE}`,
          'objectClass: top',
          'objectClass: automount',
          'cn: alice',
          'automountInformation: -rw,soft nfs.example.com:/export/home/alice',
          '',
          `dn: cn=/,ou=auto.home,ou=automount,${BASE}`,
          'objectClass: top',
          'objectClass: automount',
          'cn: /',
          'automountInformation: -rw,soft nfs.example.com:/export/home/&',
          '',
        ),
      );
      expect(r.status, r.stderr).to.equal(0);
    });

    it("autofs's lookups: the master map by ou, then a map's entries by cn", () => {
      const master = search(`ou=automount,${BASE}`, '(&(objectClass=automountMap)(ou=auto.master))', 'ou');
      expect(dns(master.stdout)).to.deep.equal([`ou=auto.master,ou=automount,${BASE}`]);
      const entries = search(`ou=auto.home,ou=automount,${BASE}`, '(&(objectClass=automount)(cn=*))', 'cn', 'automountInformation');
      expect(dns(entries.stdout)).to.deep.equal([`cn=/,ou=auto.home,ou=automount,${BASE}`, `cn=alice,ou=auto.home,ou=automount,${BASE}`]);
      expect(entries.stdout).to.include('automountInformation: -rw,soft nfs.example.com:/export/home/alice');
      const one = search(`ou=auto.home,ou=automount,${BASE}`, '(&(objectClass=automount)(cn=alice))', 'automountInformation');
      expect(dns(one.stdout)).to.have.length(1);
    });

    it('an automount entry needs automountInformation (objectClassViolation, 65)', () => {
      const r = ldapadd(ldif(`dn: cn=bob,ou=auto.home,ou=automount,${BASE}`, 'objectClass: automount', 'cn: bob'));
      expect(r.status).to.equal(65);
      expect(r.stderr).to.include('automountInformation');
    });
  });

  describe('mail routing (inetLocalMailRecipient)', () => {
    before(() => {
      const r = ldapadd(
        ldif(
          `dn: uid=carol,ou=people,${BASE}`,
          'objectClass: inetOrgPerson',
          'objectClass: inetLocalMailRecipient',
          'uid: carol',
          'cn: Carol Example',
          'sn: Example',
          'mail: carol@example.com',
          'mailLocalAddress: carol@example.com',
          'mailLocalAddress: postmaster@example.com',
          'mailRoutingAddress: carol@mail.example.com',
          'mailHost: mail.example.com',
        ),
      );
      expect(r.status, r.stderr).to.equal(0);
    });

    it("Postfix's lookup by mailLocalAddress, case-insensitively (caseIgnoreIA5Match)", () => {
      const r = search(BASE, '(&(objectClass=inetLocalMailRecipient)(mailLocalAddress=PostMaster@Example.COM))', 'mailRoutingAddress', 'mailHost');
      expect(dns(r.stdout)).to.deep.equal([`uid=carol,ou=people,${BASE}`]);
      expect(r.stdout).to.include('mailRoutingAddress: carol@mail.example.com');
      expect(r.stdout).to.include('mailHost: mail.example.com');
    });

    it('mailHost is single-valued (constraintViolation, 19)', () => {
      const r = ldapTool('ldapmodify', admin(), ldif(`dn: uid=carol,ou=people,${BASE}`, 'changetype: modify', 'add: mailHost', 'mailHost: mx2.example.com'));
      expect(r.status).to.equal(19);
    });
  });

  describe('posixGroup as Debian stores it (top + posixGroup, memberUid only)', () => {
    it('ldapadd accepts it; posixGroup is its structural object class', () => {
      const r = ldapadd(
        ldif(
          `dn: cn=devs,ou=groups,${BASE}`,
          'objectClass: top',
          'objectClass: posixGroup',
          'cn: devs',
          'gidNumber: 5001',
          'memberUid: alice',
          'memberUid: bob',
        ),
      );
      expect(r.status, r.stderr).to.equal(0);
      const e = search(`cn=devs,ou=groups,${BASE}`, '(objectClass=*)', 'structuralObjectClass', 'memberUid', 'objectClass');
      expect(e.stdout).to.include('structuralObjectClass: posixGroup');
      expect(e.stdout).to.include('memberUid: bob');
      expect(dns(search(BASE, '(&(objectClass=posixGroup)(memberUid=alice))').stdout)).to.include(`cn=devs,ou=groups,${BASE}`);
    });

    it('cairn import accepts it too', () => {
      importLdif(data, ldif(`dn: cn=ops,ou=groups,${BASE}`, 'objectClass: posixGroup', 'cn: ops', 'gidNumber: 5002', 'memberUid: carol'));
      const e = search(`cn=ops,ou=groups,${BASE}`, '(objectClass=*)', 'structuralObjectClass');
      expect(e.stdout).to.include('structuralObjectClass: posixGroup');
    });

    it('groupOfNames + posixGroup groups are as before (structural groupOfNames)', () => {
      const r = ldapadd(
        ldif(`dn: cn=qa,ou=groups,${BASE}`, 'objectClass: groupOfNames', 'objectClass: posixGroup', 'cn: qa', 'gidNumber: 5003', `member: ${ADMIN_DN}`),
      );
      expect(r.status, r.stderr).to.equal(0);
      expect(search(`cn=qa,ou=groups,${BASE}`, '(objectClass=*)', 'structuralObjectClass').stdout).to.include('structuralObjectClass: groupOfNames');
    });

    it('as in RFC 2307, such a group needs cn; posixGroup next to another structural class is unchanged', () => {
      const noCn = ldapadd(ldif(`dn: gidNumber=5004,ou=groups,${BASE}`, 'objectClass: posixGroup', 'gidNumber: 5004'));
      expect(noCn.status).to.equal(65);
      expect(noCn.stderr).to.include("object class 'posixGroup' requires attribute 'cn'");
      const withOu = ldapadd(
        ldif(`dn: ou=odd,ou=groups,${BASE}`, 'objectClass: organizationalUnit', 'objectClass: posixGroup', 'ou: odd', 'gidNumber: 5005', 'cn: odd'),
      );
      expect(withOu.status).to.equal(65);
      expect(withOu.stderr).to.include("attribute 'cn' not allowed");
    });

    it('adding groupOfNames makes it an rfc2307bis group (posixGroup auxiliary) and keeps every memberUid', () => {
      const r = ldapTool(
        'ldapmodify',
        admin(),
        ldif(
          `dn: cn=devs,ou=groups,${BASE}`,
          'changetype: modify',
          'add: objectClass',
          'objectClass: groupOfNames',
          '-',
          'add: member',
          `member: ${ADMIN_DN}`,
          '-',
        ),
      );
      expect(r.status, r.stderr).to.equal(0);
      const e = search(`cn=devs,ou=groups,${BASE}`, '(objectClass=*)', 'structuralObjectClass', 'memberUid');
      expect(e.stdout).to.include('structuralObjectClass: groupOfNames');
      expect(e.stdout).to.include('memberUid: alice');
      expect(e.stdout).to.include('memberUid: bob');
    });

    it('any other change of structural class is refused as slapd does (69)', () => {
      const r = ldapTool(
        'ldapmodify',
        admin(),
        ldif(`dn: cn=ops,ou=groups,${BASE}`, 'changetype: modify', 'add: objectClass', 'objectClass: organizationalRole'),
      );
      expect(r.status, r.stderr).to.equal(69);
    });
  });

  describe("the site's own classes (schema.extra)", () => {
    it('ldapadd and ldapsearch an entry of the site class', () => {
      const r = ldapadd(
        ldif(
          `dn: cn=printer1,ou=devices,${BASE}`,
          'objectClass: exampleDevice',
          'cn: printer1',
          'exampleBadge: B-1234',
          'exampleRoom: 2.14',
          'exampleRoom: 2.15',
        ),
      );
      expect(r.status, r.stderr).to.equal(0);
      const s = search(`ou=devices,${BASE}`, '(&(objectClass=exampleDevice)(exampleBadge=b-12*))', 'exampleBadge', 'structuralObjectClass');
      expect(dns(s.stdout)).to.deep.equal([`cn=printer1,ou=devices,${BASE}`]);
      expect(s.stdout).to.include('exampleBadge: B-1234');
      expect(s.stdout).to.include('structuralObjectClass: exampleDevice');
      const two = ldapTool('ldapmodify', admin(), ldif(`dn: cn=printer1,ou=devices,${BASE}`, 'changetype: modify', 'add: exampleBadge', 'exampleBadge: B-9'));
      expect(two.status).to.equal(19);
    });
  });

  describe('cn=Subschema', () => {
    it('publishes the shipped and the site definitions', () => {
      const r = ldapTool('ldapsearch', [
        '-x',
        '-H',
        server.url,
        '-LLL',
        '-o',
        'ldif-wrap=no',
        '-b',
        'cn=Subschema',
        '-s',
        'base',
        '(objectClass=*)',
        'objectClasses',
        'attributeTypes',
        'matchingRules',
      ]);
      expect(r.status, r.stderr).to.equal(0);
      for (const needle of [
        "objectClasses: ( 1.3.6.1.4.1.15953.9.2.1 NAME 'sudoRole'",
        "objectClasses: ( 1.3.6.1.4.1.2312.4.2.2 NAME 'automountMap'",
        "objectClasses: ( 1.3.6.1.4.1.2312.4.2.3 NAME 'automount'",
        "objectClasses: ( 2.16.840.1.113730.3.2.147 NAME 'inetLocalMailRecipient'",
        "objectClasses: ( 1.3.6.1.4.1.55555.2.1 NAME 'exampleDevice' DESC 'A device of the site'",
        "attributeTypes: ( 1.3.6.1.4.1.55555.1.1 NAME 'exampleBadge'",
        "attributeTypes: ( 1.3.6.1.4.1.15953.9.1.2 NAME 'sudoHost' DESC 'Host(s) who may run sudo' EQUALITY caseExactIA5Match SUBSTR caseExactIA5SubstringsMatch",
        "matchingRules: ( 1.3.6.1.4.1.4203.1.2.1 NAME 'caseExactIA5SubstringsMatch'",
      ]) {
        expect(r.stdout, needle).to.include(needle);
      }
    });
  });

  describe('a bad site schema stops start-up', () => {
    it('names the file and line', () => {
      const bad = join(data, '..', 'bad.schema');
      writeFileSync(bad, "# site\nattributetype ( 1.3.6.1.4.1.55555.9.1 NAME 'x'\n  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 SINGLEVALUE )\n");
      const r = cairn(['serve', '--listen', '127.0.0.1:0', '--ldaps', 'none'], { data, env: { CAIRN_SCHEMA_EXTRA: bad } });
      expect(r.status).to.equal(1);
      expect(r.stderr.trim()).to.equal(`cairn: ${bad}:2: attributetype 1.3.6.1.4.1.55555.9.1: unknown keyword 'SINGLEVALUE'`);
    });

    it('a clash with a loaded definition names both', () => {
      const clash = join(data, '..', 'clash.schema');
      writeFileSync(clash, "objectclass ( 1.3.6.1.4.1.55555.9.2 NAME 'sudoRole' SUP top STRUCTURAL MUST cn )\n");
      const r = cairn(['serve', '--listen', '127.0.0.1:0', '--ldaps', 'none'], { data, env: { CAIRN_SCHEMA_EXTRA: clash } });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(
        /^cairn: .*clash\.schema:1: objectClass 'sudoRole' \(1\.3\.6\.1\.4\.1\.55555\.9\.2\): the name 'sudorole' is already defined by objectClass 'sudoRole' \(1\.3\.6\.1\.4\.1\.15953\.9\.2\.1\) in .*60-sudo\.schema:\d+\n$/,
      );
    });

    it('a missing path is named', () => {
      const r = cairn(['serve', '--listen', '127.0.0.1:0', '--ldaps', 'none'], { data, env: { CAIRN_SCHEMA_EXTRA: '/nonexistent/site.schema' } });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.equal('cairn: schema.extra: /nonexistent/site.schema: no such file or folder\n');
    });
  });
});
