/**
 * Administrators and people change the directory over LDAP: add, modify (add, delete, replace,
 * increment), delete and modify DN, as OpenLDAP's ldapadd/ldapmodify/ldapdelete/ldapmodrdn and the
 * ldapjs client see them. Result codes and their diagnosticMessage, schema checks, uniqueness, group
 * consistency (member, memberUid, memberOf) after delete and rename, access control, password storage
 * and the audit log.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import Database from 'better-sqlite3';
import {
  ADMIN_DN,
  ADMIN_PASSWORD,
  BASE,
  ROOT,
  TEST_ENV,
  cairn,
  importLdif,
  initData,
  ldapTool,
  removeData,
  startServer,
  type RunningServer,
} from '../helpers/server';
import { diagnostic, expectResult, readAsAdmin, type Attrs, type ToolResult } from '../helpers/ldap-output';

const PEOPLE = `ou=people,${BASE}`;
const GROUPS = `ou=groups,${BASE}`;
const CONTRACTORS = `ou=contractors,${BASE}`;
const person = (uid: string) => `uid=${uid},${PEOPLE}`;
const group = (cn: string) => `cn=${cn},${GROUPS}`;
/** Every person in the fixture has the password pw-<uid>-1234. */
const pw = (uid: string) => `pw-${uid}-1234`;
const SERVICE_DN = `cn=reader,ou=services,${BASE}`;
const SERVICE_PASSWORD = 'Reader-pass-1234';
const SHELLS = ['/bin/bash', '/bin/sh', '/bin/dash', '/bin/zsh', '/usr/bin/zsh', '/usr/bin/fish', '/bin/false', '/usr/sbin/nologin'];

/** An OpenSSH ed25519 public key line (random key material, correct framing). */
function sshKey(comment: string): string {
  const type = Buffer.from('ssh-ed25519');
  const blob = Buffer.alloc(4 + type.length + 4 + 32);
  blob.writeUInt32BE(type.length, 0);
  type.copy(blob, 4);
  blob.writeUInt32BE(32, 4 + type.length);
  randomBytes(32).copy(blob, 8 + type.length);
  return `ssh-ed25519 ${blob.toString('base64')} ${comment}`;
}

const ssha = (password: string, salt = randomBytes(8)) =>
  '{SSHA}' + Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64');
const sha = (password: string) => '{SHA}' + createHash('sha1').update(password).digest('base64');

const matchedDN = (r: ToolResult) => /matched DN: (.*)/i.exec(r.stderr + r.stdout)?.[1] ?? '';

const lower = (vs: string[] | undefined) => (vs ?? []).map((v) => v.toLowerCase()).sort();

