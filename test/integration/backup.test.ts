/**
 * cairn backup and cairn restore: a backup taken while a server (several workers) runs brings back people,
 * MFA, locks and policy history; taken while 20 clients write, it is a point-in-time copy; restore refuses
 * what it should and then changes nothing.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ADMIN_DN,
  ADMIN_PASSWORD,
  BASE,
  cairn,
  cairnAsync,
  freshData,
  importLdif,
  initData,
  ldapTool,
  removeData,
  startServer,
  type RunningServer,
  asAdmin,
  bindAs,
} from '../helpers/server';
import { totpCode } from '../helpers/oathtool';

// ldapjs ships no types: the little the writers use.
interface LdapErrorLike extends Error {
  code?: number;
}
interface LdapClient {
  bind(dn: string, password: string, cb: (err: LdapErrorLike | null) => void): void;
  modify(dn: string, change: unknown, cb: (err: LdapErrorLike | null) => void): void;
  add(dn: string, entry: Record<string, string | string[]>, cb: (err: LdapErrorLike | null) => void): void;
  unbind(cb?: (err?: Error) => void): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
}
interface LdapJs {
  createClient(options: { url: string; timeout?: number; connectTimeout?: number }): LdapClient;
  Change: new (o: { operation: string; modification: unknown }) => unknown;
  Attribute: new (o: { type: string; values: string[] }) => unknown;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ldap = require('ldapjs') as LdapJs;

const code = totpCode;

const person = (uid: string) => `uid=${uid},ou=people,${BASE}`;
const POLICY = `cn=default,ou=policies,${BASE}`;
const mode = (file: string) => statSync(file).mode & 0o777;
const setPolicy = (data: string, ...pairs: [string, string][]) =>
  importLdif(data, [`dn: ${POLICY}`, 'changetype: modify', ...pairs.flatMap(([a, v]) => [`replace: ${a}`, `${a}: ${v}`, '-']), ''].join('\n'));

/** Every file under a folder with a digest of its contents and its mode: to show that a refusal changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const file = join(dir, name);
    const st = statSync(file);
    out[name] = st.isDirectory() ? `dir ${st.mode}` : `${st.mode} ${createHash('sha256').update(readFileSync(file)).digest('hex')}`;
  }
  return out;
}

describe('cairn backup and cairn restore', function () {
  this.timeout(180000);
  const folders: string[] = [];
  const servers: RunningServer[] = [];
  after(async () => {
    for (const s of servers) await s.stop();
    folders.forEach(removeData);
  });
  const folder = (data: string) => (folders.push(data), data);
  const serve = async (data: string, env: NodeJS.ProcessEnv = {}) => {
    const s = await startServer(data, env);
    servers.push(s);
    return s;
  };

  describe('a backup taken while the server runs', () => {
    let original: RunningServer;
    let restored: RunningServer;
    let secret: string;
    let earlier: Record<string, string>;
    let backupFile: string;
    const whoami = (s: RunningServer, uid: string, typed: string) =>
      ldapTool('ldapwhoami', ['-x', '-H', s.url, '-D', person(uid), '-w', typed, '-e', 'ppolicy']);
    const admin = (s: RunningServer) => asAdmin(s.url);
    const state = (s: RunningServer, uid: string) =>
      ldapTool('ldapsearch', [
        ...admin(s),
        '-LLL',
        '-b',
        person(uid),
        '-s',
        'base',
        'pwdAccountLockedTime',
        'pwdFailureTime',
        'pwdChangedTime',
        'cairnMfaEnabled',
      ]).stdout;

    before(async () => {
      const data = folder(initData());
      setPolicy(data, ['pwdInHistory', '3'], ['pwdLockout', 'TRUE'], ['pwdMaxFailure', '3'], ['pwdLockoutDuration', '3600']);
      original = await serve(data, { CAIRN_SERVER_WORKERS: '2' });
      const add = (uid: string, pw: string) =>
        expect(cairn(['user', 'add', uid, '--given', 'Pat', '--sn', uid, '--password', pw], { data }).status).to.equal(0);
      // alice changed her password once: the first is in her history.
      add('alice', 'Alice-pass-1');
      const change = ldapTool('ldappasswd', [...bindAs(original.url, person('alice'), 'Alice-pass-1'), '-a', 'Alice-pass-1', '-s', 'Alice-pass-2']);
      expect(change.status, change.stderr).to.equal(0);
      // bob is locked out by failures.
      add('bob', 'Bob-pass-1');
      for (let i = 0; i < 3; i++) expect(whoami(original, 'bob', 'wrong').status).to.equal(49);
      expect(whoami(original, 'bob', 'Bob-pass-1').stderr).to.include('Account locked');
      // carol uses MFA.
      add('carol', 'Carol-pass-1');
      const enrol = cairn(['mfa', 'enroll', 'carol'], { data });
      expect(enrol.status, enrol.stderr).to.equal(0);
      secret = /secret ([A-Z2-7]+)/.exec(enrol.stdout)![1];
      const confirm = cairn(['mfa', 'confirm', 'carol', code(secret)], { data });
      expect(confirm.status, confirm.stderr).to.equal(0);
      earlier = { alice: state(original, 'alice'), bob: state(original, 'bob'), carol: state(original, 'carol') };
      expect(earlier.bob).to.match(/pwdAccountLockedTime: \d{14}Z/);

      backupFile = join(data, '..', 'cairn.backup');
      const b = cairn(['backup', backupFile], { data });
      expect(b.status, b.stderr).to.equal(0);
      expect(b.stdout).to.match(
        /^Backed up \d+ entries \(1 person with MFA\) to .*cairn\.backup: [\d.]+ KiB, with the MFA key, the TLS certificate and the TLS key/,
      );
      expect(mode(backupFile)).to.equal(0o600);
      await original.stop();

      const target = folder(freshData());
      const r = cairn(['restore', backupFile], { data: target });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^Restored \d+ entries \(1 person with MFA\) from .*, taken \d{4}-\d\d-\d\dT/);
      for (const f of ['mfa.key', 'tls/key.pem', 'cairn.sqlite']) expect(mode(join(target, f)), f).to.equal(0o600);
      for (const f of ['mfa.key', 'tls/key.pem', 'tls/cert.pem']) expect(readFileSync(join(target, f)).equals(readFileSync(join(data, f))), f).to.equal(true);
      expect(readdirSync(target).filter((f) => f.startsWith('.') || f.startsWith('replaced-'))).to.deep.equal([]);
      restored = await serve(target, { CAIRN_SERVER_WORKERS: '2' });
    });

    it('locks, failure times, change times and MFA flags are as they were', () => {
      for (const uid of ['alice', 'bob', 'carol']) expect(state(restored, uid), uid).to.equal(earlier[uid]);
      const bob = whoami(restored, 'bob', 'Bob-pass-1');
      expect(bob.status).to.equal(49);
      expect(bob.stderr).to.include('Account locked');
    });

    it('people bind with their passwords, the MFA person only with password and code', () => {
      expect(ldapTool('ldapwhoami', admin(restored)).status).to.equal(0);
      expect(whoami(restored, 'alice', 'Alice-pass-2').status).to.equal(0);
      expect(whoami(restored, 'carol', 'Carol-pass-1').status).to.equal(49);
      const withCode = whoami(restored, 'carol', 'Carol-pass-1' + code(secret));
      expect(withCode.status, withCode.stderr).to.equal(0);
    });

    it('password history still refuses an old password', () => {
      const back = ldapTool('ldappasswd', [
        ...bindAs(restored.url, person('alice'), 'Alice-pass-2'),
        '-e',
        'ppolicy',
        '-a',
        'Alice-pass-2',
        '-s',
        'Alice-pass-1',
      ]);
      expect(back.stdout + back.stderr).to.include('was used recently');
    });

    it('refuses to overwrite the backup file without --force, and replaces it with', () => {
      const data = original.data;
      const first = readFileSync(backupFile);
      const again = cairn(['backup', backupFile], { data });
      expect(again.status).to.equal(1);
      expect(again.stderr).to.match(/^cairn: .*cairn\.backup exists; refusing to overwrite it \(--force replaces it\)\n$/);
      expect(readFileSync(backupFile).equals(first)).to.equal(true);
      const forced = cairn(['backup', '--force', backupFile], { data });
      expect(forced.status, forced.stderr).to.equal(0);
      expect(mode(backupFile)).to.equal(0o600);
      expect(readdirSync(join(data, '..')).filter((f) => f.includes('.tmp'))).to.deep.equal([]);
    });

    it('restore --force refuses while a server uses the folder, and changes nothing', () => {
      const files = snapshot(restored.data);
      const r = cairn(['restore', '--force', backupFile], { data: restored.data });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/^cairn: .*cairn\.sqlite is in use by a running Cairn server or command; stop it first\n$/);
      expect(snapshot(restored.data)).to.deep.equal(files);
    });
  });

  describe('a backup taken while 20 clients write', () => {
    const CLIENTS = 20;
    const MAX_WRITES = 400;
    const ou = (c: number) => `ou=c${String(c).padStart(2, '0')},${BASE}`;

    /** Write j of a client: even ones add a description value to its entry, odd ones add a child entry. */
    function write(client: LdapClient, c: number, j: number): Promise<void> {
      return new Promise((resolve, reject) => {
        const done = (err: LdapErrorLike | null) => (err ? reject(err) : resolve());
        if (j % 2 === 0)
          client.modify(ou(c), new ldap.Change({ operation: 'add', modification: new ldap.Attribute({ type: 'description', values: [`w${j}`] }) }), done);
        else client.add(`ou=w${j},${ou(c)}`, { objectClass: ['organizationalUnit'], ou: `w${j}` }, done);
      });
    }

    it('holds, for each client, exactly its first K writes, K at least what was acknowledged before it started', async () => {
      const data = folder(initData());
      importLdif(
        data,
        Array.from({ length: CLIENTS }, (_, c) => `dn: ${ou(c)}\nobjectClass: organizationalUnit\nou: c${String(c).padStart(2, '0')}\n`).join('\n'),
      );
      const server = await serve(data, { CAIRN_SERVER_WORKERS: '2' });
      const acked = new Array<number>(CLIENTS).fill(0);
      let stop = false;
      const deadline = Date.now() + 60000;
      const writers = Array.from({ length: CLIENTS }, async (_, c) => {
        const client = ldap.createClient({ url: server.url, timeout: 20000, connectTimeout: 10000 });
        client.on('error', () => undefined);
        await new Promise<void>((resolve, reject) => client.bind(ADMIN_DN, ADMIN_PASSWORD, (err) => (err ? reject(err) : resolve())));
        try {
          for (let j = 0; j < MAX_WRITES && !stop && Date.now() < deadline; j++) {
            await write(client, c, j);
            acked[c] = j + 1;
          }
        } finally {
          client.unbind();
        }
      });
      const failed = Promise.all(writers).then(
        () => undefined,
        (err: Error) => err,
      );
      // Wait until every client has some writes acknowledged (bounded), then back up in the middle.
      while (acked.some((n) => n < 5) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const backupFile = join(data, '..', 'busy.backup');
      const beforeBackup = [...acked];
      const b = await cairnAsync(['backup', backupFile], { data });
      const whenDone = [...acked];
      stop = true;
      expect(await failed, 'a writer failed').to.equal(undefined);
      expect(b.status, b.stderr).to.equal(0);
      const total = (a: number[]) => a.reduce((x, y) => x + y, 0);
      expect(total(whenDone), 'writes went on during the backup').to.be.greaterThan(total(beforeBackup));
      await server.stop();

      const target = folder(freshData());
      const r = cairn(['restore', backupFile], { data: target });
      expect(r.status, r.stderr).to.equal(0);
      const again = await serve(target);
      for (let c = 0; c < CLIENTS; c++) {
        const s = ldapTool('ldapsearch', [...asAdmin(again.url), '-LLL', '-b', ou(c), 'description', 'ou']);
        expect(s.status, s.stderr).to.equal(0);
        const present = new Set<number>();
        for (const m of s.stdout.matchAll(/^description: w(\d+)$/gm)) present.add(Number(m[1]));
        for (const m of s.stdout.matchAll(/^dn: ou=w(\d+),/gm)) present.add(Number(m[1]));
        const k = present.size;
        expect(
          [...present].sort((x, y) => x - y),
          `client ${c}: a prefix of its writes`,
        ).to.deep.equal(Array.from({ length: k }, (_, j) => j));
        expect(k, `client ${c}: every write acknowledged before the backup`).to.be.at.least(beforeBackup[c]);
        expect(k, `client ${c}: no write that was not made`).to.be.at.most(acked[c]);
      }
    });
  });

  describe('refusals', () => {
    let data: string;
    let backupFile: string;
    before(() => {
      data = folder(initData());
      backupFile = join(data, '..', 'good.backup');
      expect(cairn(['backup', backupFile], { data }).status).to.equal(0);
    });

    it('refuses files that are not Cairn backups, and changes nothing', () => {
      const target = folder(freshData());
      const text = join(data, '..', 'text.backup');
      writeFileSync(text, 'dn: dc=example,dc=com\n');
      const cases: [string, RegExp][] = [
        [text, /text\.backup is not a Cairn backup \(file is not a database\); make one with "cairn backup"/],
        [join(data, 'cairn.sqlite'), /cairn\.sqlite is not a Cairn backup \(no cairn_backup table\)/],
        [join(data, '..', 'missing.backup'), /missing\.backup does not exist/],
      ];
      for (const [file, message] of cases) {
        const r = cairn(['restore', file], { data: target });
        expect(r.status, file).to.equal(1);
        expect(r.stderr, file).to.match(new RegExp('^cairn: .*' + message.source + '.*\\n$'));
        expect(existsSync(target), file).to.equal(false);
      }
    });

    it('refuses a damaged backup', () => {
      const damaged = join(data, '..', 'damaged.backup');
      const bytes = readFileSync(backupFile);
      bytes.fill(0x55, 8192, 16384);
      writeFileSync(damaged, bytes);
      const target = folder(freshData());
      const r = cairn(['restore', damaged], { data: target });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/^cairn: .*damaged\.backup (is damaged|is not a Cairn backup)/);
      expect(existsSync(target)).to.equal(false);
    });

    it('refuses a folder that holds a directory without --force, changing nothing; with --force keeps the old one aside', () => {
      const other = folder(initData(undefined, { ownKeys: true }));
      const files = snapshot(other);
      const r = cairn(['restore', backupFile], { data: other });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/^cairn: .* already holds a directory; refusing to replace it \(--force replaces it and keeps the old one aside\)\n$/);
      expect(snapshot(other)).to.deep.equal(files);

      const forced = cairn(['restore', '--force', backupFile], { data: other });
      expect(forced.status, forced.stderr).to.equal(0);
      const aside = /What it replaced is in (\S+);/.exec(forced.stdout)![1];
      expect(readdirSync(aside).sort()).to.include.members(['cairn.sqlite', 'mfa.key']);
      expect(readFileSync(join(aside, 'mfa.key')).equals(readFileSync(join(data, 'mfa.key')))).to.equal(false);
      expect(readFileSync(join(other, 'mfa.key')).equals(readFileSync(join(data, 'mfa.key')))).to.equal(true);
      const list = cairn(['user', 'list'], { data: other });
      expect(list.status, list.stderr).to.equal(0);
    });

    it('a backup made by a newer Cairn (a later schema) is refused, changing nothing', () => {
      const newer = join(data, '..', 'newer.backup');
      const bytes = readFileSync(backupFile);
      bytes.writeUInt32BE(999, 60); // user_version in the SQLite header
      writeFileSync(newer, bytes);
      const target = folder(freshData());
      const r = cairn(['restore', newer], { data: target });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(
        /^cairn: .*newer\.backup: the database is at schema version 999, newer than this Cairn \(\d+\); upgrade Cairn; nothing was restored\n$/,
      );
      expect(existsSync(target)).to.equal(false);
    });

    it('export says plainly that it is not a backup', () => {
      const r = cairn(['export'], { data });
      expect(r.stdout.split('\n')[0]).to.equal('# cairn export: not a backup — no passwords, MFA secrets or policy history; use cairn backup');
      expect(cairn(['export', '--help'], { data }).stdout).to.include('not a backup');
    });
  });
});
