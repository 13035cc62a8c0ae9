import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  ADMIN_DN,
  ADMIN_PASSWORD,
  BASE,
  CAIRN,
  cairn,
  freshData,
  importLdif,
  initData,
  ldapTool,
  peopleLdif,
  removeData,
  startServer,
  TEST_ENV,
  type RunningServer,
} from '../helpers/server';
import { parseEntries } from '../helpers/ldap-output';

// ---------------------------------------------------------------------------------------------------------
// Small helpers: what a user reads off ldapsearch, and how every CLI error must look.
// ---------------------------------------------------------------------------------------------------------

interface Entry {
  dn: string;
  /** Attribute values by lower-cased attribute name. */
  attrs: Record<string, string[]>;
}

const bindAs = (url: string, dn: string, password: string) => ['-x', '-H', url, '-D', dn, '-w', password];
const admin = (url: string) => bindAs(url, ADMIN_DN, ADMIN_PASSWORD);

function search(args: string[], base: string, filter: string, attrs: string[] = [], scope = 'sub') {
  const r = ldapTool('ldapsearch', [...args, '-LLL', '-o', 'ldif-wrap=no', '-b', base, '-s', scope, filter, ...attrs]);
  return { ...r, entries: parseEntries(r.stdout) };
}

/** One entry as the administrator sees it, with operational attributes; undefined when absent. */
function adminRead(url: string, dn: string, attrs: string[] = ['*', '+']): Entry | undefined {
  const r = search(admin(url), dn, '(objectClass=*)', attrs, 'base');
  if (r.status === 32) return undefined;
  expect(r.status, r.stderr).to.equal(0);
  return r.entries[0];
}

function whoami(url: string, dn: string, password: string) {
  return ldapTool('ldapwhoami', bindAs(url, dn, password));
}

/** Every CLI error: non-zero exit, exactly one line on stderr starting `cairn: `, no stack trace. */
function expectCleanError(r: { status: number | null; stderr: string }, mentions?: RegExp) {
  expect(r.status, `exit status (stderr: ${r.stderr})`).to.be.a('number').and.not.equal(0);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, `stderr should be one line, was:\n${r.stderr}`).to.have.length(1);
  expect(lines[0]).to.match(/^cairn: \S/);
  expect(r.stderr).not.to.match(/\n\s+at /);
  if (mentions) expect(lines[0]).to.match(mentions);
}

const lc = (vs: string[] | undefined) => (vs ?? []).map((v) => v.toLowerCase());
const sha1 = (...parts: Buffer[]) => createHash('sha1').update(Buffer.concat(parts)).digest();
const ssha = (password: string, salt = randomBytes(8)) => '{SSHA}' + Buffer.concat([sha1(Buffer.from(password), salt), salt]).toString('base64');
const sha = (password: string) => '{SHA}' + sha1(Buffer.from(password)).toString('base64');