describe('writes: add, modify, delete and rename over LDAP', function () {
  this.timeout(60000);
  let data: string;
  let server: RunningServer;

  const as = (dn: string, password: string) => ['-x', '-H', server.url, '-D', dn, '-w', password];
  const admin = () => as(ADMIN_DN, ADMIN_PASSWORD);
  const anonymous = () => ['-x', '-H', server.url];
  const ldif = (...lines: string[]) => lines.join('\n') + '\n';
  const ldapadd = (bind: string[], input: string) => ldapTool('ldapadd', bind, input);
  const ldapmodify = (bind: string[], input: string) => ldapTool('ldapmodify', bind, input);
  const ldapdelete = (bind: string[], ...dns: string[]) => ldapTool('ldapdelete', [...bind, ...dns]);
  const ldapmodrdn = (bind: string[], ...args: string[]) => ldapTool('ldapmodrdn', [...bind, ...args]);
  const whoami = (dn: string, password: string) => ldapTool('ldapwhoami', as(dn, password));
  /** One modify record: a DN and its changes, each change as its LDIF lines (without the "-" separator). */
  const modify = (bind: string[], dn: string, ...changes: string[][]) =>
    ldapmodify(bind, ldif(`dn: ${dn}`, 'changetype: modify', ...changes.flatMap((c) => [...c, '-'])));

  /** The entry as the administrator reads it, user and operational attributes; undefined when it does not exist. */
  const read = (dn: string, ...attrs: string[]) => readAsAdmin(server.url, dn, ...attrs);
  function mustRead(dn: string, ...attrs: string[]): Attrs {
    const e = read(dn, ...attrs);
    if (!e) throw new Error(`${dn} does not exist`);
    return e;
  }

  /** The stored hash of an entry's password, from the SQLite file (read-only). */
  function storedHash(dn: string): string | undefined {
    const db = new Database(join(data, 'cairn.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT c.hash AS hash FROM credentials c JOIN entries e ON e.id = c.entry_id WHERE e.ndn = ?').get(dn.toLowerCase()) as
        { hash: string } | undefined;
      return row?.hash;
    } finally {
      db.close();
    }
  }

  const newPerson = (uid: string, uidNumber: number, ...extra: string[]) =>
    ldif(
      `dn: ${person(uid)}`,
      'objectClass: inetOrgPerson',
      'objectClass: posixAccount',
      `uid: ${uid}`,
      `cn: ${uid}`,
      `sn: ${uid}`,
      `uidNumber: ${uidNumber}`,
      'gidNumber: 10001',
      `homeDirectory: /home/${uid}`,
      ...extra,
    );

  before(async () => {
    data = initData();
    importLdif(data, readFileSync(join(ROOT, 'test', 'fixtures', 'writes', 'directory.ldif'), 'utf8'));
    const svc = cairn(['service', 'add', 'reader', '--password', SERVICE_PASSWORD], { data });
    if (svc.status !== 0) throw new Error(`cairn service add failed: ${svc.stderr}`);
    server = await startServer(data);
  });

  after(async () => {
    if (server) await server.stop();
    if (data) removeData(data);
  });

  describe('result codes with a diagnosticMessage that names the attribute or rule', () => {
    it('noSuchObject (32) with matchedDN: add under a missing parent, modify/delete/rename a missing entry, a missing newSuperior', () => {
      const add = ldapadd(admin(), ldif(`dn: uid=x,ou=nowhere,${BASE}`, 'objectClass: inetOrgPerson', 'uid: x', 'cn: x', 'sn: x'));
      expectResult(add, 32, `ou=nowhere,${BASE}`);
      expect(matchedDN(add)).to.equal(BASE);

      const mod = modify(admin(), person('ghost'), ['replace: cn', 'cn: x']);
      expectResult(mod, 32, person('ghost'));
      expect(matchedDN(mod)).to.equal(PEOPLE);

      const del = ldapdelete(admin(), person('ghost'));
      expectResult(del, 32, person('ghost'));
      expect(matchedDN(del)).to.equal(PEOPLE);

      const two = ldapdelete(admin(), `cn=x,${person('ghost')}`);
      expectResult(two, 32);
      expect(matchedDN(two), 'the closest existing ancestor').to.equal(PEOPLE);

      const ren = ldapmodrdn(admin(), person('ghost'), 'uid=ghost2');
      expectResult(ren, 32, person('ghost'));
      expect(matchedDN(ren)).to.equal(PEOPLE);

      const sup = ldapmodrdn(admin(), '-s', `ou=nowhere,${BASE}`, person('ben'), 'uid=ben');
      expectResult(sup, 32, `ou=nowhere,${BASE}`);
      expect(matchedDN(sup)).to.equal(BASE);
      expect(read(person('ben'), 'uid'), 'ben was not moved').to.not.equal(undefined);
    });

    it('entryAlreadyExists (68): add an existing DN, rename onto an existing DN', () => {
      expectResult(ldapadd(admin(), newPerson('ben', 39999)), 68, person('ben'));
      expectResult(ldapmodrdn(admin(), person('ann'), 'uid=ben'), 68, person('ben'));
      expect(mustRead(person('ann'), 'uid').uid).to.deep.equal(['ann']);
    });

    it('objectClassViolation (65): a missing MUST, an attribute no class allows, no or two structural classes, an unknown class', () => {
      const base = [`dn: uid=oc-test,${PEOPLE}`, 'uid: oc-test', 'cn: oc'];
      expectResult(ldapadd(admin(), ldif(...base, 'objectClass: inetOrgPerson')), 65, "'sn'", 'inetOrgPerson');
      expectResult(ldapadd(admin(), ldif(...base, 'objectClass: inetOrgPerson', 'sn: x', 'homeDirectory: /home/x')), 65, "'homeDirectory'", 'not allowed');
      expectResult(ldapadd(admin(), ldif(...base, 'objectClass: posixAccount', 'uidNumber: 39001', 'gidNumber: 1', 'homeDirectory: /x')), 65, 'structural');
      expectResult(ldapadd(admin(), ldif(...base, 'objectClass: inetOrgPerson', 'objectClass: device', 'sn: x')), 65, 'structural', 'device');
      expectResult(ldapadd(admin(), ldif(...base, 'objectClass: inetOrgPerson', 'objectClass: sambaSamAccount', 'sn: x')), 65, 'sambaSamAccount');
      expect(read(`uid=oc-test,${PEOPLE}`, '1.1')).to.equal(undefined);

      // The same rules on modify and rename.
      expectResult(modify(admin(), person('ben'), ['delete: sn']), 65, "'sn'");
      expectResult(modify(admin(), person('ben'), ['add: objectClass', 'objectClass: organizationalUnit']), 65, 'structural');
      expectResult(
        modify(admin(), person('ben'), ['add: description', 'description: fine'], ['delete: objectClass', 'objectClass: posixAccount']),
        65,
        'not allowed',
      );
      expectResult(ldapmodrdn(admin(), person('ben'), 'dc=ben'), 65, "'dc'");
      expect(mustRead(person('ben'), 'sn', 'description').sn).to.deep.equal(['Example']);
    });

    it('namingViolation (64): the RDN value must be in the entry', () => {
      expectResult(ldapadd(admin(), ldif(`dn: uid=hal,${PEOPLE}`, 'objectClass: inetOrgPerson', 'uid: hal9000', 'cn: Hal', 'sn: 9000')), 64, "'uid'");
    });

    it('undefinedAttributeType (17) on add and modify', () => {
      expectResult(ldapadd(admin(), newPerson('undef', 39002, 'fooBar: 1')), 17, 'fooBar');
      expectResult(modify(admin(), person('ben'), ['add: fooBar', 'fooBar: 1']), 17, 'fooBar');
      expect(read(person('undef'), '1.1')).to.equal(undefined);
    });

    it('invalidAttributeSyntax (21): Integer, DN, Boolean, GeneralizedTime, IA5String, Directory String, OID, OpenSSH key', () => {
      const bad: [string, string][] = [
        ['uidNumber', 'ten'], // Integer
        ['seeAlso', 'not a DN'], // DN
        ['pwdReset', 'yes'], // Boolean
        ['pwdAccountLockedTime', 'yesterday'], // GeneralizedTime
        ['mail', 'jürgen@example.com'], // IA5String
        ['description', ''], // Directory String: empty
        ['sshPublicKey', 'ssh-rsa AAAA!!notbase64 me@host'], // OpenSSH public key
        ['sshPublicKey', `ssh-rsa ${sshKey('x').split(' ')[1]} type-mismatch`], // blob says ssh-ed25519
      ];
      for (const [attr, value] of bad) {
        const r = modify(admin(), person('ben'), [`replace: ${attr}`, `${attr}: ${value}`]);
        expectResult(r, 21, attr);
      }
      // OID: pwdAttribute of a password policy entry.
      const policy = (value: string) =>
        ldif(`dn: cn=oid-test,ou=policies,${BASE}`, 'objectClass: cairnPolicy', 'objectClass: pwdPolicy', 'cn: oid-test', `pwdAttribute: ${value}`);
      expectResult(ldapadd(admin(), policy('not an oid!')), 21, 'pwdAttribute');
      expectResult(ldapadd(admin(), policy('2.5.4.35')), 0);
      // The same checks on add.
      expectResult(ldapadd(admin(), newPerson('syntax', 39003, 'mail: ünïcode@example.com')), 21, 'mail');
      const ben = mustRead(person('ben'), 'uidNumber', 'mail', 'seeAlso', 'sshPublicKey');
      expect(ben.uidnumber).to.deep.equal(['30002']);
      expect(ben.mail).to.deep.equal(['ben@example.com']);
      expect(ben.seealso).to.equal(undefined);
    });

    it('constraintViolation (19): single-valued, no user modification, duplicate uid/uidNumber, gidNumber among groups', () => {
      expectResult(modify(admin(), person('ben'), ['add: uidNumber', 'uidNumber: 39004']), 19, 'uidNumber');
      expectResult(modify(admin(), person('ben'), ['replace: entryUUID', 'entryUUID: 3db0845d-5cd1-471c-a039-cb707c8e7632']), 19, 'entryUUID');
      expectResult(modify(admin(), person('ben'), ['add: memberOf', `memberOf: ${group('admins')}`]), 19, 'memberOf');
      expectResult(modify(admin(), person('ben'), ['replace: modifyTimestamp', 'modifyTimestamp: 20000101000000Z']), 19, 'modifyTimestamp');
      expectResult(ldapadd(admin(), newPerson('clone', 39005, 'createTimestamp: 20000101000000Z')), 19, 'createTimestamp');

      // uid and uidNumber are unique: on add, modify and rename.
      const uidTaken = ldapadd(admin(), ldif(`dn: cn=Ben Again,${PEOPLE}`, 'objectClass: inetOrgPerson', 'cn: Ben Again', 'sn: Again', 'uid: BEN'));
      expectResult(uidTaken, 19, 'uid', person('ben'));
      expectResult(ldapadd(admin(), newPerson('clone', 30002)), 19, 'uidNumber', '30002', person('ben'));
      expect(read(person('clone'), '1.1')).to.equal(undefined);
      expectResult(modify(admin(), person('ivy'), ['replace: uidNumber', 'uidNumber: 30002']), 19, 'uidNumber', person('ben'));
      expectResult(modify(admin(), person('ivy'), ['add: uid', 'uid: ben']), 19, 'uid', person('ben'));
      expectResult(ldapmodrdn(admin(), '-s', CONTRACTORS, person('ivy'), 'uid=ben'), 19, 'uid', person('ben'));

      // gidNumber is unique among posixGroups; people share their group's gidNumber.
      const devsGid = ldif(`dn: cn=devs2,${GROUPS}`, 'objectClass: groupOfNames', 'objectClass: posixGroup', 'cn: devs2', 'gidNumber: 31000');
      expectResult(ldapadd(admin(), devsGid), 19, 'gidNumber', '31000', group('devs'));
      expectResult(modify(admin(), group('qa'), ['replace: gidNumber', 'gidNumber: 31001']), 19, 'gidNumber', group('ops'));
      expectResult(ldapadd(admin(), newPerson('shares-gid', 39006)), 0);
      expect(mustRead(person('shares-gid'), 'gidNumber').gidnumber).to.deep.equal(['10001']);
    });

    it('constraintViolation (19): a group member that does not exist, on add and on modify', () => {
      const ghost = person('nobody-here');
      const add = ldapadd(
        admin(),
        ldif(
          `dn: cn=ghosts,${GROUPS}`,
          'objectClass: groupOfNames',
          'objectClass: posixGroup',
          'cn: ghosts',
          'gidNumber: 31100',
          `member: ${person('ben')}`,
          `member: ${ghost}`,
        ),
      );
      expectResult(add, 19, 'member', ghost);
      expect(read(group('ghosts'), '1.1')).to.equal(undefined);
      expectResult(modify(admin(), group('qa'), ['add: member', `member: ${ghost}`]), 19, 'member', ghost);
      expect(lower(mustRead(group('qa'), 'member').member)).to.not.include(ghost);
    });

    it('attributeOrValueExists (20): adding a value the entry has, or the same value twice', () => {
      expectResult(modify(admin(), person('ben'), ['add: mail', 'mail: BEN@example.com']), 20, 'mail');
      expectResult(modify(admin(), person('ben'), ['add: telephoneNumber', 'telephoneNumber: 1', 'telephoneNumber: 1']), 20, 'telephoneNumber');
      expectResult(ldapadd(admin(), newPerson('twice', 39007, 'mail: a@example.com', 'mail: A@example.com')), 20, 'mail');
    });

    it('noSuchAttribute (16): deleting a value or an attribute the entry does not have', () => {
      expectResult(modify(admin(), person('ben'), ['delete: mail', 'mail: other@example.com']), 16, 'mail');
      expectResult(modify(admin(), person('ben'), ['delete: telephoneNumber']), 16, 'telephoneNumber');
      expectResult(modify(admin(), person('ben'), ['increment: shadowMax', 'shadowMax: 1']), 16, 'shadowMax');
      expect(mustRead(person('ben'), 'mail').mail).to.deep.equal(['ben@example.com']);
    });

    it('notAllowedOnNonLeaf (66): deleting an entry that has children', () => {
      expectResult(ldapdelete(admin(), PEOPLE), 66, PEOPLE);
      expect(read(person('ben'), '1.1')).to.not.equal(undefined);
    });

    it('notAllowedOnRDN (67): a modify may not remove the value the entry is named by', () => {
      expectResult(modify(admin(), person('ben'), ['delete: uid', 'uid: ben']), 67, 'uid');
      expectResult(modify(admin(), person('ben'), ['replace: uid', 'uid: benjamin']), 67, 'uid');
      expectResult(modify(admin(), person('ben'), ['delete: uid']), 67, 'uid');
      expectResult(modify(admin(), group('qa'), ['replace: cn', 'cn: quality']), 67, 'cn');
      expect(mustRead(person('ben'), 'uid').uid).to.deep.equal(['ben']);
      // Adding a second value keeps the RDN: fine (and removed again).
      expectResult(modify(admin(), person('ben'), ['add: cn', 'cn: Benji']), 0);
      expectResult(modify(admin(), person('ben'), ['delete: cn', 'cn: Benji']), 0);
    });
  });

  describe('modify', () => {
    it('increment (RFC 4525): uidNumber by 5, and by a negative amount', () => {
      expectResult(modify(admin(), person('hank'), ['increment: uidNumber', 'uidNumber: 5']), 0);
      expect(mustRead(person('hank'), 'uidNumber').uidnumber).to.deep.equal(['30013']);
      expectResult(modify(admin(), person('hank'), ['increment: uidNumber', 'uidNumber: -5']), 0);
      expect(mustRead(person('hank'), 'uidNumber').uidnumber).to.deep.equal(['30008']);
    });

    it('increment is refused on a non-integer attribute, with a non-integer amount, and into a used uidNumber', () => {
      expectResult(modify(admin(), person('hank'), ['increment: cn', 'cn: 1']), 19, 'cn');
      expectResult(modify(admin(), person('hank'), ['increment: uidNumber', 'uidNumber: five']), 21, 'uidNumber');
      // 30008 + 1 = 30009 is ivy's.
      expectResult(modify(admin(), person('hank'), ['increment: uidNumber', 'uidNumber: 1']), 19, 'uidNumber', person('ivy'));
      const hank = mustRead(person('hank'), 'uidNumber', 'cn');
      expect(hank.uidnumber).to.deep.equal(['30008']);
      expect(hank.cn).to.deep.equal(['Hank Example']);
    });

    it('is one transaction: a record whose second change is invalid leaves the first undone', () => {
      const before = mustRead(person('ivy'), '*', '+');
      const r = modify(admin(), person('ivy'), ['replace: mail', 'mail: ivy.new@example.com'], ['replace: uidNumber', 'uidNumber: not-a-number']);
      expectResult(r, 21, 'uidNumber');
      const after = mustRead(person('ivy'), '*', '+');
      expect(after.mail).to.deep.equal(['ivy@example.com']);
      expect(after.modifytimestamp).to.deep.equal(before.modifytimestamp);
      expect(after.modifiersname).to.deep.equal(before.modifiersname);

      // A password change followed by an invalid change: the old password still works.
      const p = modify(admin(), person('ivy'), ['replace: userPassword', 'userPassword: Ivy-new-pass-999'], ['add: fooBar', 'fooBar: 1']);
      expectResult(p, 17, 'fooBar');
      expect(whoami(person('ivy'), pw('ivy')).status).to.equal(0);
      expect(whoami(person('ivy'), 'Ivy-new-pass-999').status).to.equal(49);

      // A group change followed by an invalid change: membership (and memberOf) unchanged.
      const g = modify(admin(), group('qa'), ['add: member', `member: ${person('ivy')}`], ['replace: gidNumber', 'gidNumber: 31000']);
      expectResult(g, 19, 'gidNumber');
      expect(lower(mustRead(group('qa'), 'member').member)).to.not.include(person('ivy'));
      expect(mustRead(person('ivy'), 'memberOf').memberof).to.equal(undefined);
    });

    it('add, delete and replace values; several changes in one record', () => {
      const r = modify(
        admin(),
        person('ivy'),
        ['add: mail', 'mail: ivy2@example.com'],
        ['add: telephoneNumber', 'telephoneNumber: +1 555 0100', 'telephoneNumber: +1 555 0101'],
        ['delete: telephoneNumber', 'telephoneNumber: +1 555 0100'],
        ['replace: givenName', 'givenName: Ivy', 'givenName: Ivy-Rose'],
        ['replace: displayName'],
      );
      expectResult(r, 0);
      const ivy = mustRead(person('ivy'), 'mail', 'telephoneNumber', 'givenName', 'displayName');
      expect(ivy.mail).to.deep.equal(['ivy@example.com', 'ivy2@example.com']);
      expect(ivy.telephonenumber).to.deep.equal(['+1 555 0101']);
      expect(ivy.givenname).to.deep.equal(['Ivy', 'Ivy-Rose']);
      expect(ivy.displayname).to.equal(undefined);
    });

    it('concurrent writes do not lose updates: 20 parallel increments, 8 parallel member adds', async () => {
      /** ldapTool, but without waiting: the clients run at the same time. */
      const ldapmodifyAsync = (input: string) =>
        new Promise<number | null>((resolve) => {
          const child = spawn('ldapmodify', admin(), { env: TEST_ENV, stdio: ['pipe', 'ignore', 'ignore'] });
          child.on('close', (code) => resolve(code));
          child.stdin.end(input);
        });
      expectResult(modify(admin(), person('hank'), ['replace: shadowMax', 'shadowMax: 100']), 0);
      const inc = ldif(`dn: ${person('hank')}`, 'changetype: modify', 'increment: shadowMax', 'shadowMax: 1', '-');
      expect(await Promise.all(Array.from({ length: 20 }, () => ldapmodifyAsync(inc)))).to.deep.equal(Array(20).fill(0));
      expect(mustRead(person('hank'), 'shadowMax').shadowmax).to.deep.equal(['120']);

      const uids = ['ann', 'ben', 'ivy', 'olga', 'lee', 'pat', 'dave', 'erin'];
      expectResult(ldapadd(admin(), ldif(`dn: cn=par,${GROUPS}`, 'objectClass: groupOfNames', 'objectClass: posixGroup', 'cn: par', 'gidNumber: 31400')), 0);
      const adds = uids.map((u) => ldapmodifyAsync(ldif(`dn: cn=par,${GROUPS}`, 'changetype: modify', 'add: member', `member: ${person(u)}`, '-')));
      expect(await Promise.all(adds)).to.deep.equal(Array(uids.length).fill(0));
      const par = mustRead(`cn=par,${GROUPS}`, 'member', 'memberUid');
      expect(lower(par.member)).to.deep.equal(uids.map(person).sort());
      expect([...par.memberuid].sort()).to.deep.equal([...uids].sort());
      for (const u of uids) expect(lower(mustRead(person(u), 'memberOf').memberof), u).to.include(`cn=par,${GROUPS}`);
      expectResult(ldapdelete(admin(), `cn=par,${GROUPS}`), 0);
      for (const u of uids) expect(lower(mustRead(person(u), 'memberOf').memberof), u).to.not.include(`cn=par,${GROUPS}`);
      expectResult(modify(admin(), person('hank'), ['delete: shadowMax']), 0);
    });

    it('modifyTimestamp and modifiersName follow each modify; entryUUID and createTimestamp never change', async () => {
      const before = mustRead(person('ben'), '+');
      await new Promise((resolve) => setTimeout(resolve, 1100)); // GeneralizedTime has one-second resolution here
      expectResult(modify(as(person('ben'), pw('ben')), person('ben'), ['replace: mobile', 'mobile: +1 555 0111']), 0);
      const self = mustRead(person('ben'), '+');
      expect(self.modifiersname).to.deep.equal([person('ben')]);
      expect(self.modifytimestamp[0] > before.modifytimestamp[0], `${self.modifytimestamp.join()} > ${before.modifytimestamp.join()}`).to.equal(true);

      await new Promise((resolve) => setTimeout(resolve, 1100));
      expectResult(modify(admin(), person('ben'), ['replace: description', 'description: touched']), 0);
      const after = mustRead(person('ben'), '+');
      expect(after.modifiersname).to.deep.equal([ADMIN_DN]);
      expect(after.modifytimestamp[0] > self.modifytimestamp[0], `${after.modifytimestamp.join()} > ${self.modifytimestamp.join()}`).to.equal(true);
      for (const e of [self, after]) {
        expect(e.entryuuid).to.deep.equal(before.entryuuid);
        expect(e.createtimestamp).to.deep.equal(before.createtimestamp);
        expect(e.creatorsname).to.deep.equal(before.creatorsname);
      }
    });
  });

  describe('passwords', () => {
    it('cleartext is stored as bcrypt, binds, and is never returned', () => {
      expectResult(ldapadd(admin(), newPerson('clear', 39010, 'userPassword: Clear-text-pass-1')), 0);
      expect(storedHash(person('clear'))).to.match(/^\{CRYPT\}\$2[aby]\$/);
      expect(whoami(person('clear'), 'Clear-text-pass-1').stdout.trim()).to.equal(`dn:${person('clear')}`);
      const out = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('clear'), '-s', 'base', 'userPassword', '*']).stdout;
      expect(out).to.not.match(/userPassword|Clear-text-pass-1|\$2[aby]\$/i);
    });

    for (const [scheme, make] of [
      ['{SSHA}', (p: string) => ssha(p)],
      ['{SHA}', (p: string) => sha(p)],
    ] as const) {
      it(`an administrator may write a migrated ${scheme} hash: it binds, and after the first bind it is stored as bcrypt`, () => {
        const uid = `mig-${scheme.slice(1, -1).toLowerCase()}`;
        const hash = make('Migrated-pass-1');
        expectResult(ldapadd(admin(), newPerson(uid, scheme === '{SSHA}' ? 39011 : 39012, `userPassword: ${hash}`)), 0);
        expect(storedHash(person(uid)), 'kept as given until the first bind').to.equal(hash);
        expect(whoami(person(uid), 'wrong-password').status).to.equal(49);
        expect(storedHash(person(uid)), 'a failed bind does not rehash').to.equal(hash);
        const ok = whoami(person(uid), 'Migrated-pass-1');
        expect(ok.status, ok.stderr).to.equal(0);
        expect(storedHash(person(uid))).to.match(/^\{CRYPT\}\$2[aby]\$/);
        expect(whoami(person(uid), 'Migrated-pass-1').status, 'binds with the bcrypt hash too').to.equal(0);
      });
    }

    it('an administrator may write a {SSHA} hash by modify, and a {CRYPT} bcrypt hash that is kept as is', () => {
      const hash = ssha('Replaced-pass-2');
      expectResult(modify(admin(), person('olga'), ['replace: userPassword', `userPassword: ${hash}`]), 0);
      expect(storedHash(person('olga'))).to.equal(hash);
      expect(whoami(person('olga'), pw('olga')).status).to.equal(49);
      expect(whoami(person('olga'), 'Replaced-pass-2').status).to.equal(0);
      expect(storedHash(person('olga'))).to.match(/^\{CRYPT\}\$2[aby]\$/);

      const crypt = '{CRYPT}' + bcrypt.hashSync('Bcrypt-pass-3', 4);
      expectResult(modify(admin(), person('olga'), ['replace: userPassword', `userPassword: ${crypt}`]), 0);
      expect(storedHash(person('olga'))).to.equal(crypt);
      expect(whoami(person('olga'), 'Bcrypt-pass-3').status).to.equal(0);
      expect(storedHash(person('olga'))).to.equal(crypt);
      // Restore the fixture password.
      expectResult(modify(admin(), person('olga'), ['replace: userPassword', `userPassword: ${pw('olga')}`]), 0);
    });

    it('an unsupported {SCHEME} value is refused rather than stored as text (21)', () => {
      expectResult(modify(admin(), person('olga'), ['replace: userPassword', 'userPassword: {KERBEROS}olga@EXAMPLE.COM']), 21, 'userPassword');
      expect(whoami(person('olga'), pw('olga')).status).to.equal(0);
    });

    it('a person changes their password the "delete old, add new" way: a wrong old password is refused (16)', () => {
      expectResult(ldapadd(admin(), newPerson('pwchange', 39050, 'userPassword: Old-pass-1')), 0);
      const self = () => as(person('pwchange'), 'Old-pass-1');
      const deleteOldAddNew = (old: string) =>
        modify(self(), person('pwchange'), ['delete: userPassword', `userPassword: ${old}`], ['add: userPassword', 'userPassword: New-pass-2']);
      expectResult(deleteOldAddNew('Not-the-old-one'), 16, 'userPassword');
      expect(whoami(person('pwchange'), 'New-pass-2').status).to.equal(49);
      expectResult(modify(self(), person('pwchange'), ['add: userPassword', 'userPassword: New-pass-2']), 20, 'userPassword');
      expectResult(deleteOldAddNew('Old-pass-1'), 0);
      expect(whoami(person('pwchange'), 'Old-pass-1').status).to.equal(49);
      expect(whoami(person('pwchange'), 'New-pass-2').status).to.equal(0);
      expect(storedHash(person('pwchange'))).to.match(/^\{CRYPT\}\$2[aby]\$/);
      // Deleting the password leaves an account that cannot bind.
      expectResult(modify(admin(), person('pwchange'), ['delete: userPassword']), 0);
      expect(whoami(person('pwchange'), 'New-pass-2').status).to.equal(49);
    });

    // Only administrators may write pre-hashed values (migration); a person's own must pass the rules as cleartext.
    it('a person may not set their own password to a pre-hashed {SSHA} value', () => {
      const r = modify(as(person('pat'), pw('pat')), person('pat'), ['replace: userPassword', `userPassword: ${ssha('weak')}`]);
      expect(whoami(person('pat'), 'weak').status, 'the hash of "weak" must not become the password').to.equal(49);
      if (r.status !== 0) expect(diagnostic(r)).to.include('userPassword');
    });
  });

  describe('access control', () => {
    const ann = () => as(person('ann'), annPassword);
    let annPassword = pw('ann');

    it('a person changes each self-writable attribute of their own entry', () => {
      const key = sshKey('ann@laptop');
      const changes: [string, string][] = [
        ['displayName', 'Ann E.'],
        ['givenName', 'Annie'],
        ['sn', 'Anderson'],
        ['cn', 'Annie Anderson'],
        ['mail', 'annie@example.com'],
        ['telephoneNumber', '+1 555 0123'],
        ['mobile', '+1 555 0199'],
        ['sshPublicKey', key],
        ['loginShell', '/usr/bin/fish'],
        ['shadowLastChange', '19876'],
      ];
      for (const [attr, value] of changes) {
        const r = modify(ann(), person('ann'), [`replace: ${attr}`, `${attr}: ${value}`]);
        expect(r.status, `${attr}: ${r.stderr}`).to.equal(0);
        expect(read(person('ann'), attr)?.[attr.toLowerCase()], attr).to.deep.equal([value]);
      }
      // add and delete too, not just replace.
      expectResult(modify(ann(), person('ann'), ['add: mail', 'mail: ann@example.org']), 0);
      expectResult(modify(ann(), person('ann'), ['delete: mail', 'mail: ann@example.org']), 0);
      expectResult(modify(ann(), person('ann'), ['add: sshPublicKey', `sshPublicKey: ${sshKey('ann@desktop')}`]), 0);
      expect(mustRead(person('ann'), 'sshPublicKey').sshpublickey).to.have.length(2);
      expectResult(modify(ann(), person('ann'), ['delete: telephoneNumber']), 0);
      // The DN as the person types it, in another case, is still their own entry.
      expectResult(modify(ann(), `UID=Ann, OU=People, ${BASE.toUpperCase()}`, ['replace: displayName', 'displayName: Ann Anderson']), 0);

      // userPassword: the new one binds, the old one no longer does, and it is stored as bcrypt.
      expectResult(modify(ann(), person('ann'), ['replace: userPassword', 'userPassword: Ann-new-pass-5678']), 0);
      expect(whoami(person('ann'), pw('ann')).status).to.equal(49);
      expect(whoami(person('ann'), 'Ann-new-pass-5678').status).to.equal(0);
      annPassword = 'Ann-new-pass-5678';
      expect(storedHash(person('ann'))).to.match(/^\{CRYPT\}\$2[aby]\$/);
    });

    it('every shell from the configured list is accepted for loginShell', () => {
      for (const shell of SHELLS) {
        const r = modify(ann(), person('ann'), ['replace: loginShell', `loginShell: ${shell}`]);
        expect(r.status, `${shell}: ${r.stderr}`).to.equal(0);
      }
      expect(mustRead(person('ann'), 'loginShell').loginshell).to.deep.equal(['/usr/sbin/nologin']);
      expectResult(modify(ann(), person('ann'), ['replace: loginShell', 'loginShell: /bin/bash']), 0);
    });

    it('a person may not change other attributes of their own entry (50, naming the attribute)', () => {
      const refused: [string, string][] = [
        ['uidNumber', '0'],
        ['gidNumber', '10000'],
        ['homeDirectory', '/root'],
        ['objectClass', 'inetOrgPerson'],
        ['description', 'mine'],
        ['uid', 'ann'],
      ];
      for (const [attr, value] of refused) expectResult(modify(ann(), person('ann'), [`replace: ${attr}`, `${attr}: ${value}`]), 50, attr);
      expectResult(modify(ann(), person('ann'), ['add: objectClass', 'objectClass: extensibleObject']), 50, 'objectClass');
      expectResult(modify(ann(), person('ann'), ['add: memberOf', `memberOf: ${group('admins')}`]), 50, 'memberOf');
      const e = mustRead(person('ann'), 'uidNumber', 'gidNumber', 'homeDirectory', 'objectClass', 'description', 'memberOf');
      expect(e.uidnumber).to.deep.equal(['30001']);
      expect(e.gidnumber).to.deep.equal(['10001']);
      expect(e.homedirectory).to.deep.equal(['/home/ann']);
      expect(e.description).to.equal(undefined);
      expect(e.memberof).to.equal(undefined);
    });

    it('a shell that is not in the list is refused (50, naming loginShell and the shell)', () => {
      for (const shell of ['/bin/evil', '/usr/local/bin/bash', 'bash', '/bin/rbash']) {
        const r = modify(ann(), person('ann'), ['replace: loginShell', `loginShell: ${shell}`]);
        expectResult(r, 50, 'loginShell', shell);
      }
      expect(mustRead(person('ann'), 'loginShell').loginshell).to.deep.equal(['/bin/bash']);
    });

    it('a record mixing allowed and refused changes is refused as a whole', () => {
      const r = modify(ann(), person('ann'), ['replace: displayName', 'displayName: Partial'], ['replace: homeDirectory', 'homeDirectory: /tmp']);
      expectResult(r, 50, 'homeDirectory');
      expect(mustRead(person('ann'), 'displayName').displayname).to.deep.equal(['Ann Anderson']);
    });

    it("a person may not change someone else's entry, nor add, delete or rename entries (50)", () => {
      expectResult(modify(ann(), person('ben'), ['replace: mail', 'mail: hijacked@example.com']), 50, person('ben'));
      expectResult(modify(ann(), person('ben'), ['replace: userPassword', 'userPassword: Taken-over-1']), 50);
      expectResult(modify(ann(), group('admins'), ['add: member', `member: ${person('ann')}`]), 50);
      expectResult(ldapadd(ann(), newPerson('annsfriend', 39020)), 50);
      expectResult(ldapdelete(ann(), person('ben')), 50);
      expectResult(ldapdelete(ann(), person('ann')), 50);
      expectResult(ldapmodrdn(ann(), person('ann'), 'uid=queen'), 50);
      expect(mustRead(person('ben'), 'mail').mail).to.deep.equal(['ben@example.com']);
      expect(whoami(person('ben'), pw('ben')).status).to.equal(0);
      expect(lower(mustRead(group('admins'), 'member').member)).to.deep.equal([ADMIN_DN]);
      expect(read(person('annsfriend'), '1.1')).to.equal(undefined);
    });

    it('a service account (cairn service add) binds and reads, but may not write (50)', () => {
      expect(whoami(SERVICE_DN, SERVICE_PASSWORD).stdout.trim()).to.equal(`dn:${SERVICE_DN}`);
      const svc = as(SERVICE_DN, SERVICE_PASSWORD);
      const search = ldapTool('ldapsearch', [...svc, '-LLL', '-b', PEOPLE, '(uid=ben)', 'uid']);
      expect(search.status).to.equal(0);
      expect(search.stdout).to.include('uid: ben');
      expectResult(modify(svc, SERVICE_DN, ['replace: description', 'description: mine']), 50, 'read-only');
      expectResult(modify(svc, SERVICE_DN, ['replace: userPassword', 'userPassword: New-svc-pass-1']), 50);
      expectResult(modify(svc, person('ben'), ['replace: mail', 'mail: svc@example.com']), 50);
      expectResult(ldapadd(svc, newPerson('bysvc', 39021)), 50);
      expectResult(ldapdelete(svc, person('ben')), 50);
      expectResult(ldapmodrdn(svc, person('ben'), 'uid=ben2'), 50);
      expect(whoami(SERVICE_DN, SERVICE_PASSWORD).status).to.equal(0);
      expect(mustRead(person('ben'), 'mail').mail).to.deep.equal(['ben@example.com']);
    });

    it('an anonymous client may not write anything (50)', () => {
      expectResult(ldapadd(anonymous(), newPerson('anon', 39022)), 50, 'anonymous');
      expectResult(modify(anonymous(), person('ben'), ['replace: mail', 'mail: anon@example.com']), 50, 'anonymous');
      expectResult(ldapdelete(anonymous(), person('ben')), 50, 'anonymous');
      expectResult(ldapmodrdn(anonymous(), person('ben'), 'uid=anon'), 50, 'anonymous');
      expect(mustRead(person('ben'), 'mail').mail).to.deep.equal(['ben@example.com']);
    });

    it('members of cn=admins may change everything', () => {
      const olga = () => as(person('olga'), pw('olga'));
      expectResult(modify(olga(), person('ben'), ['replace: title', 'title: Tester']), 50);
      expectResult(modify(admin(), group('admins'), ['add: member', `member: ${person('olga')}`]), 0);
      expectResult(modify(olga(), person('ben'), ['replace: title', 'title: Tester']), 0);
      expectResult(ldapadd(olga(), newPerson('byolga', 39023)), 0);
      expectResult(ldapmodrdn(olga(), '-r', person('byolga'), 'uid=byolga2'), 0);
      expectResult(ldapdelete(olga(), person('byolga2')), 0);
      expect(mustRead(person('ben'), 'title').title).to.deep.equal(['Tester']);
      expectResult(modify(admin(), group('admins'), ['delete: member', `member: ${person('olga')}`]), 0);
      expect(mustRead(person('olga'), 'memberOf').memberof).to.equal(undefined);
      expectResult(modify(olga(), person('ben'), ['delete: title']), 50);
    });
  });

  describe('group consistency: member, memberUid and memberOf', () => {
    const members = (g: string) => lower(mustRead(group(g), 'member').member);
    const memberUids = (g: string) => [...(mustRead(group(g), 'memberUid').memberuid ?? [])].sort();
    const memberOf = (dn: string) => lower(mustRead(dn, 'memberOf').memberof);

    it('memberOf follows a group at once: add, add member, delete member, replace, delete group', () => {
      const add = ldapadd(
        admin(),
        ldif(`dn: cn=tmp,${GROUPS}`, 'objectClass: groupOfNames', 'objectClass: posixGroup', 'cn: tmp', 'gidNumber: 31200', `member: ${person('ben')}`),
      );
      expectResult(add, 0);
      expect(memberOf(person('ben'))).to.deep.equal([group('tmp')]);
      expect(memberUids('tmp')).to.deep.equal(['ben']);

      expectResult(modify(admin(), group('tmp'), ['add: member', `member: ${person('pat')}`]), 0);
      expect(memberOf(person('pat'))).to.deep.equal([group('tmp')]);
      expect(memberUids('tmp')).to.deep.equal(['ben', 'pat']);

      expectResult(modify(admin(), group('tmp'), ['delete: member', `member: ${person('ben')}`]), 0);
      expect(memberOf(person('ben'))).to.deep.equal([]);
      expect(memberUids('tmp')).to.deep.equal(['pat']);

      expectResult(modify(admin(), group('tmp'), ['replace: member', `member: ${person('ben')}`, `member: ${person('ivy')}`]), 0);
      expect(memberOf(person('pat'))).to.deep.equal([]);
      expect(memberOf(person('ben'))).to.deep.equal([group('tmp')]);
      expect(memberOf(person('ivy'))).to.deep.equal([group('tmp')]);
      expect(memberUids('tmp')).to.deep.equal(['ben', 'ivy']);

      expectResult(ldapdelete(admin(), group('tmp')), 0);
      expect(memberOf(person('ben'))).to.deep.equal([]);
      expect(memberOf(person('ivy'))).to.deep.equal([]);
    });

    it('deleting a person removes them from every group: member and memberUid', () => {
      expect(memberOf(person('carol'))).to.deep.equal([group('devs'), group('ops')]);
      expectResult(ldapdelete(admin(), person('carol')), 0);
      expect(read(person('carol'), '1.1')).to.equal(undefined);
      expect(members('devs')).to.not.include(person('carol'));
      expect(members('ops')).to.not.include(person('carol'));
      expect(memberUids('devs')).to.not.include('carol');
      expect(memberUids('ops')).to.not.include('carol');
      expect(members('devs')).to.deep.equal([person('dave'), person('erin')]);
      const search = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', BASE, `(|(member=${person('carol')})(memberUid=carol))`, '1.1']);
      expect(search.stdout.trim()).to.equal('');
      // The uid can be used again, and the new carol is in no group.
      expectResult(ldapadd(admin(), newPerson('carol', 30003)), 0);
      expect(memberOf(person('carol'))).to.deep.equal([]);
      expect(memberUids('devs')).to.not.include('carol');
    });

    it('ldapmodrdn without -r: groups name the new DN, the old uid stays on the entry', () => {
      const uuid = mustRead(person('dave'), 'entryUUID').entryuuid;
      expectResult(ldapmodrdn(admin(), person('dave'), 'uid=david'), 0);
      expect(read(person('dave'), '1.1')).to.equal(undefined);
      const david = mustRead(person('david'), 'uid', 'entryUUID', 'memberOf');
      expect(david.uid.sort()).to.deep.equal(['dave', 'david']);
      expect(david.entryuuid).to.deep.equal(uuid);
      expect(lower(david.memberof)).to.deep.equal([group('devs')]);
      expect(members('devs')).to.include(person('david'));
      expect(members('devs')).to.not.include(person('dave'));
      // memberUid names the account by one of its uids (the entry still has both).
      const uids = memberUids('devs').filter((u) => u === 'dave' || u === 'david');
      expect(uids).to.have.length(1);
      expect(whoami(person('david'), pw('dave')).status).to.equal(0);
    });

    it('ldapmodrdn -r: member and memberUid in every group follow, memberOf stays, entryUUID and password are kept', () => {
      const uuid = mustRead(person('erin'), 'entryUUID').entryuuid;
      expectResult(ldapmodrdn(admin(), '-r', person('erin'), 'uid=erika'), 0);
      const erika = mustRead(person('erika'), 'uid', 'entryUUID', 'memberOf');
      expect(erika.uid).to.deep.equal(['erika']);
      expect(erika.entryuuid).to.deep.equal(uuid);
      expect(lower(erika.memberof)).to.deep.equal([group('devs'), group('ops')]);
      for (const g of ['devs', 'ops']) {
        expect(members(g), g).to.include(person('erika'));
        expect(members(g), g).to.not.include(person('erin'));
        expect(memberUids(g), g).to.include('erika');
        expect(memberUids(g), g).to.not.include('erin');
      }
      expect(whoami(person('erika'), pw('erin')).status).to.equal(0);
      expect(whoami(person('erin'), pw('erin')).status).to.equal(49);
    });

    it('ldapmodrdn -r -s newSuperior moves a person to another ou: groups follow', () => {
      const uuid = mustRead(person('frank'), 'entryUUID').entryuuid;
      expectResult(ldapmodrdn(admin(), '-r', '-s', CONTRACTORS, person('frank'), 'uid=frank'), 0);
      const moved = `uid=frank,${CONTRACTORS}`;
      expect(read(person('frank'), '1.1')).to.equal(undefined);
      const frank = mustRead(moved, 'uid', 'entryUUID', 'memberOf');
      expect(frank.uid).to.deep.equal(['frank']);
      expect(frank.entryuuid).to.deep.equal(uuid);
      expect(lower(frank.memberof)).to.deep.equal([group('ops')]);
      expect(members('ops')).to.include(moved);
      expect(members('ops')).to.not.include(person('frank'));
      expect(memberUids('ops')).to.include('frank');
      const one = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', PEOPLE, '-s', 'one', '(uid=frank)', '1.1']);
      expect(one.stdout.trim()).to.equal('');
      expect(whoami(moved, pw('frank')).status).to.equal(0);
    });

    it('renaming a whole ou moves its people: groups name their new DNs', () => {
      expectResult(ldapadd(admin(), ldif(`dn: ou=interns,${BASE}`, 'objectClass: organizationalUnit', 'ou: interns')), 0);
      expectResult(ldapadd(admin(), newPerson('quinn', 39030).replace(PEOPLE, `ou=interns,${BASE}`)), 0);
      expectResult(modify(admin(), group('qa'), ['add: member', `member: uid=quinn,ou=interns,${BASE}`]), 0);
      expectResult(ldapmodrdn(admin(), '-r', `ou=interns,${BASE}`, 'ou=trainees'), 0);
      const moved = `uid=quinn,ou=trainees,${BASE}`;
      expect(lower(mustRead(moved, 'memberOf').memberof)).to.deep.equal([group('qa')]);
      expect(members('qa')).to.include(moved);
      expect(members('qa')).to.not.include(`uid=quinn,ou=interns,${BASE}`);
      expect(memberUids('qa')).to.include('quinn');
    });

    it("renaming a group updates its members' memberOf", () => {
      const uuid = mustRead(group('qa'), 'entryUUID').entryuuid;
      expectResult(ldapmodrdn(admin(), '-r', group('qa'), 'cn=quality'), 0);
      expect(read(group('qa'), '1.1')).to.equal(undefined);
      expect(mustRead(group('quality'), 'entryUUID').entryuuid).to.deep.equal(uuid);
      for (const uid of ['gwen', 'hank']) expect(memberOf(person(uid)), uid).to.deep.equal([group('quality')]);
      const search = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', BASE, `(memberOf=${group('qa')})`, '1.1']);
      expect(search.stdout.trim()).to.equal('');
    });

    // RFC 2307 groups (memberUid only) follow a person's delete and rename too.
    it('deleting or renaming a person also updates memberUid-only groups', () => {
      expectResult(ldapmodrdn(admin(), '-r', person('lee'), 'uid=leigh'), 0);
      expect(memberUids('legacy')).to.deep.equal(['ben', 'leigh']);
      expectResult(ldapdelete(admin(), person('leigh')), 0);
      expect(memberUids('legacy')).to.deep.equal(['ben']);
    });
  });

  describe('audit log', () => {
    interface AuditLine {
      who: string;
      op: string;
      dn: string;
      attributes?: string[];
      result: number;
      reason?: string;
    }
    const auditFile = () => join(data, 'audit.log');
    const auditLines = (): AuditLine[] =>
      existsSync(auditFile())
        ? readFileSync(auditFile(), 'utf8')
            .split('\n')
            .filter((l) => l.trim())
            .map((l) => JSON.parse(l) as AuditLine)
        : [];
    /** The log is written asynchronously: wait for a line to appear. */
    async function waitForLine(match: (l: AuditLine) => boolean): Promise<AuditLine> {
      for (let i = 0; i < 50; i++) {
        const hit = auditLines().find(match);
        if (hit) return hit;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`no matching audit line in:\n${existsSync(auditFile()) ? readFileSync(auditFile(), 'utf8') : '(no file)'}`);
    }
    const SECRET_OK = 'Audit-secret-Allowed-7781';
    const SECRET_REFUSED = 'Audit-secret-Refused-9923';

    it('an allowed write: who, op, dn, attribute names, result 0, and no password value', async () => {
      expectResult(modify(admin(), person('pat'), ['replace: userPassword', `userPassword: ${SECRET_OK}`], ['replace: title', 'title: Audited']), 0);
      const line = await waitForLine((l) => l.dn.toLowerCase() === person('pat') && l.result === 0 && (l.attributes ?? []).some((a) => /title/i.test(a)));
      expect(line.who).to.equal(ADMIN_DN);
      expect(line.op).to.equal('modify');
      expect(line.attributes!.join(' ')).to.match(/userPassword/);
      expect(line.attributes!.join(' ')).to.match(/title/);
      expect(line.reason).to.equal(undefined);
      expect(readFileSync(auditFile(), 'utf8')).to.not.include(SECRET_OK);
      expect(whoami(person('pat'), SECRET_OK).status).to.equal(0);
    });

    it('a refused write: who, op, dn, attribute names, result and reason, and no password value', async () => {
      const r = modify(as(person('ben'), pw('ben')), person('pat'), ['replace: userPassword', `userPassword: ${SECRET_REFUSED}`]);
      expectResult(r, 50);
      const line = await waitForLine((l) => l.dn.toLowerCase() === person('pat') && l.result === 50 && l.who.toLowerCase() === person('ben'));
      expect(line.op).to.equal('modify');
      expect(line.attributes!.join(' ')).to.match(/userPassword/);
      expect(line.reason).to.be.a('string').and.not.equal('');
      expect(line.reason).to.equal(diagnostic(r));

      const self = modify(as(person('pat'), SECRET_OK), person('pat'), ['replace: uidNumber', 'uidNumber: 0']);
      expectResult(self, 50, 'uidNumber');
      const own = await waitForLine(
        (l) => l.who.toLowerCase() === person('pat') && l.result === 50 && (l.attributes ?? []).some((a) => a.includes('uidNumber')),
      );
      expect(own.reason).to.include('uidNumber');
      expect(own.attributes!.join(' ')).to.match(/uidNumber/);

      const anon = ldapadd(anonymous(), newPerson('anon-audit', 39040, `userPassword: ${SECRET_REFUSED}`));
      expectResult(anon, 50);
      const add = await waitForLine((l) => l.dn.toLowerCase() === person('anon-audit'));
      expect(add).to.include({ who: 'anonymous', op: 'add', result: 50 });
      expect(add.attributes).to.include.members(['objectClass', 'uid', 'userPassword']);

      const text = readFileSync(auditFile(), 'utf8');
      expect(text).to.not.include(SECRET_REFUSED);
      expect(text).to.not.include(SECRET_OK);
    });

    it('delete and rename are audited too', async () => {
      expectResult(ldapadd(admin(), newPerson('audit-del', 39041, 'userPassword: Del-pass-1')), 0);
      expectResult(ldapmodrdn(admin(), '-r', person('audit-del'), 'uid=audit-del2'), 0);
      expectResult(ldapdelete(admin(), person('audit-del2')), 0);
      const add = await waitForLine((l) => l.op === 'add' && l.dn.toLowerCase() === person('audit-del'));
      const ren = await waitForLine((l) => l.op === 'modifyDN' && l.dn.toLowerCase() === person('audit-del'));
      const del = await waitForLine((l) => l.op === 'delete' && l.dn.toLowerCase() === person('audit-del2'));
      for (const l of [add, ren, del]) expect(l).to.include({ who: ADMIN_DN, result: 0 });
      expect(readFileSync(auditFile(), 'utf8')).to.not.include('Del-pass-1');
    });
  });

  describe('the ldapjs client', () => {
    // ldapjs ships no types and @types/ldapjs is not installed: a small local view of what the tests use.
    interface LdapError extends Error {
      code: number;
      lde_message?: string;
      /** Set by the shim below: the server's diagnosticMessage. */
      diagnosticMessage?: string;
      /** The matchedDN of the result, as a string ('' when none). */
      dn: string;
    }
    interface Modification {
      type: string;
      values: string[];
    }
    interface LdapClient {
      bind(dn: string, password: string, cb: (err: LdapError | null) => void): void;
      add(dn: string, entry: Record<string, string | string[]>, cb: (err: LdapError | null) => void): void;
      modify(dn: string, changes: unknown[], cb: (err: LdapError | null) => void): void;
      del(dn: string, cb: (err: LdapError | null) => void): void;
      modifyDN(dn: string, newDn: string, cb: (err: LdapError | null) => void): void;
      unbind(cb?: (err?: Error) => void): void;
      destroy(err?: Error): void;
      on(event: string, fn: (...args: unknown[]) => void): void;
    }
    interface LdapJs {
      createClient(options: { url: string; timeout?: number; connectTimeout?: number }): LdapClient;
      Change: new (o: { operation: 'add' | 'delete' | 'replace'; modification: Modification }) => unknown;
      EntryAlreadyExistsError: new (...args: unknown[]) => LdapError;
      NoSuchObjectError: new (...args: unknown[]) => LdapError;
      InsufficientAccessRightsError: new (...args: unknown[]) => LdapError;
      ConstraintViolationError: new (...args: unknown[]) => LdapError;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ldap = require('ldapjs') as LdapJs;
    const clients: LdapClient[] = [];

    // ldapjs 3.0.7 drops the diagnosticMessage of a failed result: its errors.getError reads
    // res.errorMessage, which @ldapjs/messages' LdapResult no longer has, so err.message is only the
    // result code's name ("Constraint Violation"; ldapjs issue #878). The server does send the message;
    // to check it through this client, the tests wrap getError (in this process only) to keep it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ldapErrors = require('ldapjs/lib/errors') as { getError: (res: { diagnosticMessage?: string }) => LdapError };
    const originalGetError = ldapErrors.getError;
    before(() => {
      ldapErrors.getError = (res) => Object.assign(originalGetError(res), { diagnosticMessage: res.diagnosticMessage ?? '' });
    });
    after(() => {
      ldapErrors.getError = originalGetError;
    });

    function client(): LdapClient {
      const c = ldap.createClient({ url: server.url, timeout: 15000, connectTimeout: 5000 });
      c.on('error', () => undefined);
      clients.push(c);
      return c;
    }
    /** Runs one callback-style operation; resolves with its error, or undefined on success. */
    const run = (op: (cb: (err: LdapError | null) => void) => void) => new Promise<LdapError | undefined>((resolve) => op((err) => resolve(err ?? undefined)));
    async function bound(dn: string, password: string): Promise<LdapClient> {
      const c = client();
      const err = await run((cb) => c.bind(dn, password, cb));
      if (err) throw err;
      return c;
    }
    const change = (operation: 'add' | 'delete' | 'replace', type: string, ...values: string[]) =>
      new ldap.Change({ operation, modification: { type, values } });
    function expectError(err: LdapError | undefined, code: number, ...words: string[]) {
      expect(err, `expected result ${code}`).to.not.equal(undefined);
      expect(err!.code, err!.message).to.equal(code);
      for (const w of words) expect(err!.diagnosticMessage, `diagnosticMessage should name ${w}`).to.include(w);
    }
    const jsPerson = (uid: string, uidNumber: number): Record<string, string | string[]> => ({
      objectClass: ['inetOrgPerson', 'posixAccount'],
      uid,
      cn: uid,
      sn: uid,
      uidNumber: String(uidNumber),
      gidNumber: '10001',
      homeDirectory: `/home/${uid}`,
      userPassword: `pw-${uid}-1234`,
    });

    afterEach(async () => {
      await Promise.all(
        clients.splice(0).map(
          (c) =>
            new Promise<void>((resolve) => {
              const timer = setTimeout(() => {
                c.destroy();
                resolve();
              }, 2000);
              c.unbind(() => {
                clearTimeout(timer);
                resolve();
              });
            }),
        ),
      );
    });

    it('add: success, then entryAlreadyExists (68), noSuchObject (32) with matchedDN, 65, 17, 21, 19', async () => {
      const c = await bound(ADMIN_DN, ADMIN_PASSWORD);
      expect(await run((cb) => c.add(person('js-amy'), jsPerson('js-amy', 39100), cb))).to.equal(undefined);
      expect(whoami(person('js-amy'), pw('js-amy')).status).to.equal(0);
      expect(storedHash(person('js-amy'))).to.match(/^\{CRYPT\}\$2[aby]\$/);

      const exists = await run((cb) => c.add(person('js-amy'), jsPerson('js-amy', 39101), cb));
      expect(exists).to.be.instanceOf(ldap.EntryAlreadyExistsError);
      expectError(exists, 68, person('js-amy'));

      const missing = await run((cb) => c.add(`uid=x,ou=nowhere,${BASE}`, jsPerson('x', 39102), cb));
      expect(missing).to.be.instanceOf(ldap.NoSuchObjectError);
      expectError(missing, 32, `ou=nowhere,${BASE}`);
      expect(missing!.dn.toLowerCase()).to.equal(BASE);

      const { sn: _sn, ...noSn } = jsPerson('js-nosn', 39103);
      expectError(await run((cb) => c.add(person('js-nosn'), noSn, cb)), 65, "'sn'");
      expectError(await run((cb) => c.add(person('js-undef'), { ...jsPerson('js-undef', 39104), fooBar: 'x' }, cb)), 17, 'fooBar');
      expectError(await run((cb) => c.add(person('js-syntax'), { ...jsPerson('js-syntax', 39105), uidNumber: 'many' }, cb)), 21, 'uidNumber');
      const dup = await run((cb) => c.add(person('js-dup'), jsPerson('js-dup', 39100), cb));
      expect(dup).to.be.instanceOf(ldap.ConstraintViolationError);
      expectError(dup, 19, 'uidNumber', person('js-amy'));
    });

    it('modify: replace, add and delete values; 20, 16, 67, 21, 19 naming the attribute; a failed request changes nothing', async () => {
      const c = await bound(ADMIN_DN, ADMIN_PASSWORD);
      expect(await run((cb) => c.add(person('js-bo'), jsPerson('js-bo', 39110), cb))).to.equal(undefined);
      expect(
        await run((cb) => c.modify(person('js-bo'), [change('replace', 'mail', 'bo@example.com'), change('add', 'telephoneNumber', '1', '2')], cb)),
      ).to.equal(undefined);
      expect(await run((cb) => c.modify(person('js-bo'), [change('delete', 'telephoneNumber', '1')], cb))).to.equal(undefined);
      let bo = mustRead(person('js-bo'), 'mail', 'telephoneNumber');
      expect(bo.mail).to.deep.equal(['bo@example.com']);
      expect(bo.telephonenumber).to.deep.equal(['2']);

      expectError(await run((cb) => c.modify(person('js-bo'), [change('add', 'mail', 'BO@example.com')], cb)), 20, 'mail');
      expectError(await run((cb) => c.modify(person('js-bo'), [change('delete', 'mobile', '1')], cb)), 16, 'mobile');
      expectError(await run((cb) => c.modify(person('js-bo'), [change('delete', 'uid', 'js-bo')], cb)), 67, 'uid');
      expectError(
        await run((cb) => c.modify(person('js-bo'), [change('replace', 'mail', 'new@example.com'), change('replace', 'gidNumber', 'x')], cb)),
        21,
        'gidNumber',
      );
      expectError(await run((cb) => c.modify(person('js-bo'), [change('replace', 'uidNumber', '30001')], cb)), 19, 'uidNumber', person('ann'));
      const ghost = await run((cb) => c.modify(person('js-ghost'), [change('replace', 'mail', 'x@example.com')], cb));
      expect(ghost).to.be.instanceOf(ldap.NoSuchObjectError);
      expect(ghost!.dn.toLowerCase()).to.equal(PEOPLE);
      bo = mustRead(person('js-bo'), 'mail', 'uidNumber');
      expect(bo.mail).to.deep.equal(['bo@example.com']);
      expect(bo.uidnumber).to.deep.equal(['39110']);
    });

    it('self-service: a person changes their mail and shell; uidNumber, a bad shell and another entry are refused (50)', async () => {
      const admin = await bound(ADMIN_DN, ADMIN_PASSWORD);
      expect(await run((cb) => admin.add(person('js-cy'), jsPerson('js-cy', 39120), cb))).to.equal(undefined);
      const c = await bound(person('js-cy'), pw('js-cy'));
      expect(
        await run((cb) => c.modify(person('js-cy'), [change('replace', 'mail', 'cy@example.com'), change('replace', 'loginShell', '/bin/zsh')], cb)),
      ).to.equal(undefined);
      const uidNumber = await run((cb) => c.modify(person('js-cy'), [change('replace', 'uidNumber', '0')], cb));
      expect(uidNumber).to.be.instanceOf(ldap.InsufficientAccessRightsError);
      expectError(uidNumber, 50, 'uidNumber');
      expectError(await run((cb) => c.modify(person('js-cy'), [change('replace', 'loginShell', '/bin/rbash')], cb)), 50, 'loginShell', '/bin/rbash');
      expectError(await run((cb) => c.modify(person('ben'), [change('replace', 'mail', 'cy-was-here@example.com')], cb)), 50);
      expectError(await run((cb) => c.del(person('ben'), cb)), 50);
      const cy = mustRead(person('js-cy'), 'mail', 'loginShell', 'uidNumber');
      expect(cy).to.deep.include({ mail: ['cy@example.com'], loginshell: ['/bin/zsh'], uidnumber: ['39120'] });
      expect(mustRead(person('ben'), 'mail').mail).to.deep.equal(['ben@example.com']);
    });

    it('a service account and an anonymous client may not write (50)', async () => {
      const svc = await bound(SERVICE_DN, SERVICE_PASSWORD);
      expectError(await run((cb) => svc.add(person('js-svc'), jsPerson('js-svc', 39130), cb)), 50);
      expectError(await run((cb) => svc.modify(SERVICE_DN, [change('replace', 'description', 'x')], cb)), 50, 'read-only');
      expectError(await run((cb) => svc.modifyDN(person('ben'), `uid=ben2,${PEOPLE}`, cb)), 50);
      const anon = client();
      expectError(await run((cb) => anon.add(person('js-anon'), jsPerson('js-anon', 39131), cb)), 50, 'anonymous');
      expectError(await run((cb) => anon.modify(person('ben'), [change('replace', 'mail', 'x@example.com')], cb)), 50, 'anonymous');
      expectError(await run((cb) => anon.del(person('ben'), cb)), 50, 'anonymous');
      expectError(await run((cb) => anon.modifyDN(person('ben'), `uid=ben2,${PEOPLE}`, cb)), 50, 'anonymous');
      expect(read(person('js-svc'), '1.1')).to.equal(undefined);
      expect(read(person('ben'), '1.1')).to.not.equal(undefined);
    });

    it('groups: a missing member is refused (19); rename and move keep member, memberUid and memberOf; delete cleans up', async () => {
      const c = await bound(ADMIN_DN, ADMIN_PASSWORD);
      for (const [uid, n] of [
        ['js-di', 39140],
        ['js-ed', 39141],
      ] as const)
        expect(await run((cb) => c.add(person(uid), jsPerson(uid, n), cb))).to.equal(undefined);
      const grp = (members: string[]) => ({ objectClass: ['groupOfNames', 'posixGroup'], cn: 'js-team', gidNumber: '31300', member: members });
      const bad = await run((cb) => c.add(group('js-team'), grp([person('js-di'), person('js-nobody')]), cb));
      expect(bad).to.be.instanceOf(ldap.ConstraintViolationError);
      expectError(bad, 19, 'member', person('js-nobody'));
      expect(await run((cb) => c.add(group('js-team'), grp([person('js-di'), person('js-ed')]), cb))).to.equal(undefined);
      expect(lower(mustRead(person('js-di'), 'memberOf').memberof)).to.deep.equal([group('js-team')]);

      // ldapjs's modifyDN always sets deleteOldRdn; a full new DN with another parent sets newSuperior.
      expect(await run((cb) => c.modifyDN(person('js-di'), `uid=js-dina,${PEOPLE}`, cb))).to.equal(undefined);
      expect(await run((cb) => c.modifyDN(person('js-ed'), `uid=js-ed,${CONTRACTORS}`, cb))).to.equal(undefined);
      let team = mustRead(group('js-team'), 'member', 'memberUid');
      expect(lower(team.member)).to.deep.equal([person('js-dina'), `uid=js-ed,${CONTRACTORS}`].sort());
      expect(team.memberuid.sort()).to.deep.equal(['js-dina', 'js-ed']);
      expect(mustRead(person('js-dina'), 'uid').uid).to.deep.equal(['js-dina']);

      expect(await run((cb) => c.modifyDN(group('js-team'), `cn=js-crew,${GROUPS}`, cb))).to.equal(undefined);
      expect(lower(mustRead(person('js-dina'), 'memberOf').memberof)).to.deep.equal([group('js-crew')]);
      expect(lower(mustRead(`uid=js-ed,${CONTRACTORS}`, 'memberOf').memberof)).to.deep.equal([group('js-crew')]);

      expect(await run((cb) => c.del(person('js-dina'), cb))).to.equal(undefined);
      team = mustRead(group('js-crew'), 'member', 'memberUid');
      expect(lower(team.member)).to.deep.equal([`uid=js-ed,${CONTRACTORS}`]);
      expect(team.memberuid).to.deep.equal(['js-ed']);
      expect(await run((cb) => c.del(group('js-crew'), cb))).to.equal(undefined);
      expect(mustRead(`uid=js-ed,${CONTRACTORS}`, 'memberOf').memberof).to.equal(undefined);

      const nonLeaf = await run((cb) => c.del(CONTRACTORS, cb));
      expectError(nonLeaf, 66, CONTRACTORS);
      const gone = await run((cb) => c.del(person('js-dina'), cb));
      expect(gone).to.be.instanceOf(ldap.NoSuchObjectError);
      expect(gone!.dn.toLowerCase()).to.equal(PEOPLE);
      expectError(await run((cb) => c.modifyDN(person('ben'), `uid=ann,${PEOPLE}`, cb)), 68, person('ann'));
    });
  });
});
