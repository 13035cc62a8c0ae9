/**
 * A directory migrated from OpenLDAP, as Cairn must take it: RFC 2307 groups whose memberUid values are
 * kept (memberUid follows member incrementally, never recomputed), groups and people in any container
 * (migrationtools' ou=Group), service accounts stored as OpenLDAP stores them (organizationalRole,
 * applicationProcess or account + simpleSecurityObject), the slapcat cn=admin made an administrator, and
 * built-in entries that take no POSIX numbers. Real servers, OpenLDAP's tools, ldapjs and the CLI.
 */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import {
  ADMIN_DN,
  ADMIN_PASSWORD,
  BASE,
  cairn,
  freshData,
  importLdif,
  initData,
  ldapTool,
  removeData,
  startServer,
  type RunningServer,
} from '../helpers/server';
import { expectResult, readAsAdmin } from '../helpers/ldap-output';

// ldapjs ships no types: the little the tests use.
interface LdapJsError extends Error {
  code: number;
}
interface LdapJsClient {
  bind(dn: string, password: string, cb: (err: LdapJsError | null) => void): void;
  search(
    base: string,
    options: { scope: 'base' | 'one' | 'sub'; filter: string; attributes?: string[] },
    cb: (err: LdapJsError | null, res: LdapJsSearch) => void,
  ): void;
  add(dn: string, entry: Record<string, string | string[]>, cb: (err: LdapJsError | null) => void): void;
  unbind(cb?: () => void): void;
}
interface LdapJsSearch {
  on(event: 'searchEntry', fn: (e: { pojo: { objectName: string } }) => void): void;
  on(event: 'error', fn: (err: LdapJsError) => void): void;
  on(event: 'end', fn: () => void): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ldap = require('ldapjs') as { createClient(o: { url: string }): LdapJsClient & { on(e: string, fn: () => void): void } };

const PEOPLE = `ou=people,${BASE}`;
const GROUP_OU = `ou=Group,${BASE}`; // as migrationtools names it
const STAFF = `ou=staff,${BASE}`;
const SERVICES = `ou=services,${BASE}`;
const SLAPD_ADMIN = `cn=admin,${BASE}`;
const SLAPD_ADMIN_PASSWORD = 'Slapd-root-pw-77';
const person = (uid: string, ou = PEOPLE) => `uid=${uid},${ou}`;
const ssha = (password: string, salt = randomBytes(8)) =>
  '{SSHA}' + Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64');
const ldif = (...lines: string[]) => lines.join('\n') + '\n';
const LEGACY_UIDS = Array.from({ length: 174 }, (_, i) => `legacy${String(i).padStart(3, '0')}`);

function expectCleanError(r: { status: number | null; stderr: string }, pattern?: RegExp) {
  expect(r.status, r.stderr).to.equal(1);
  expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
  expect(r.stderr).to.match(/^cairn: /);
  if (pattern) expect(r.stderr).to.match(pattern);
}
const sorted = (vs: string[] | undefined) => [...(vs ?? [])].sort();
const lower = (vs: string[] | undefined) => (vs ?? []).map((v) => v.toLowerCase()).sort();

function personLdif(uid: string, uidNumber: number, ou = PEOPLE, extra: string[] = []): string[] {
  return [
    `dn: ${person(uid, ou)}`,
    'objectClass: inetOrgPerson',
    'objectClass: posixAccount',
    `uid: ${uid}`,
    `cn: ${uid}`,
    `sn: ${uid}`,
    `uidNumber: ${uidNumber}`,
    'gidNumber: 10000',
    `homeDirectory: /home/${uid}`,
    `userPassword: pw-${uid}`,
    ...extra,
    '',
  ];
}

/** What an OpenLDAP site's slapcat holds that Cairn's init does not: ids from 10000 on, ou=Group, service accounts, cn=admin. */
function siteLdif(): string {
  return [
    `dn: ${GROUP_OU}`,
    'objectClass: organizationalUnit',
    'ou: Group',
    '',
    `dn: ${STAFF}`,
    'objectClass: organizationalUnit',
    'ou: staff',
    '',
    ...personLdif('alice', 10000),
    ...personLdif('bob', 10001),
    ...personLdif('carol', 10002),
    ...personLdif('sam', 10003, STAFF),
    `dn: cn=staff,${GROUP_OU}`,
    'objectClass: groupOfNames',
    'objectClass: posixGroup',
    'cn: staff',
    'gidNumber: 10000',
    '',
    // A group of uids alone (memberUid, no member), as RFC 2307 sites keep them: 174 names not in the directory.
    `dn: cn=legacy,${GROUP_OU}`,
    'objectClass: groupOfNames',
    'objectClass: posixGroup',
    'cn: legacy',
    'gidNumber: 10010',
    ...LEGACY_UIDS.map((u) => `memberUid: ${u}`),
    '',
    // OpenLDAP's other classic group: groupOfUniqueNames + posixGroup, no member attribute at all.
    `dn: cn=unique,${GROUP_OU}`,
    'objectClass: groupOfUniqueNames',
    'objectClass: posixGroup',
    'cn: unique',
    'gidNumber: 10011',
    `uniqueMember: ${person('alice')}`,
    'memberUid: alice',
    'memberUid: olduser',
    '',
    // The same cn in two containers.
    `dn: cn=twin,${GROUP_OU}`,
    'objectClass: groupOfNames',
    'objectClass: posixGroup',
    'cn: twin',
    'gidNumber: 10012',
    '',
    `dn: cn=twin,${STAFF}`,
    'objectClass: groupOfNames',
    'cn: twin',
    '',
    // Service accounts the way OpenLDAP stores them.
    `dn: cn=nss,${SERVICES}`,
    'objectClass: organizationalRole',
    'objectClass: simpleSecurityObject',
    'cn: nss',
    'description: nslcd on the login machines',
    `userPassword: ${ssha('Nss-proxy-pw-1')}`,
    '',
    `dn: cn=webapp,${SERVICES}`,
    'objectClass: applicationProcess',
    'objectClass: simpleSecurityObject',
    'cn: webapp',
    'userPassword: Webapp-pw-2',
    '',
    `dn: uid=radius,${SERVICES}`,
    'objectClass: account',
    'objectClass: simpleSecurityObject',
    'uid: radius',
    'userPassword: Radius-pw-3',
    '',
    // slapcat's rootdn-like entry.
    `dn: ${SLAPD_ADMIN}`,
    'objectClass: simpleSecurityObject',
    'objectClass: organizationalRole',
    'cn: admin',
    'description: LDAP administrator',
    `userPassword: ${ssha(SLAPD_ADMIN_PASSWORD)}`,
    '',
  ].join('\n');
}

describe('groups, service accounts and the built-in entries of a migrated OpenLDAP directory', function () {
  this.timeout(120000);
  let data: string;
  let server: RunningServer;

  const as = (dn: string, password: string) => ['-x', '-H', server.url, '-D', dn, '-w', password];
  const admin = () => as(ADMIN_DN, ADMIN_PASSWORD);
  const ldapadd = (bind: string[], input: string) => ldapTool('ldapadd', bind, input);
  const ldapmodify = (bind: string[], input: string) => ldapTool('ldapmodify', bind, input);
  const modify = (bind: string[], dn: string, ...changes: string[][]) =>
    ldapmodify(bind, ldif(`dn: ${dn}`, 'changetype: modify', ...changes.flatMap((c) => [...c, '-'])));
  const whoami = (dn: string, password: string) => ldapTool('ldapwhoami', as(dn, password));
  const read = (dn: string, ...attrs: string[]) => readAsAdmin(server.url, dn, ...attrs);
  const cli = (...args: string[]) => cairn(args, { data });
  const ok = (r: { status: number | null; stdout: string; stderr: string }) => {
    expect(r.status, r.stderr).to.equal(0);
    return r.stdout;
  };

  before(async () => {
    data = initData();
    // The site's numbers start at 10000, where Cairn's ids range starts too: init took none of them.
    importLdif(data, siteLdif());
    server = await startServer(data);
  });
  after(async () => {
    await server?.stop();
    if (data) removeData(data);
  });

  describe('memberUid follows member without losing values', () => {
    it('a member added to a group of 174 memberUid values adds its uid and keeps the 174; removing it takes only its uid', () => {
      expectResult(modify(admin(), `cn=legacy,${GROUP_OU}`, ['add: member', `member: ${person('alice')}`]), 0);
      let g = read(`cn=legacy,${GROUP_OU}`, 'member', 'memberUid')!;
      expect(sorted(g.memberuid)).to.deep.equal([...LEGACY_UIDS, 'alice'].sort());
      expect(lower(g.member)).to.deep.equal([person('alice')]);
      // A replace of member with the same person and another: the 174 stay, bob's uid joins.
      expectResult(modify(admin(), `cn=legacy,${GROUP_OU}`, ['replace: member', `member: ${person('alice')}`, `member: ${person('bob')}`]), 0);
      expect(sorted(read(`cn=legacy,${GROUP_OU}`, 'memberUid')!.memberuid)).to.deep.equal([...LEGACY_UIDS, 'alice', 'bob'].sort());
      expectResult(modify(admin(), `cn=legacy,${GROUP_OU}`, ['delete: member', `member: ${person('alice')}`]), 0);
      g = read(`cn=legacy,${GROUP_OU}`, 'member', 'memberUid')!;
      expect(sorted(g.memberuid)).to.deep.equal([...LEGACY_UIDS, 'bob'].sort());
      // The nss view: which groups name bob, by uid
      const nss = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', BASE, '(&(objectClass=posixGroup)(memberUid=bob))', 'cn']);
      expect(nss.stdout).to.match(/^cn: legacy$/m);
    });

    it('posixGroup added to a groupOfNames with members: memberUid gets all their uids', () => {
      expectResult(
        ldapadd(
          admin(),
          ldif(`dn: cn=plain,${GROUP_OU}`, 'objectClass: groupOfNames', 'cn: plain', `member: ${person('alice')}`, `member: ${person('sam', STAFF)}`),
        ),
        0,
      );
      expectResult(
        modify(
          admin(),
          `cn=plain,${GROUP_OU}`,
          ['add: objectClass', 'objectClass: posixGroup'],
          ['add: gidNumber', 'gidNumber: 10020'],
          ['add: memberUid', 'memberUid: localonly'],
        ),
        0,
      );
      expect(sorted(read(`cn=plain,${GROUP_OU}`, 'memberUid')!.memberuid)).to.deep.equal(['alice', 'localonly', 'sam']);
    });

    it('a person renamed, or whose uid is modified, is renamed in memberUid; deleted, leaves it; other values stay', () => {
      expectResult(modify(admin(), `cn=legacy,${GROUP_OU}`, ['add: memberUid', 'memberUid: carol']), 0);
      expectResult(ldapTool('ldapmodrdn', [...admin(), '-r', person('carol'), 'uid=caroline']), 0);
      expect(sorted(read(`cn=legacy,${GROUP_OU}`, 'memberUid')!.memberuid)).to.deep.equal([...LEGACY_UIDS, 'bob', 'caroline'].sort());
      // A person named by cn whose uid changes by modify.
      expectResult(ldapadd(admin(), ldif(`dn: cn=Dan D,${PEOPLE}`, 'objectClass: inetOrgPerson', 'cn: Dan D', 'sn: D', 'uid: dan')), 0);
      expectResult(modify(admin(), `cn=legacy,${GROUP_OU}`, ['add: member', `member: cn=Dan D,${PEOPLE}`]), 0);
      expectResult(modify(admin(), `cn=Dan D,${PEOPLE}`, ['replace: uid', 'uid: daniel']), 0);
      let uids = read(`cn=legacy,${GROUP_OU}`, 'memberUid')!.memberuid;
      expect(uids).to.include('daniel');
      expect(uids).not.to.include('dan');
      expectResult(ldapTool('ldapdelete', [...admin(), person('caroline'), `cn=Dan D,${PEOPLE}`]), 0);
      uids = read(`cn=legacy,${GROUP_OU}`, 'memberUid')!.memberuid;
      expect(sorted(uids)).to.deep.equal([...LEGACY_UIDS, 'bob'].sort());
    });
  });

  describe('the CLI on groups and people anywhere under the base', () => {
    it('group add-member / remove-member on a group in ou=Group: member and memberUid; the 174 stay', () => {
      ok(cli('group', 'add-member', 'legacy', 'sam'));
      let g = read(`cn=legacy,${GROUP_OU}`, 'member', 'memberUid')!;
      expect(lower(g.member)).to.include(person('sam', STAFF).toLowerCase());
      expect(g.memberuid).to.include('sam');
      expect(g.memberuid).to.include.members(LEGACY_UIDS);
      ok(cli('group', 'remove-member', 'legacy', 'sam'));
      g = read(`cn=legacy,${GROUP_OU}`, 'member', 'memberUid')!;
      expect(lower(g.member)).not.to.include(person('sam', STAFF).toLowerCase());
      expect(g.memberuid).not.to.include('sam');
      expect(g.memberuid).to.include.members(LEGACY_UIDS);
    });

    it('a memberUid-only group (groupOfUniqueNames + posixGroup): add-member and remove-member change memberUid', () => {
      ok(cli('group', 'add-member', 'unique', 'bob'));
      let g = read(`cn=unique,${GROUP_OU}`, 'member', 'memberUid', 'uniqueMember')!;
      expect(sorted(g.memberuid)).to.deep.equal(['alice', 'bob', 'olduser']);
      expect(g.member).to.equal(undefined);
      ok(cli('group', 'remove-member', 'unique', 'alice'));
      g = read(`cn=unique,${GROUP_OU}`, 'memberUid', 'uniqueMember')!;
      expect(sorted(g.memberuid)).to.deep.equal(['bob', 'olduser']);
      expectCleanError(cli('group', 'remove-member', 'unique', 'alice'), /alice is not a member/);
      expectCleanError(cli('group', 'add-member', 'unique', 'bob'), /bob is a member .* already/);
    });

    it('a member whose memberUid is there already (out of step): add-member adds member only; remove-member takes both', () => {
      expectResult(modify(admin(), `cn=staff,${GROUP_OU}`, ['add: memberUid', 'memberUid: bob']), 0);
      ok(cli('group', 'add-member', 'staff', 'bob'));
      let g = read(`cn=staff,${GROUP_OU}`, 'member', 'memberUid')!;
      expect(lower(g.member)).to.deep.equal([person('bob')]);
      expect(g.memberuid).to.deep.equal(['bob']);
      ok(cli('group', 'remove-member', 'staff', 'bob'));
      g = read(`cn=staff,${GROUP_OU}`, 'member', 'memberUid')!;
      expect(g.member).to.equal(undefined);
      expect(g.memberuid).to.equal(undefined);
    });

    it('two groups with one cn: a clear error naming both', () => {
      const r = cli('group', 'add-member', 'twin', 'bob');
      expectCleanError(r, /more than one group twin: /);
      expect(r.stderr).to.contain(`cn=twin,${GROUP_OU}`).and.to.contain(`cn=twin,${STAFF}`);
      expect(read(`cn=twin,${GROUP_OU}`, 'member')!.member).to.equal(undefined);
    });

    it('group list shows every group wherever it is, with its memberUid values and members', () => {
      const out = ok(cli('group', 'list'));
      const line = (cn: string) => out.split('\n').filter((l) => l.startsWith(`${cn}\t`));
      expect(line('legacy')).to.have.length(1);
      expect(line('legacy')[0].split('\t')[1]).to.equal('10010');
      expect(line('legacy')[0].split('\t')[2].split(',')).to.include.members([...LEGACY_UIDS, 'bob']);
      expect(line('unique')[0]).to.equal('unique\t10011\tolduser,bob');
      expect(line('twin')).to.have.length(2);
      expect(line('admins')).to.deep.equal(['admins\t-\tadmin']);
      expect(line('plain')[0]).to.match(/^plain\t10020\t/);
    });

    it('a person outside ou=people is found by uid (user show, passwd); services are not people', () => {
      expect(ok(cli('user', 'show', 'sam'))).to.contain(`dn: ${person('sam', STAFF)}`);
      ok(cli('user', 'passwd', 'sam', '--password', 'Sam-new-pw-1'));
      expect(whoami(person('sam', STAFF), 'Sam-new-pw-1').status).to.equal(0);
      expect(ok(cli('user', 'list'))).to.match(/^sam\t10003\t/m);
      expect(ok(cli('user', 'list'))).not.to.match(/^radius\t/m);
      expectCleanError(cli('user', 'show', 'radius'), /no person with uid radius/);
    });
  });

  describe('service accounts stored as OpenLDAP stores them (simpleSecurityObject)', () => {
    const services: [string, string][] = [
      [`cn=nss,${SERVICES}`, 'Nss-proxy-pw-1'],
      [`cn=webapp,${SERVICES}`, 'Webapp-pw-2'],
      [`uid=radius,${SERVICES}`, 'Radius-pw-3'],
    ];

    it('each binds ({SSHA} and cleartext imports), searches people, and may not write (50)', () => {
      for (const [dn, pw] of services) {
        const who = whoami(dn, pw);
        expect(who.status, `${dn}: ${who.stderr}`).to.equal(0);
        expect(whoami(dn, pw + 'x').status, dn).to.equal(49);
        const s = ldapTool('ldapsearch', [...as(dn, pw), '-LLL', '-b', PEOPLE, '(uid=alice)', 'uid']);
        expect(s.status, s.stderr).to.equal(0);
        expect(s.stdout).to.match(/^uid: alice$/m);
        expectResult(modify(as(dn, pw), person('alice'), ['replace: mail', 'mail: x@example.com']), 50, 'read-only');
        expectResult(modify(as(dn, pw), dn, ['replace: description', 'description: mine']), 50);
        expectResult(ldapadd(as(dn, pw), ldif(`dn: ou=x,${BASE}`, 'objectClass: organizationalUnit', 'ou: x')), 50);
      }
      // The password is a credential: never shown.
      expect(read(`cn=nss,${SERVICES}`)!.userpassword).to.equal(undefined);
    });

    it('ldapjs: a service binds, searches, and an add is refused (50)', async () => {
      const client = ldap.createClient({ url: server.url });
      client.on('error', () => undefined);
      try {
        await new Promise<void>((resolve, reject) => client.bind(`cn=webapp,${SERVICES}`, 'Webapp-pw-2', (err) => (err ? reject(err) : resolve())));
        const found = await new Promise<string[]>((resolve, reject) =>
          client.search(PEOPLE, { scope: 'sub', filter: '(uid=bob)', attributes: ['uid'] }, (err, res) => {
            if (err) return reject(err);
            const dns: string[] = [];
            res.on('searchEntry', (e) => dns.push(e.pojo.objectName));
            res.on('error', reject);
            res.on('end', () => resolve(dns));
          }),
        );
        expect(lower(found)).to.deep.equal([person('bob')]);
        const err = await new Promise<LdapJsError | null>((resolve) => client.add(`ou=y,${BASE}`, { objectClass: 'organizationalUnit', ou: 'y' }, resolve));
        expect(err?.code).to.equal(50);
      } finally {
        client.unbind();
      }
    });

    it('an administrator adds one over LDAP; without a password it is refused (65), and so is removing its password', () => {
      const dn = `cn=backup,${SERVICES}`;
      expectResult(
        ldapadd(admin(), ldif(`dn: ${dn}`, 'objectClass: organizationalRole', 'objectClass: simpleSecurityObject', 'cn: backup')),
        65,
        'userPassword',
      );
      expectResult(
        ldapadd(admin(), ldif(`dn: ${dn}`, 'objectClass: organizationalRole', 'objectClass: simpleSecurityObject', 'cn: backup', 'userPassword: Backup-pw-4')),
        0,
      );
      expect(whoami(dn, 'Backup-pw-4').status).to.equal(0);
      expectResult(modify(admin(), dn, ['delete: userPassword']), 65, 'userPassword');
      expect(whoami(dn, 'Backup-pw-4').status).to.equal(0);
      // A password can be replaced, and the entry changed otherwise, as usual.
      expectResult(modify(admin(), dn, ['replace: userPassword', 'userPassword: Backup-pw-5'], ['add: description', 'description: nightly']), 0);
      expect(whoami(dn, 'Backup-pw-5').status).to.equal(0);
    });

    it('a userPassword on an entry whose classes do not allow it is refused (65), as slapd does', () => {
      expectResult(ldapadd(admin(), ldif(`dn: cn=nopw,${GROUP_OU}`, 'objectClass: groupOfNames', 'cn: nopw', 'userPassword: Nope-pw-1')), 65, 'userPassword');
      expect(read(`cn=nopw,${GROUP_OU}`)).to.equal(undefined);
    });
  });

  describe('the slapcat cn=admin becomes an administrator', () => {
    it('binds with its {SSHA} password but may not write until `cairn admin add`; then may; `admin remove` takes it back', () => {
      const slapd = () => as(SLAPD_ADMIN, SLAPD_ADMIN_PASSWORD);
      expect(whoami(SLAPD_ADMIN, SLAPD_ADMIN_PASSWORD).status).to.equal(0);
      const ou = (name: string) => ldif(`dn: ou=${name},${BASE}`, 'objectClass: organizationalUnit', `ou: ${name}`);
      expectResult(ldapadd(slapd(), ou('before')), 50);

      expect(ok(cli('admin', 'add', SLAPD_ADMIN))).to.contain('is now an administrator');
      expect(ok(cli('admin', 'add', SLAPD_ADMIN))).to.contain('already');
      expect(
        ok(cli('admin', 'list'))
          .trim()
          .split('\n')
          .map((l) => l.toLowerCase())
          .sort(),
      ).to.deep.equal([SLAPD_ADMIN, ADMIN_DN.toLowerCase()].sort());
      expect(lower(read(SLAPD_ADMIN, 'memberOf')!.memberof)).to.deep.equal([`cn=admins,ou=groups,${BASE}`]);
      expectResult(ldapadd(slapd(), ou('after')), 0);
      expectResult(modify(slapd(), person('alice'), ['replace: mail', 'mail: alice@example.org']), 0);

      ok(cli('admin', 'remove', SLAPD_ADMIN));
      expectResult(ldapadd(slapd(), ou('removed')), 50);
      expectCleanError(cli('admin', 'remove', SLAPD_ADMIN), /not an administrator/);
      expectCleanError(cli('admin', 'remove', ADMIN_DN), /last administrator/);
      expectCleanError(cli('admin', 'add', `cn=nobody,${BASE}`), /does not exist/);
      expect(ok(cli('admin', 'list')).trim()).to.equal(ADMIN_DN);
    });
  });

  describe('the built-in entries make room', () => {
    it('the site imported its uidNumber and gidNumber 10000 without a collision; user add then gives the default group the next free gidNumber', () => {
      expect(read(ADMIN_DN, 'uidNumber', 'objectClass')!.uidnumber).to.equal(undefined);
      expect(read(`cn=users,ou=groups,${BASE}`, 'gidNumber')!.gidnumber).to.equal(undefined);
      const out = ok(cli('user', 'add', 'newbie', '--given', 'New', '--sn', 'Bie'));
      // gidNumbers in use: 10000 (staff, people), 10010-10012, 10020: the next one above them.
      expect(out).to.contain('The default group users had no gidNumber: it now has 10021');
      expect(out).to.contain('uidNumber 10004, gidNumber 10021');
      const users = read(`cn=users,ou=groups,${BASE}`, 'gidNumber', 'objectClass')!;
      expect(users.gidnumber).to.deep.equal(['10021']);
      expect(lower(users.objectclass)).to.include('posixgroup');
      // The second person reuses it.
      expect(ok(cli('user', 'add', 'second', '--given', 'Sec', '--sn', 'Ond'))).to.contain('gidNumber 10021)');
    });

    it('a user add that fails leaves the default group without a gidNumber (one transaction)', () => {
      const other = initData();
      try {
        const r = cairn(['user', 'add', 'bad', '--given', 'B', '--sn', 'D', '--ssh-key', 'not a key'], { data: other });
        expect(r.status).to.equal(1);
        const list = cairn(['group', 'list'], { data: other });
        expect(list.stdout).to.match(/^users\t-\t$/m);
      } finally {
        removeData(other);
      }
    });

    it('cairn init --posix-admin: the administrator is a POSIX account in a POSIX admins group', () => {
      const other = freshData();
      try {
        expect(cairn(['init', '--posix-admin', '--admin-password', ADMIN_PASSWORD], { data: other }).status).to.equal(0);
        const out = cairn(['user', 'show', 'admin'], { data: other }).stdout;
        expect(out).to.match(/^uidNumber: 10000$/m);
        expect(out).to.match(/^gidNumber: 10000$/m);
        expect(out).to.match(/^objectClass: posixAccount$/m);
        const list = cairn(['group', 'list'], { data: other }).stdout;
        expect(list).to.match(/^admins\t10000\tadmin$/m);
        expect(list).to.match(/^users\t-\t$/m);
      } finally {
        removeData(other);
      }
    });
  });
});