/** A snapshot of every file in a folder (path → sha256), to show that a failed command changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

function writeLdif(data: string, text: string): string {
  const file = join(dirname(data), `in-${Date.now()}-${Math.random().toString(36).slice(2)}.ldif`);
  writeFileSync(file, text);
  return file;
}

function person(uid: string, extra: string[] = [], changetype = false): string[] {
  return [
    `dn: uid=${uid},ou=people,${BASE}`,
    ...(changetype ? ['changetype: add'] : []),
    'objectClass: inetOrgPerson',
    `uid: ${uid}`,
    `cn: ${uid}`,
    `sn: ${uid}`,
    ...extra,
    '',
  ];
}

/** A real OpenSSH ed25519 public key line: generated with ssh-keygen when installed, else a fixed valid one. */
function sshPublicKey(comment: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-ssh-'));
  try {
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', join(dir, 'key')], { encoding: 'utf8' });
    if (r.status === 0) return readFileSync(join(dir, 'key.pub'), 'utf8').trim();
  } catch {
    // fall through to the fixed key
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFhvk1Ne/gJnJ2uFXFRs5+agu3HhB3PVaayA2mUmjtH9 fixed@example.com';
}

const PEOPLE = `ou=people,${BASE}`;
const GROUPS = `ou=groups,${BASE}`;

// ---------------------------------------------------------------------------------------------------------

describe('cairn CLI (integration)', function () {
  this.timeout(120000);

  describe('cairn init', () => {
    const folders: string[] = [];
    const servers: RunningServer[] = [];
    const fresh = () => {
      const d = freshData();
      folders.push(d);
      return d;
    };
    const serve = async (d: string) => {
      const s = await startServer(d);
      servers.push(s);
      return s;
    };
    after(async () => {
      for (const s of servers) await s.stop();
      for (const d of folders) removeData(d);
    });

    describe('without a password given', () => {
      let data: string;
      let result: ReturnType<typeof cairn>;
      let generated: string;
      let server: RunningServer | undefined;

      before(() => {
        data = fresh();
        result = cairn(['init'], { data, env: { CAIRN_ADMIN_PASSWORD: undefined } });
      });

      it('succeeds and prints the administrator DN and a generated password, once', () => {
        expect(result.status, result.stderr).to.equal(0);
        expect(result.stdout).to.contain(ADMIN_DN);
        const m = /password[^:\n]*:\s*(\S+)/i.exec(result.stdout);
        expect(m, result.stdout).to.not.equal(null);
        generated = m![1];
        expect(generated.length).to.be.at.least(12);
        expect(result.stdout.split(generated)).to.have.length(2); // printed exactly once
        expect(result.stderr).not.to.contain(generated);
      });

      it('creates cairn.sqlite and a TLS certificate and private key (key readable by the owner only)', () => {
        expect(statSync(join(data, 'cairn.sqlite')).isFile()).to.equal(true);
        expect(readFileSync(join(data, 'tls', 'cert.pem'), 'utf8')).to.contain('-----BEGIN CERTIFICATE-----');
        expect(readFileSync(join(data, 'tls', 'key.pem'), 'utf8')).to.match(/-----BEGIN (EC |RSA )?PRIVATE KEY-----/);
        expect(statSync(join(data, 'tls', 'key.pem')).mode & 0o777).to.equal(0o600);
      });

      it('refuses to overwrite an existing directory: one line on stderr, nothing changed', () => {
        const before = snapshot(data);
        const again = cairn(['init', '--admin-password', 'Another-pass-999'], { data });
        expectCleanError(again, /already|exist|refus/i);
        expect(again.stdout).to.equal('');
        expect(snapshot(data)).to.deep.equal(before);
        // also with a different base
        expectCleanError(cairn(['init', '--base', 'o=Other'], { data }));
        expect(snapshot(data)).to.deep.equal(before);
      });

      it('the generated password works with ldapwhoami against the started server (and a wrong one does not)', async () => {
        server = await serve(data);
        const ok = whoami(server.url, ADMIN_DN, generated);
        expect(ok.status, ok.stderr).to.equal(0);
        expect(ok.stdout.trim().toLowerCase()).to.equal(`dn:${ADMIN_DN}`.toLowerCase());
        expect(whoami(server.url, ADMIN_DN, 'Another-pass-999').status).to.equal(49);
        expect(whoami(server.ldapsUrl, ADMIN_DN, generated).status).to.equal(0);
      });

      it('creates ou=people, ou=groups, ou=services, ou=policies; the admin is in cn=admins (memberOf, member); no POSIX numbers', () => {
        const r = search(bindAs(server!.url, ADMIN_DN, generated), BASE, '(objectClass=organizationalUnit)', ['ou'], 'one');
        expect(r.status, r.stderr).to.equal(0);
        expect(r.entries.map((e) => e.dn.toLowerCase()).sort()).to.deep.equal(['groups', 'people', 'policies', 'services'].map((o) => `ou=${o},${BASE}`));
        const who = search(bindAs(server!.url, ADMIN_DN, generated), ADMIN_DN, '(objectClass=*)', ['memberOf'], 'base');
        expect(lc(who.entries[0].attrs.memberof)).to.deep.equal([`cn=admins,${GROUPS}`]);
        const grp = search(bindAs(server!.url, ADMIN_DN, generated), `cn=admins,${GROUPS}`, '(objectClass=*)', ['member', 'memberUid'], 'base');
        expect(lc(grp.entries[0].attrs.member)).to.deep.equal([ADMIN_DN.toLowerCase()]);
        // Neither the administrator nor the built-in groups take POSIX numbers an import may bring.
        expect(grp.entries[0].attrs.memberuid).to.equal(undefined);
        const numbers = search(
          bindAs(server!.url, ADMIN_DN, generated),
          BASE,
          '(|(uidNumber=*)(gidNumber=*)(objectClass=posixAccount)(objectClass=posixGroup))',
          ['1.1'],
        );
        expect(numbers.status, numbers.stderr).to.equal(0);
        expect(numbers.entries).to.deep.equal([]);
      });
    });

    it('takes the administrator password from CAIRN_ADMIN_PASSWORD (and does not print it)', async () => {
      const data = fresh();
      const r = cairn(['init'], { data, env: { CAIRN_ADMIN_PASSWORD: 'Env-pass-5678' } });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(ADMIN_DN);
      expect(r.stdout).not.to.contain('Env-pass-5678');
      expect(r.stdout).not.to.match(/shown once/i);
      const s = await serve(data);
      expect(whoami(s.url, ADMIN_DN, 'Env-pass-5678').status).to.equal(0);
    });

    it('--base o=Acme creates that naming context', async () => {
      const data = fresh();
      const r = cairn(['init', '--base', 'o=Acme', '--admin-password', ADMIN_PASSWORD], { data });
      expect(r.status, r.stderr).to.equal(0);
      const acmeAdmin = 'uid=admin,ou=people,o=Acme';
      expect(r.stdout).to.contain(acmeAdmin);
      expect(r.stdout + r.stderr).not.to.contain(ADMIN_PASSWORD);
      expect(r.stdout).not.to.match(/shown once/i);
      const s = await serve(data);
      expect(whoami(s.url, acmeAdmin, ADMIN_PASSWORD).status).to.equal(0);
      const base = search(bindAs(s.url, acmeAdmin, ADMIN_PASSWORD), 'o=Acme', '(objectClass=*)', ['o', 'objectClass'], 'base');
      expect(base.status, base.stderr).to.equal(0);
      expect(base.entries[0].attrs.o).to.deep.equal(['Acme']);
      const ous = search(bindAs(s.url, acmeAdmin, ADMIN_PASSWORD), 'o=Acme', '(objectClass=organizationalUnit)', ['ou'], 'one');
      expect(ous.entries).to.have.length(4);
      const root = ldapTool('ldapsearch', ['-x', '-H', s.url, '-LLL', '-b', '', '-s', 'base', '(objectClass=*)', 'namingContexts']);
      expect(root.stdout).to.match(/namingContexts: o=Acme/i);
    });

    for (const bad of ['cn=foo', 'not a dn', '']) {
      it(`--base '${bad}' fails with one clear line and leaves no data folder behind`, () => {
        const data = fresh();
        const r = cairn(['init', '--base', bad, '--admin-password', ADMIN_PASSWORD], { data });
        expectCleanError(r, /base|DN/i);
        expect(existsSync(data), `${data} should not exist`).to.equal(false);
        expect(readdirSync(dirname(data))).to.deep.equal([]);
      });
    }
  });

  // -------------------------------------------------------------------------------------------------------

  describe('cairn import', () => {
    let data: string;
    let server: RunningServer;
    before(async () => {
      data = initData();
      server = await startServer(data);
    });
    after(async () => {
      await server?.stop();
      if (data) removeData(data);
    });

    const read = (dn: string, attrs?: string[]) => adminRead(server.url, dn, attrs);

    it('loads content records, folded lines and base64 values', () => {
      const description = 'A description long enough that it has to be folded across several lines of the LDIF file, as RFC 2849 allows.';
      const folded = `description: ${description}`.match(/.{1,60}/g)!.join('\n ');
      const cn = 'Zoë Ångström-Ñuñez';
      const ldif = [
        'version: 1',
        '',
        '# a comment before the first record',
        `dn: uid=zoe,${PEOPLE}`,
        'objectClass: inetOrgPerson',
        'uid: zoe',
        `cn:: ${Buffer.from(cn).toString('base64')}`,
        'sn: Ångström',
        folded,
        '',
        `dn: uid=yann,${PEOPLE}`,
        'objectClass: inetOrgPerson',
        'uid: yann',
        'cn: Yann',
        'sn: Y',
        '',
      ].join('\n');
      const r = cairn(['import', writeLdif(data, ldif)], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/Imported 2 records/);
      const zoe = read(`uid=zoe,${PEOPLE}`, ['cn', 'sn', 'description'])!;
      expect(zoe.attrs.cn).to.deep.equal([cn]);
      expect(zoe.attrs.sn).to.deep.equal(['Ångström']);
      expect(zoe.attrs.description).to.deep.equal([description]);
      expect(read(`uid=yann,${PEOPLE}`)).to.not.equal(undefined);
    });

    it('applies change records: add, modify (add/replace/delete), delete', () => {
      importLdif(data, [...person('xavier', ['mail: old@example.com', 'description: to be removed']), ...person('walter')].join('\n'));
      const ldif = [
        ...person('vera', ['mail: vera@example.com'], true),
        `dn: uid=xavier,${PEOPLE}`,
        'changetype: modify',
        'replace: mail',
        'mail: new@example.com',
        '-',
        'add: telephoneNumber',
        'telephoneNumber: +1 555 0100',
        '-',
        'delete: description',
        '-',
        '',
        `dn: uid=walter,${PEOPLE}`,
        'changetype: delete',
        '',
      ].join('\n');
      const r = cairn(['import', writeLdif(data, ldif)], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(read(`uid=vera,${PEOPLE}`, ['mail'])!.attrs.mail).to.deep.equal(['vera@example.com']);
      const x = read(`uid=xavier,${PEOPLE}`, ['*'])!;
      expect(x.attrs.mail).to.deep.equal(['new@example.com']);
      expect(x.attrs.telephonenumber).to.deep.equal(['+1 555 0100']);
      expect(x.attrs.description).to.equal(undefined);
      expect(read(`uid=walter,${PEOPLE}`)).to.equal(undefined);
    });

    describe('a bad record in the middle: non-zero exit, the line number, and nothing written', () => {
      // Each file: two good adds and a modify of an existing entry, then the bad record, then one more good add.
      const cases: { name: string; bad: string[]; mentions?: RegExp; offset?: number }[] = [
        { name: 'unknown attribute', bad: person('bad1', ['frobnicate: yes'], true), mentions: /frobnicate|undefined|unknown/i },
        {
          name: 'missing parent',
          bad: [`dn: uid=bad2,ou=nowhere,${BASE}`, 'changetype: add', 'objectClass: inetOrgPerson', 'uid: bad2', 'cn: b', 'sn: b', ''],
          mentions: /parent|nowhere|no such/i,
        },
        { name: 'bad LDIF syntax', bad: [`dn: uid=bad3,${PEOPLE}`, 'changetype: add', 'objectClass: inetOrgPerson', 'this line has no colon', ''], offset: 3 },
        {
          name: 'schema violation (no sn)',
          bad: [`dn: uid=bad4,${PEOPLE}`, 'changetype: add', 'objectClass: inetOrgPerson', 'uid: bad4', 'cn: b', ''],
          mentions: /sn|objectclass|schema|requires/i,
        },
        {
          name: 'bad base64 value',
          bad: [`dn: uid=bad5,${PEOPLE}`, 'changetype: add', 'objectClass: inetOrgPerson', 'uid: bad5', 'cn:: %%%notbase64', 'sn: b', ''],
          offset: 4,
        },
        {
          name: 'modify of a missing entry',
          bad: [`dn: uid=ghost,${PEOPLE}`, 'changetype: modify', 'replace: mail', 'mail: g@example.com', '-', ''],
          mentions: /ghost|no such/i,
        },
        { name: 'an entry that already exists', bad: person('admin', [], true), mentions: /exists/i },
      ];
      cases.forEach((c, i) => {
        it(c.name, () => {
          const tag = `mid${i}`;
          const head = [
            ...person(`${tag}a`, [], true),
            `dn: cn=users,${GROUPS}`,
            'changetype: modify',
            'replace: description',
            'description: must not stay',
            '-',
            '',
            ...person(`${tag}b`, [], true),
          ];
          const badLine = head.length + 1 + (c.offset ?? 0);
          const ldif = [...head, ...c.bad, ...person(`${tag}c`, [], true)].join('\n');
          const exportBefore = cairn(['export'], { data }).stdout;
          const r = cairn(['import', writeLdif(data, ldif)], { data });
          expectCleanError(r, new RegExp(`line ${badLine}\\b`));
          if (c.mentions) expect(r.stderr).to.match(c.mentions);
          expect(r.stdout).not.to.match(/Imported/);
          for (const s of ['a', 'b', 'c']) expect(read(`uid=${tag}${s},${PEOPLE}`), `${tag}${s} must not exist`).to.equal(undefined);
          expect(read(`cn=users,${GROUPS}`, ['description'])!.attrs.description).to.equal(undefined);
          expect(cairn(['export'], { data }).stdout).to.equal(exportBefore);
        });
      });
    });

    it('hashes a cleartext userPassword: bind works, the value never shows (export, ldapsearch as admin, the database file)', () => {
      const secret = 'Clear-text-Pw-' + randomBytes(6).toString('hex');
      importLdif(data, person('clara', [`userPassword: ${secret}`]).join('\n'));
      const dn = `uid=clara,${PEOPLE}`;
      expect(whoami(server.url, dn, secret).status).to.equal(0);
      expect(whoami(server.url, dn, secret + 'x').status).to.equal(49);
      const exp = cairn(['export'], { data });
      expect(exp.status, exp.stderr).to.equal(0);
      expect(exp.stdout).to.contain(`dn: ${dn}`);
      expect(exp.stdout).not.to.contain(secret);
      expect(exp.stdout).not.to.match(/^userPassword/im);
      const all = ldapTool('ldapsearch', [...admin(server.url), '-LLL', '-b', BASE, '(objectClass=*)', '*', '+', 'userPassword']);
      expect(all.status, all.stderr).to.equal(0);
      expect(all.stdout).to.contain(`dn: ${dn}`);
      expect(all.stdout).not.to.contain(secret);
      expect(all.stdout).not.to.contain(Buffer.from(secret).toString('base64'));
      const db = readFileSync(join(data, 'cairn.sqlite'));
      expect(db.includes(Buffer.from(secret)), 'cleartext in cairn.sqlite').to.equal(false);
    });

    it('{SSHA} and {SHA} hashes from another directory bind with ldapwhoami (and keep working after the first bind)', () => {
      importLdif(
        data,
        [...person('sal', [`userPassword: ${ssha('salted-Secret-1')}`]), ...person('shane', [`userPassword: ${sha('plain-Sha-2')}`])].join('\n'),
      );
      for (const [uid, pw] of [
        ['sal', 'salted-Secret-1'],
        ['shane', 'plain-Sha-2'],
      ]) {
        const dn = `uid=${uid},${PEOPLE}`;
        expect(whoami(server.url, dn, pw + 'nope').status, `${uid} wrong password`).to.equal(49);
        const first = whoami(server.url, dn, pw);
        expect(first.status, `${uid}: ${first.stderr}`).to.equal(0);
        expect(first.stdout.toLowerCase()).to.contain(`dn:${dn}`.toLowerCase());
        expect(whoami(server.url, dn, pw).status, `${uid} second bind`).to.equal(0);
        expect(whoami(server.url, dn, pw + 'nope').status, `${uid} wrong password after upgrade`).to.equal(49);
      }
    });

    it('groups that list members before the member entries exist still end with memberOf and memberUid', () => {
      const ldif = [
        `dn: cn=early,${GROUPS}`,
        'objectClass: groupOfNames',
        'objectClass: posixGroup',
        'cn: early',
        'gidNumber: 40001',
        `member: uid=late1,${PEOPLE}`,
        `member: uid=late2,${PEOPLE}`,
        '',
        ...person('late1', ['objectClass: posixAccount', 'uidNumber: 40001', 'gidNumber: 40001', 'homeDirectory: /home/late1']),
        ...person('late2', ['objectClass: posixAccount', 'uidNumber: 40002', 'gidNumber: 40001', 'homeDirectory: /home/late2']),
      ].join('\n');
      importLdif(data, ldif);
      const g = read(`cn=early,${GROUPS}`, ['member', 'memberUid'])!;
      expect(g.attrs.memberuid?.sort()).to.deep.equal(['late1', 'late2']);
      expect(lc(g.attrs.member).sort()).to.deep.equal([`uid=late1,${PEOPLE}`, `uid=late2,${PEOPLE}`]);
      for (const uid of ['late1', 'late2']) {
        expect(lc(read(`uid=${uid},${PEOPLE}`, ['memberOf'])!.attrs.memberof), uid).to.deep.equal([`cn=early,${GROUPS}`]);
      }
      // and as a client asks it: which groups is late1 in?
      const q = search(admin(server.url), GROUPS, `(member=uid=late1,${PEOPLE})`, ['cn']);
      expect(q.entries.map((e) => e.attrs.cn[0])).to.deep.equal(['early']);
    });

    it('imports 2,000 people; a paged ldapsearch as admin returns all 2,000', () => {
      // As a migration brings them: hashed by the old directory, but for the last 100 (cleartext, which
      // the import hashes with bcrypt).
      const ldif = peopleLdif(2000, 'bulk').replace(/^userPassword: (pw-bulk(\d{4}))$/gm, (line, pw: string, n: string) =>
        Number(n) < 1900 ? `userPassword: ${ssha(pw)}` : line,
      );
      const r = cairn(['import', writeLdif(data, ldif)], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/Imported 2000 records/);
      expect(r.stdout).to.match(/^\s+1900\s+SSHA\b/m);
      expect(r.stdout).to.match(/^\s+100\s+cleartext \(were hashed with bcrypt\)/m);
      const s = ldapTool('ldapsearch', [...admin(server.url), '-LLL', '-E', 'pr=500/noprompt', '-b', PEOPLE, '(uid=bulk*)', '1.1']);
      expect(s.status, s.stderr).to.equal(0);
      const dns = s.stdout.split('\n').filter((l) => l.startsWith('dn: '));
      expect(dns).to.have.length(2000);
      expect(new Set(dns).size).to.equal(2000);
      // cleartext passwords were hashed on the way in; the old directory's hashes bind as they are
      expect(whoami(server.url, `uid=bulk1999,${PEOPLE}`, 'pw-bulk1999').status).to.equal(0);
      expect(whoami(server.url, `uid=bulk0000,${PEOPLE}`, 'pw-bulk0000').status).to.equal(0);
    });

    it('takes an OpenLDAP slapcat-style record: keeps entryUUID and timestamps, ignores entryCSN, structuralObjectClass, memberOf', () => {
      const uuid = '0b7e8d1c-3f0e-103c-9a4b-7d1b5a6c2e11';
      importLdif(
        data,
        person('slap', [
          'structuralObjectClass: inetOrgPerson',
          `entryUUID: ${uuid}`,
          'creatorsName: cn=admin,dc=example,dc=com',
          'createTimestamp: 20200101000000Z',
          'entryCSN: 20200101000000.000000Z#000000#000#000000',
          'modifiersName: cn=admin,dc=example,dc=com',
          'modifyTimestamp: 20200102000000Z',
          `memberOf: cn=nothing,${GROUPS}`,
        ]).join('\n'),
      );
      const e = read(`uid=slap,${PEOPLE}`)!;
      expect(e.attrs.entryuuid).to.deep.equal([uuid]);
      expect(e.attrs.createtimestamp).to.deep.equal(['20200101000000Z']);
      expect(e.attrs.modifytimestamp).to.deep.equal(['20200102000000Z']);
      expect(e.attrs.memberof).to.equal(undefined);
      expect(e.attrs.entrycsn).to.equal(undefined);
    });

    it('a modrdn record renames the entry, within the same all-or-nothing import', () => {
      importLdif(data, person('mr1').join('\n'));
      const ldif = [...person('mr0', [], true), `dn: uid=mr1,${PEOPLE}`, 'changetype: modrdn', 'newrdn: uid=mr2', 'deleteoldrdn: 1', ''].join('\n');
      const r = cairn(['import', writeLdif(data, ldif)], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(read(`uid=mr0,${PEOPLE}`)).to.not.equal(undefined);
      expect(read(`uid=mr1,${PEOPLE}`)).to.equal(undefined);
      expect(read(`uid=mr2,${PEOPLE}`, ['uid'])!.attrs.uid).to.deep.equal(['mr2']);
    });

    it('accepts a file with CRLF line endings (written on Windows)', () => {
      const ldif = [...person('crlf1', ['description: first']), ...person('crlf2')].join('\r\n');
      const r = cairn(['import', writeLdif(data, ldif)], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(read(`uid=crlf1,${PEOPLE}`, ['description'])!.attrs.description).to.deep.equal(['first']);
      expect(read(`uid=crlf2,${PEOPLE}`)).to.not.equal(undefined);
    });

    it('reads LDIF from standard input with "-"', () => {
      const r = cairn(['import', '-'], { data, input: person('stdin1').join('\n') });
      expect(r.status, r.stderr).to.equal(0);
      expect(read(`uid=stdin1,${PEOPLE}`)).to.not.equal(undefined);
    });

    it('a missing file is one clear error', () => {
      expectCleanError(cairn(['import', join(dirname(data), 'no-such-file.ldif')], { data }), /no-such-file/);
    });
  });

  // -------------------------------------------------------------------------------------------------------

  describe('cairn export', () => {
    const folders: string[] = [];
    after(() => folders.forEach(removeData));

    const INIT_DNS = [
      BASE,
      PEOPLE,
      GROUPS,
      `ou=services,${BASE}`,
      `ou=policies,${BASE}`,
      `cn=default,ou=policies,${BASE}`,
      `cn=admins,${GROUPS}`,
      `cn=users,${GROUPS}`,
      ADMIN_DN,
    ].map((d) => d.toLowerCase());
    /** What a user does to load an export into a freshly initialised folder: drop the records init already made. */
    const withoutInitRecords = (ldif: string) =>
      ldif
        .split(/\n\n/)
        .filter((rec) => {
          const m = /^dn: (.*)$/m.exec(rec);
          return !m || !INIT_DNS.includes(m[1].toLowerCase());
        })
        .join('\n\n');

    let a: string;
    let exported: string;
    before(() => {
      a = initData();
      folders.push(a);
      importLdif(a, peopleLdif(20, 'exp'));
      importLdif(
        a,
        [
          `dn: ou=devices,${BASE}`,
          'objectClass: organizationalUnit',
          'ou: devices',
          '',
          `dn: cn=team,${GROUPS}`,
          'objectClass: groupOfNames',
          'objectClass: posixGroup',
          'cn: team',
          'gidNumber: 10500',
          `member: uid=exp0001,${PEOPLE}`,
          `member: uid=exp0002,${PEOPLE}`,
          '',
          ...person('uni', ['cn:: ' + Buffer.from('Ünïcødé Name').toString('base64'), 'description: ' + 'long '.repeat(40).trim()]),
        ].join('\n'),
      );
      const s = cairn(['service', 'add', 'reader', '--password', 'Reader-pass-1'], { data: a });
      expect(s.status, s.stderr).to.equal(0);
      const r = cairn(['export'], { data: a });
      expect(r.status, r.stderr).to.equal(0);
      exported = r.stdout;
    });

    it('writes LDIF of the whole directory, without userPassword', () => {
      expect(exported.startsWith('# cairn export: not a backup — no passwords, MFA secrets or policy history; use cairn backup\nversion: 1')).to.equal(true);
      const entries = parseEntries(exported);
      const dns = entries.map((e) => e.dn.toLowerCase());
      for (const d of [
        ...INIT_DNS,
        `uid=exp0000,${PEOPLE}`,
        `uid=exp0019,${PEOPLE}`,
        `cn=team,${GROUPS}`,
        `ou=devices,${BASE}`,
        `cn=reader,ou=services,${BASE}`,
      ]) {
        expect(dns, d).to.include(d.toLowerCase());
      }
      expect(entries).to.have.length(9 + 20 + 3 + 1);
      expect(exported).not.to.match(/^userPassword/im);
      expect(exported).not.to.contain('pw-exp0000');
      expect(exported).not.to.contain('Reader-pass-1');
      expect(exported).not.to.contain('Admin-pass-1234');
      const uni = entries.find((e) => e.dn === `uid=uni,${PEOPLE}`)!;
      expect(uni.attrs.cn).to.include('Ünïcødé Name');
      // parents come before children, so the file can be imported as it is
      const seen = new Set<string>();
      for (const d of dns) {
        const parent = d.split(',').slice(1).join(',');
        if (d !== BASE.toLowerCase()) expect(seen.has(parent), `${d} after its parent`).to.equal(true);
        seen.add(d);
      }
    });

    it('the export does not import as it is into a freshly initialised folder (the init entries changed or held by Cairn exist): every collision listed', () => {
      const b = initData();
      folders.push(b);
      const r = cairn(['import', writeLdif(b, exported)], { data: b });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/^cairn: 3 problems in .*; nothing was imported:\n/);
      for (const dn of [`cn=default,ou=policies,${BASE}`, `cn=admins,${GROUPS}`, ADMIN_DN])
        expect(r.stderr).to.match(new RegExp(`^  line \\d+: ${dn}: entry already exists.*\\(LDAP result 68\\)$`, 'm'));
    });

    it('round trip: export, init a fresh folder with the same base, import the export minus the init records → same entries', () => {
      const b = initData();
      folders.push(b);
      const r = cairn(['import', writeLdif(b, withoutInitRecords(exported))], { data: b });
      expect(r.status, r.stderr).to.equal(0);
      const again = cairn(['export'], { data: b });
      expect(again.status, again.stderr).to.equal(0);
      const byDn = (text: string) => new Map(parseEntries(text).map((e) => [e.dn.toLowerCase(), e]));
      const before = byDn(exported);
      const after = byDn(again.stdout);
      expect([...after.keys()].sort()).to.deep.equal([...before.keys()].sort());
      for (const [dn, e] of before) {
        if (INIT_DNS.includes(dn)) continue; // made by each init: their entryUUID and timestamps differ
        expect(after.get(dn), dn).to.deep.equal(e);
      }
    });

    it('round trip keeps the memberOf of imported people and the passwords are not carried over', async () => {
      const b = initData();
      folders.push(b);
      importLdif(b, withoutInitRecords(exported));
      const s = await startServer(b);
      try {
        const e = adminRead(s.url, `uid=exp0001,${PEOPLE}`, ['memberOf'])!;
        expect(lc(e.attrs.memberof)).to.deep.equal([`cn=team,${GROUPS}`]);
        expect(whoami(s.url, `uid=exp0001,${PEOPLE}`, 'pw-exp0001').status).to.equal(49);
      } finally {
        await s.stop();
      }
    });

    it('round trip keeps membership of the groups init creates (cn=admins)', () => {
      const src = initData();
      folders.push(src);
      importLdif(src, person('boss').join('\n'));
      expect(cairn(['group', 'add-member', 'admins', 'boss'], { data: src }).status).to.equal(0);
      const dump = cairn(['export'], { data: src }).stdout;
      const dst = initData();
      folders.push(dst);
      // A restore over a fresh init: --update replaces the entries init created with the exported ones.
      const restored = cairn(['import', '--update', writeLdif(dst, dump)], { data: dst });
      expect(restored.status, restored.stderr).to.equal(0);
      const list = cairn(['group', 'list'], { data: dst }).stdout;
      expect(list).to.match(/^admins\t-\t.*\bboss\b/m);
    });
  });

  // -------------------------------------------------------------------------------------------------------

  describe('cairn user / group / service', () => {
    let data: string;
    let server: RunningServer;
    let configFile: string;
    let usersGid: string;
    const aliceKey = sshPublicKey('alice@laptop');
    before(async () => {
      data = initData();
      configFile = join(dirname(data), 'narrow-ids.json');
      writeFileSync(configFile, JSON.stringify({ ids: { uidNumberMin: 30000, uidNumberMax: 30001 } }));
      server = await startServer(data);
    });
    after(async () => {
      await server?.stop();
      if (data) removeData(data);
    });

    const read = (dn: string, attrs?: string[]) => adminRead(server.url, dn, attrs);
    const add = (uid: string, extra: string[] = [], config?: string) =>
      cairn([...(config ? ['--config', config] : []), 'user', 'add', uid, '--given', uid[0].toUpperCase() + uid.slice(1), '--sn', 'Tester', ...extra], {
        data,
      });
    const allUidNumbers = () => search(admin(server.url), PEOPLE, '(uidNumber=*)', ['uidNumber']).entries.map((e) => Number(e.attrs.uidnumber[0]));

    it('user add: the person is searchable with every attribute', () => {
      const r = cairn(
        ['user', 'add', 'alice', '--given', 'Alice', '--sn', 'Liddell', '--mail', 'alice@example.com', '--password', 'Alice-pw-1', '--ssh-key', aliceKey],
        { data },
      );
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`uid=alice,${PEOPLE}`);
      // The default group had no gidNumber (init gives it none): the first person gives it the range's first free one.
      usersGid = adminRead(server.url, `cn=users,${GROUPS}`, ['gidNumber'])!.attrs.gidnumber[0];
      expect(usersGid).to.equal('10000');
      expect(r.stdout).to.contain('The default group users had no gidNumber: it now has 10000');
      const s = search(admin(server.url), PEOPLE, '(uid=alice)', ['*']);
      expect(s.status, s.stderr).to.equal(0);
      expect(s.entries).to.have.length(1);
      const a = s.entries[0].attrs;
      expect(a.cn).to.deep.equal(['Alice Liddell']);
      expect(a.displayname).to.deep.equal(['Alice Liddell']);
      expect(a.givenname).to.deep.equal(['Alice']);
      expect(a.sn).to.deep.equal(['Liddell']);
      expect(Number(a.uidnumber[0])).to.be.within(10000, 59999);
      expect(a.gidnumber).to.deep.equal([usersGid]);
      expect(a.homedirectory).to.deep.equal(['/home/alice']);
      expect(a.loginshell).to.deep.equal(['/bin/bash']);
      expect(a.mail).to.deep.equal(['alice@example.com']);
      expect(a.sshpublickey).to.deep.equal([aliceKey]);
      expect(lc(a.objectclass)).to.include.members(['inetorgperson', 'posixaccount', 'ldappublickey']);
      expect(a.userpassword).to.equal(undefined);
      expect(r.stdout).to.contain(`uidNumber ${a.uidnumber[0]}`);
      expect(whoami(server.url, `uid=alice,${PEOPLE}`, 'Alice-pw-1').status).to.equal(0);
      // and a client looking up the key the way sshd's AuthorizedKeysCommand would
      const k = search(admin(server.url), PEOPLE, '(&(objectClass=ldapPublicKey)(uid=alice))', ['sshPublicKey']);
      expect(k.entries[0].attrs.sshpublickey).to.deep.equal([aliceKey]);
    });

    it('user add: uidNumbers increase and never collide', () => {
      const numbers: number[] = [];
      for (const uid of ['bob', 'carol', 'dave']) {
        const r = add(uid);
        expect(r.status, r.stderr).to.equal(0);
        numbers.push(Number(/uidNumber (\d+)/.exec(r.stdout)![1]));
      }
      expect(numbers[1]).to.be.greaterThan(numbers[0]);
      expect(numbers[2]).to.be.greaterThan(numbers[1]);
      const all = allUidNumbers();
      expect(new Set(all).size, `uidNumbers: ${all.join(',')}`).to.equal(all.length);
      const dave = read(`uid=dave,${PEOPLE}`, ['uidNumber', 'gidNumber', 'loginShell'])!;
      expect(Number(dave.attrs.uidnumber[0])).to.equal(numbers[2]);
      expect(dave.attrs.gidnumber).to.deep.equal([usersGid]);
    });

    it('user add: uidNumbers come from the configured range (--config ids.*), and an exhausted range is one clear error', () => {
      const r1 = add('erin', [], configFile);
      expect(r1.status, r1.stderr).to.equal(0);
      const r2 = add('frank', [], configFile);
      expect(r2.status, r2.stderr).to.equal(0);
      expect(read(`uid=erin,${PEOPLE}`, ['uidNumber'])!.attrs.uidnumber).to.deep.equal(['30000']);
      expect(read(`uid=frank,${PEOPLE}`, ['uidNumber'])!.attrs.uidnumber).to.deep.equal(['30001']);
      const r3 = add('gina', [], configFile);
      expectCleanError(r3, /uidNumber/);
      expect(read(`uid=gina,${PEOPLE}`)).to.equal(undefined);
      const all = allUidNumbers();
      expect(new Set(all).size).to.equal(all.length);
    });

    it('user add: a uid already used by a person with another RDN is refused', () => {
      importLdif(data, [`dn: cn=Olga Other,${PEOPLE}`, 'objectClass: inetOrgPerson', 'cn: Olga Other', 'sn: Other', 'uid: olga', ''].join('\n'));
      expectCleanError(add('olga'), /olga/);
      expect(search(admin(server.url), PEOPLE, '(uid=olga)', ['1.1']).entries).to.have.length(1);
    });

    // Two accounts with one uidNumber would share file ownership: uidNumber is unique.
    it('user add: an explicit --uid-number already in use is refused', () => {
      const aliceNumber = read(`uid=alice,${PEOPLE}`, ['uidNumber'])!.attrs.uidnumber[0];
      expectCleanError(add('kim', ['--uid-number', aliceNumber]), /uidNumber|in use|exists/i);
      expect(read(`uid=kim,${PEOPLE}`)).to.equal(undefined);
    });

    it('user add: a duplicate uid is a clear error and changes nothing', () => {
      const before = read(`uid=bob,${PEOPLE}`, ['*']);
      const r = add('bob', ['--mail', 'other@example.com']);
      expectCleanError(r, /bob.*(exist|already)|(exist|already).*bob/i);
      expect(read(`uid=bob,${PEOPLE}`, ['*'])).to.deep.equal(before);
    });

    for (const [label, key] of [
      ['garbage', 'not-a-key'],
      ['a truncated key', aliceKey.split(' ').slice(0, 1).join(' ') + ' AAAAC3NzaC1lZDI1'],
      ['a key whose type does not match its blob', aliceKey.replace(/^ssh-ed25519/, 'ssh-rsa')],
    ]) {
      it(`user add: a bad ssh key (${label}) is a clear error`, () => {
        const r = add('henry', ['--ssh-key', key]);
        expectCleanError(r, /ssh/i);
        expect(read(`uid=henry,${PEOPLE}`)).to.equal(undefined);
      });
    }

    it('user list and user show', () => {
      const list = cairn(['user', 'list'], { data });
      expect(list.status, list.stderr).to.equal(0);
      const alice = list.stdout.split('\n').find((l) => l.startsWith('alice\t'));
      expect(alice, list.stdout).to.not.equal(undefined);
      expect(alice).to.contain('alice@example.com');
      expect(alice).to.contain('Alice Liddell');
      for (const uid of ['admin', 'bob', 'carol', 'dave']) expect(list.stdout).to.match(new RegExp(`^${uid}\\t`, 'm'));
      const show = cairn(['user', 'show', 'alice'], { data });
      expect(show.status, show.stderr).to.equal(0);
      expect(show.stdout).to.contain(`dn: uid=alice,${PEOPLE}`);
      expect(show.stdout).to.contain('mail: alice@example.com');
      expect(show.stdout).to.contain(`sshPublicKey: ${aliceKey}`);
      expect(show.stdout).to.match(/entryUUID: /);
      expect(show.stdout).not.to.match(/userPassword/i);
      expect(show.stdout).not.to.contain('Alice-pw-1');
      expectCleanError(cairn(['user', 'show', 'nobody'], { data }), /nobody/);
    });

    it('user passwd --password: the new password binds, the old one no longer does', () => {
      const r = cairn(['user', 'passwd', 'alice', '--password', 'Alice-pw-2'], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).not.to.contain('Alice-pw-2');
      expect(whoami(server.url, `uid=alice,${PEOPLE}`, 'Alice-pw-2').status).to.equal(0);
      expect(whoami(server.url, `uid=alice,${PEOPLE}`, 'Alice-pw-1').status).to.equal(49);
    });

    it('user passwd without --password prints a generated password that binds', () => {
      const r = cairn(['user', 'passwd', 'bob'], { data });
      expect(r.status, r.stderr).to.equal(0);
      const m = /password[^:\n]*:\s*(\S+)/i.exec(r.stdout);
      expect(m, r.stdout).to.not.equal(null);
      expect(whoami(server.url, `uid=bob,${PEOPLE}`, m![1]).status).to.equal(0);
      expect(whoami(server.url, `uid=bob,${PEOPLE}`, m![1] + 'x').status).to.equal(49);
      expectCleanError(cairn(['user', 'passwd', 'nobody', '--password', 'x-y-z-1234'], { data }), /nobody/);
    });

    it('group add, add-member, remove-member: member, memberUid and memberOf follow', () => {
      const g = cairn(['group', 'add', 'devs', '--description', 'Developers'], { data });
      expect(g.status, g.stderr).to.equal(0);
      const gid = /gidNumber (\d+)/.exec(g.stdout)![1];
      const ops = cairn(['group', 'add', 'ops'], { data });
      expect(ops.status, ops.stderr).to.equal(0);
      const gids = search(admin(server.url), GROUPS, '(gidNumber=*)', ['gidNumber']).entries.map((e) => e.attrs.gidnumber[0]);
      expect(new Set(gids).size, gids.join(',')).to.equal(gids.length);
      expect(read(`cn=devs,${GROUPS}`, ['gidNumber', 'description'])!.attrs).to.deep.equal({ gidnumber: [gid], description: ['Developers'] });

      for (const [grp, uid] of [
        ['devs', 'alice'],
        ['devs', 'bob'],
        ['devs', 'carol'],
        ['ops', 'carol'],
      ]) {
        const r = cairn(['group', 'add-member', grp, uid], { data });
        expect(r.status, r.stderr).to.equal(0);
      }
      let devs = read(`cn=devs,${GROUPS}`, ['member', 'memberUid'])!;
      expect(lc(devs.attrs.member).sort()).to.deep.equal(['alice', 'bob', 'carol'].map((u) => `uid=${u},${PEOPLE}`));
      expect(devs.attrs.memberuid.sort()).to.deep.equal(['alice', 'bob', 'carol']);
      expect(lc(read(`uid=bob,${PEOPLE}`, ['memberOf'])!.attrs.memberof)).to.deep.equal([`cn=devs,${GROUPS}`]);
      expect(lc(read(`uid=carol,${PEOPLE}`, ['memberOf'])!.attrs.memberof).sort()).to.deep.equal([`cn=devs,${GROUPS}`, `cn=ops,${GROUPS}`]);

      const rm = cairn(['group', 'remove-member', 'devs', 'bob'], { data });
      expect(rm.status, rm.stderr).to.equal(0);
      devs = read(`cn=devs,${GROUPS}`, ['member', 'memberUid'])!;
      expect(devs.attrs.memberuid.sort()).to.deep.equal(['alice', 'carol']);
      expect(lc(devs.attrs.member)).not.to.include(`uid=bob,${PEOPLE}`);
      expect(read(`uid=bob,${PEOPLE}`, ['memberOf'])!.attrs.memberof).to.equal(undefined);
      expect(lc(read(`uid=alice,${PEOPLE}`, ['memberOf'])!.attrs.memberof)).to.deep.equal([`cn=devs,${GROUPS}`]);

      // a client asking "which groups is carol in" the nss way (memberUid) and the memberOf way
      const nss = search(admin(server.url), GROUPS, '(&(objectClass=posixGroup)(memberUid=carol))', ['cn']);
      expect(nss.entries.map((e) => e.attrs.cn[0]).sort()).to.deep.equal(['devs', 'ops']);
      const mo = search(admin(server.url), PEOPLE, `(memberOf=cn=devs,${GROUPS})`, ['uid']);
      expect(mo.entries.map((e) => e.attrs.uid[0]).sort()).to.deep.equal(['alice', 'carol']);
    });

    it('group list shows name, gidNumber and members', () => {
      const r = cairn(['group', 'list'], { data });
      expect(r.status, r.stderr).to.equal(0);
      const devs = r.stdout.split('\n').find((l) => l.startsWith('devs\t'))!;
      expect(devs, r.stdout).to.match(/^devs\t\d+\t/);
      expect(devs.split('\t')[2].split(',').sort()).to.deep.equal(['alice', 'carol']);
      expect(r.stdout).to.match(/^admins\t-\tadmin$/m);
      expect(r.stdout).to.match(/^users\t/m);
    });

    it('group errors: unknown group, unknown person, adding a member twice, removing a non-member, a duplicate group', () => {
      expectCleanError(cairn(['group', 'add-member', 'nogroup', 'alice'], { data }), /nogroup/);
      expectCleanError(cairn(['group', 'add-member', 'devs', 'nobody'], { data }), /nobody/);
      expectCleanError(cairn(['group', 'add-member', 'devs', 'alice'], { data }), /exist|already/i);
      expectCleanError(cairn(['group', 'remove-member', 'devs', 'dave'], { data }));
      expectCleanError(cairn(['group', 'add', 'devs'], { data }), /exist|already/i);
    });

    it('user delete removes the person from every group (member, memberUid); others keep their memberOf', () => {
      const r = cairn(['user', 'delete', 'carol'], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(read(`uid=carol,${PEOPLE}`)).to.equal(undefined);
      const devs = read(`cn=devs,${GROUPS}`, ['member', 'memberUid'])!;
      expect(lc(devs.attrs.member)).to.deep.equal([`uid=alice,${PEOPLE}`]);
      expect(devs.attrs.memberuid).to.deep.equal(['alice']);
      expect(read(`cn=ops,${GROUPS}`, ['member'])!.attrs.member).to.equal(undefined);
      expect(lc(read(`uid=alice,${PEOPLE}`, ['memberOf'])!.attrs.memberof)).to.deep.equal([`cn=devs,${GROUPS}`]);
      expect(cairn(['user', 'list'], { data }).stdout).not.to.match(/^carol\t/m);
      expect(search(admin(server.url), `cn=devs,${GROUPS}`, '(memberUid=carol)', ['cn']).entries).to.deep.equal([]);
      expectCleanError(cairn(['user', 'delete', 'carol'], { data }), /carol/);
    });

    it('the last member leaving a group (remove-member or user delete) clears its memberUid', () => {
      for (const [grp, uid] of [
        ['solo1', 'ivan'],
        ['solo2', 'judy'],
      ]) {
        expect(cairn(['group', 'add', grp], { data }).status).to.equal(0);
        expect(add(uid).status).to.equal(0);
        expect(cairn(['group', 'add-member', grp, uid], { data }).status).to.equal(0);
      }
      expect(cairn(['group', 'remove-member', 'solo1', 'ivan'], { data }).status).to.equal(0);
      expect(cairn(['user', 'delete', 'judy'], { data }).status).to.equal(0);
      for (const [grp, uid] of [
        ['solo1', 'ivan'],
        ['solo2', 'judy'],
      ]) {
        const g = read(`cn=${grp},${GROUPS}`, ['member', 'memberUid'])!;
        expect(g.attrs.member, grp).to.equal(undefined);
        expect(g.attrs.memberuid, grp).to.equal(undefined);
        expect(search(admin(server.url), GROUPS, `(memberUid=${uid})`, ['cn']).entries, uid).to.deep.equal([]);
        expect(cairn(['group', 'list'], { data }).stdout).to.match(new RegExp(`^${grp}\\t\\d+\\t$`, 'm'));
      }
    });

    it('an emptied group can take members again', () => {
      const r = cairn(['group', 'add-member', 'ops', 'dave'], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(read(`cn=ops,${GROUPS}`, ['memberUid'])!.attrs.memberuid).to.deep.equal(['dave']);
    });

    it('service add: the account binds and searches but may not add entries (50)', () => {
      const r = cairn(['service', 'add', 'nslcd', '--password', 'Nslcd-pw-1', '--description', 'nslcd on host1'], { data });
      expect(r.status, r.stderr).to.equal(0);
      const dn = `cn=nslcd,ou=services,${BASE}`;
      expect(r.stdout).to.contain(dn);
      expect(r.stdout).not.to.contain('Nslcd-pw-1');
      const who = whoami(server.url, dn, 'Nslcd-pw-1');
      expect(who.status, who.stderr).to.equal(0);
      expect(who.stdout.toLowerCase()).to.contain(`dn:${dn}`);
      const s = search(bindAs(server.url, dn, 'Nslcd-pw-1'), PEOPLE, '(uid=alice)', ['uid', 'uidNumber', 'homeDirectory']);
      expect(s.status, s.stderr).to.equal(0);
      expect(s.entries.map((e) => e.attrs.uid[0])).to.deep.equal(['alice']);
      const add = ldapTool('ldapadd', bindAs(server.url, dn, 'Nslcd-pw-1'), person('intruder').join('\n'));
      expect(add.status, add.stderr).to.equal(50);
      expect(read(`uid=intruder,${PEOPLE}`)).to.equal(undefined);
      const mod = ldapTool(
        'ldapmodify',
        bindAs(server.url, dn, 'Nslcd-pw-1'),
        [`dn: uid=alice,${PEOPLE}`, 'changetype: modify', 'replace: mail', 'mail: x@evil', '-', ''].join('\n'),
      );
      expect(mod.status, mod.stderr).to.equal(50);
    });

    it('service add without --password prints a generated one that binds; a duplicate name is a clear error', () => {
      const r = cairn(['service', 'add', 'radius'], { data });
      expect(r.status, r.stderr).to.equal(0);
      const m = /password[^:\n]*:\s*(\S+)/i.exec(r.stdout);
      expect(m, r.stdout).to.not.equal(null);
      expect(whoami(server.url, `cn=radius,ou=services,${BASE}`, m![1]).status).to.equal(0);
      expectCleanError(cairn(['service', 'add', 'radius', '--password', 'x-y-z-1234'], { data }), /exist|already/i);
    });
  });

  // -------------------------------------------------------------------------------------------------------

  describe('errors: non-zero exit, exactly one line on stderr starting "cairn: ", no stack trace', () => {
    let data: string;
    let scratch: string;
    before(() => {
      data = initData();
      scratch = mkdtempSync(join(tmpdir(), 'cairn-cli-err-'));
    });
    after(() => {
      if (data) removeData(data);
      rmSync(scratch, { recursive: true, force: true });
    });

    it('commands against a folder with no directory', () => {
      const none = join(scratch, 'nothing-here');
      for (const args of [['user', 'list'], ['export'], ['group', 'list'], ['user', 'add', 'x', '--given', 'X', '--sn', 'Y']]) {
        const r = cairn(args, { data: none });
        expectCleanError(r, /init|no directory/i);
      }
      expect(existsSync(none), 'a command must not create the data folder').to.equal(false);
    });

    it('directory errors (no such person, group, file)', () => {
      expectCleanError(cairn(['user', 'show', 'ghost'], { data }), /ghost/);
      expectCleanError(cairn(['user', 'delete', 'ghost'], { data }), /ghost/);
      expectCleanError(cairn(['group', 'remove-member', 'users', 'ghost'], { data }), /ghost/);
      expectCleanError(cairn(['import', join(scratch, 'missing.ldif')], { data }), /missing\.ldif/);
      expectCleanError(cairn(['user', 'add', 'bad,uid', '--given', 'B', '--sn', 'U', '--uid-number', 'twelve'], { data }));
    });

    it('an import of an unreadable/empty-garbage file', () => {
      const f = join(scratch, 'garbage.ldif');
      writeFileSync(f, 'this is not ldif at all\n');
      expectCleanError(cairn(['import', f], { data }), /line 1\b/);
    });

    it('usage errors (unknown command, unknown option, missing argument, missing required option)', () => {
      expectCleanError(cairn(['frobnicate'], { data }), /frobnicate/);
      expectCleanError(cairn(['user', 'add', 'x'], { data }), /--given/);
      expectCleanError(cairn(['user', 'show'], { data }), /uid/);
      expectCleanError(cairn(['user', 'list', '--bogus'], { data }), /--bogus/);
    });
  });

  // -------------------------------------------------------------------------------------------------------

  describe('input checks, a closed pipe, --version, descriptions, mfa status', () => {
    let data: string;
    before(() => {
      data = initData();
    });
    after(() => {
      if (data) removeData(data);
    });

    /** The CLI with its standard output closed by the reader before it writes (`cairn user list | head -0`). */
    const withClosedStdout = (args: string[]) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [CAIRN, '--data', data, ...args], { env: TEST_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
        child.stdout.destroy();
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
        child.on('close', (status) => {
          clearTimeout(timer);
          resolve({ status, stderr });
        });
      });

    it('a uid, group or service name with characters a POSIX name cannot hold is refused before the directory sees it', () => {
      expectCleanError(cairn(['user', 'add', 'bad uid!', '--given', 'B', '--sn', 'U'], { data }), /uid "bad uid!" may hold only letters/);
      expectCleanError(cairn(['user', 'add', '-dash', '--given', 'B', '--sn', 'U'], { data }));
      expectCleanError(cairn(['user', 'add', 'x'.repeat(33), '--given', 'B', '--sn', 'U'], { data }), /too long/);
      expectCleanError(cairn(['group', 'add', 'two words'], { data }), /group name "two words"/);
      expectCleanError(cairn(['service', 'add', 'a/b', '--password', 'Svc-pass-1234'], { data }), /service name "a\/b"/);
      const exported = cairn(['export'], { data }).stdout;
      for (const name of ['bad uid', 'two words', 'a/b', 'a\\/b']) expect(exported, `${name} was not added`).not.to.include(name);
      expect(cairn(['user', 'add', 'ok.name_1-x', '--given', 'O', '--sn', 'K'], { data }).status).to.equal(0);
    });

    it('--uid-number and --gid-number take a whole number from 1 to 4294967294 only', () => {
      for (const bad of ['-5', '0', '1.5', 'twelve', '12abc', '4294967295', '99999999999']) {
        expectCleanError(
          cairn(['user', 'add', 'numtest', '--given', 'N', '--sn', 'T', '--uid-number', bad], { data }),
          /--uid-number must be a whole number from 1 to 4294967294/,
        );
        expectCleanError(cairn(['user', 'add', 'numtest', '--given', 'N', '--sn', 'T', '--gid-number', bad], { data }), /--gid-number must be a whole number/);
        expectCleanError(cairn(['group', 'add', 'numtest', '--gid-number', bad], { data }), /--gid-number must be a whole number/);
      }
      expectCleanError(cairn(['user', 'show', 'numtest'], { data }), /numtest/);
      expectCleanError(cairn(['user', 'add', 'numtest', '--given', 'N', '--sn', 'T', '--mail', 'not an address'], { data }), /--mail/);
      expectCleanError(cairn(['user', 'add', 'numtest', '--given', 'N', '--sn', 'T', '--shell', 'bash'], { data }), /--shell/);
      const r = cairn(['user', 'add', 'numtest', '--given', 'N', '--sn', 'T', '--uid-number', '4294967294', '--gid-number', '4242'], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.include('uidNumber 4294967294, gidNumber 4242');
    });

    it('policy set checks every value (whole numbers 0 or more within range, TRUE/FALSE) and changes nothing when one is wrong', () => {
      const before = cairn(['policy', 'show'], { data }).stdout;
      expectCleanError(cairn(['policy', 'set', 'pwdMinLength=-1'], { data }), /pwdMinLength must be a whole number from 0/);
      expectCleanError(cairn(['policy', 'set', 'pwdMaxAge=90d'], { data }), /pwdMaxAge must be a whole number/);
      expectCleanError(cairn(['policy', 'set', 'pwdInHistory=2.5'], { data }), /pwdInHistory/);
      expectCleanError(cairn(['policy', 'set', 'pwdCheckQuality=3'], { data }), /pwdCheckQuality must be a whole number from 0 to 2/);
      expectCleanError(cairn(['policy', 'set', 'cairnPwdMinClasses=5'], { data }), /from 0 to 4/);
      expectCleanError(cairn(['policy', 'set', 'pwdLockout=yes'], { data }), /pwdLockout must be TRUE or FALSE/);
      // One bad value among good ones: nothing is written.
      expectCleanError(cairn(['policy', 'set', 'pwdMinLength=20', 'pwdMaxFailure=-3'], { data }), /pwdMaxFailure/);
      expect(cairn(['policy', 'show'], { data }).stdout).to.equal(before);
      const ok = cairn(['policy', 'set', 'pwdMaxFailure=7', 'pwdLockout=TRUE'], { data });
      expect(ok.status, ok.stderr).to.equal(0);
      expect(cairn(['policy', 'show'], { data }).stdout).to.match(/^pwdMaxFailure: 7$/m);
    });

    it('a reader that closes the pipe early (| head): exit 0, nothing on stderr, and a write still happens', async () => {
      for (const args of [['user', 'list'], ['export'], ['group', 'list'], ['mfa', 'status'], ['--help']]) {
        const r = await withClosedStdout(args);
        expect(r.stderr, args.join(' ')).to.equal('');
        expect(r.status, args.join(' ')).to.equal(0);
      }
      const w = await withClosedStdout(['user', 'add', 'piped', '--given', 'P', '--sn', 'Iped']);
      expect(w.stderr).to.equal('');
      expect(w.status).to.equal(0);
      expect(cairn(['user', 'show', 'piped'], { data }).stdout).to.include('uid=piped,');
    });

    it('cairn --version prints the package.json version', () => {
      const { version } = JSON.parse(readFileSync(join(CAIRN, '..', '..', 'package.json'), 'utf8')) as { version: string };
      for (const flag of ['--version', '-V']) {
        const r = cairn([flag]);
        expect(r.status).to.equal(0);
        expect(r.stdout).to.equal(`${version}\n`);
      }
    });

    it('every command and subcommand has a description in --help', () => {
      /** The commands listed by a --help, each with whether it has a description. */
      const listed = (args: string[]) => {
        const r = cairn([...args, '--help']);
        expect(r.status, r.stderr).to.equal(0);
        const section = r.stdout.split(/^Commands:$/m)[1] ?? '';
        return section
          .split('\n')
          .filter((l) => /^ {2}\S/.test(l))
          .map((l) => ({ name: l.trim().split(/\s/)[0], described: /^ {2}\S.*?\s{2,}\S/.test(l) }));
      };
      const top = listed([]);
      expect(top.map((c) => c.name)).to.include.members(['user', 'group', 'service', 'policy', 'mfa', 'serve', 'init']);
      const missing: string[] = [];
      for (const c of top) {
        if (!c.described) missing.push(c.name);
        if (c.name === 'help') continue;
        for (const sub of listed([c.name])) if (!sub.described) missing.push(`${c.name} ${sub.name}`);
      }
      expect(missing, 'commands without a description').to.deep.equal([]);
    });

    it('mfa status with nobody enrolled says so', () => {
      const r = cairn(['mfa', 'status'], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.equal('nobody has MFA enrolled\n');
    });
  });
});
