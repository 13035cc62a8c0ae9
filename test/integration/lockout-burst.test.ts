/**
 * The lockout holds under a burst: however many wrong passwords arrive at once, on separate connections
 * and across two worker processes, no more than pwdMaxFailure are compared with the hash before the
 * account locks, and the right password sent after them is refused until the lock ends.
 */
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { join } from 'node:path';
import { BASE, cairn, importLdif, initData, ldapTool, removeData, startServer, type RunningServer, asAdmin } from '../helpers/server';

// ldapjs ships no types: the little of it these tests use.
interface LdapError extends Error {
  code: number;
}
interface LdapClient {
  bind(dn: string, password: string, cb: (err: LdapError | null) => void): void;
  unbind(cb?: (err?: Error) => void): void;
  destroy(err?: Error): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
}
interface LdapJs {
  createClient(options: { url: string; timeout?: number; connectTimeout?: number }): LdapClient;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ldap = require('ldapjs') as LdapJs;

const POLICY = `cn=default,ou=policies,${BASE}`;
const person = (uid: string) => `uid=${uid},ou=people,${BASE}`;

describe('lockout under a burst of parallel binds (two workers)', function () {
  this.timeout(120000);
  let server: RunningServer;
  const clients: LdapClient[] = [];

  const setPolicy = (...pairs: [string, string][]) =>
    importLdif(server.data, [`dn: ${POLICY}`, 'changetype: modify', ...pairs.flatMap(([a, v]) => [`replace: ${a}`, `${a}: ${v}`, '-']), ''].join('\n'));
  const addPerson = (uid: string, pw: string) => {
    const r = cairn(['user', 'add', uid, '--given', 'Pat', '--sn', 'Quinn', '--mail', `${uid}@example.com`, '--password', pw], { data: server.data });
    expect(r.status, r.stderr).to.equal(0);
  };
  const admin = () => asAdmin(server.url);
  const whoami = (uid: string, pw: string) => ldapTool('ldapwhoami', ['-x', '-H', server.url, '-D', person(uid), '-w', pw, '-e', 'ppolicy']);
  const lockedTime = (uid: string) =>
    /pwdAccountLockedTime: (\S+)/.exec(ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person(uid), '-s', 'base', 'pwdAccountLockedTime']).stdout)?.[1];
  /** Password comparisons that failed for this account, as the server logged them (info level). */
  const comparisons = (uid: string) =>
    server
      .stderr()
      .split('\n')
      .filter((l) => l.includes('bind failed: wrong password') && l.includes(person(uid))).length;

  /** One bind on a connection of its own: 0 when it succeeds, else the result code. */
  function bindOnce(dn: string, password: string): Promise<number> {
    const c = ldap.createClient({ url: server.url, timeout: 60000, connectTimeout: 30000 });
    c.on('error', () => undefined);
    clients.push(c);
    return new Promise((resolve) => c.bind(dn, password, (err) => resolve(err ? err.code : 0)));
  }

  /** n wrong passwords sent at once, then (before any answer came back) the right one. */
  async function burst(uid: string, n: number, right: string): Promise<{ wrong: number[]; right: number }> {
    const wrong = Array.from({ length: n }, (_, i) => bindOnce(person(uid), `wrong-${i}`));
    const last = bindOnce(person(uid), right);
    return { wrong: await Promise.all(wrong), right: await last };
  }

  before(async () => {
    server = await startServer(initData(undefined, { policy: 'default' }), { CAIRN_SERVER_WORKERS: '2', CAIRN_LOG_LEVEL: 'info' });
    setPolicy(['pwdMaxFailure', '10'], ['pwdLockoutDuration', '900']);
  });
  afterEach(async () => {
    await Promise.all(
      clients.splice(0).map(
        (c) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => (c.destroy(), resolve()), 2000);
            c.unbind(() => (clearTimeout(timer), resolve()));
          }),
      ),
    );
  });
  after(async () => {
    await server?.stop();
    if (server) removeData(server.data);
  });

  for (const n of [50, 200]) {
    it(`${n} wrong passwords at once: at most pwdMaxFailure are compared, the right one after them is refused`, async () => {
      const uid = `zzburst${n}`;
      addPerson(uid, 'Burst-Right-4242');
      const r = await burst(uid, n, 'Burst-Right-4242');
      expect(
        r.wrong.every((code) => code === 49),
        r.wrong.join(','),
      ).to.equal(true);
      expect(r.right, 'the right password after the burst').to.equal(49);
      expect(lockedTime(uid)).to.match(/^\d{14}Z$/);
      const locked = whoami(uid, 'Burst-Right-4242');
      expect(locked.status).to.equal(49);
      expect(locked.stderr).to.include('Account locked');
      await new Promise((resolve) => setTimeout(resolve, 300)); // the log is written once per turn of the event loop
      expect(comparisons(uid), 'password comparisons that failed').to.equal(10);
      const failures = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person(uid), '-s', 'base', 'pwdFailureTime']).stdout.match(/pwdFailureTime:/g);
      expect(failures).to.have.length(10);
      expect(cairn(['user', 'unlock', uid], { data: server.data }).status).to.equal(0);
      expect(whoami(uid, 'Burst-Right-4242').status, 'unlocked').to.equal(0);
    });
  }

  it('the right password, kept by the bind cache, sent after 50 wrong ones at once is refused too', async () => {
    addPerson('zzkept', 'Kept-Right-4242');
    expect(whoami('zzkept', 'Kept-Right-4242').status, 'kept by the worker that checked it').to.equal(0);
    expect(whoami('zzkept', 'Kept-Right-4242').status).to.equal(0);
    const r = await burst('zzkept', 50, 'Kept-Right-4242');
    expect(r.right, 'the right password after the burst').to.equal(49);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the log is written once per turn of the event loop
    expect(comparisons('zzkept'), 'password comparisons that failed').to.equal(10);
    expect(lockedTime('zzkept')).to.match(/^\d{14}Z$/);
  });

  it('the right password sent many times at once is accepted every time (checks wait their turn, nobody is locked out)', async () => {
    addPerson('zzpool', 'Pool-Right-4242');
    const codes = await Promise.all(Array.from({ length: 40 }, () => bindOnce(person('zzpool'), 'Pool-Right-4242')));
    expect(
      codes.every((c) => c === 0),
      codes.join(','),
    ).to.equal(true);
    expect(lockedTime('zzpool')).to.equal(undefined);
  });

  it('wrong then right under the limit still binds, and clears the failures', () => {
    addPerson('zzunder', 'Under-Limit-4242');
    for (let i = 0; i < 9; i++) expect(whoami('zzunder', 'wrong').status).to.equal(49);
    expect(whoami('zzunder', 'Under-Limit-4242').status).to.equal(0);
    const read = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', person('zzunder'), '-s', 'base', 'pwdFailureTime']);
    expect(read.stdout).to.not.include('pwdFailureTime');
  });

  it('checks left behind by a crashed worker stop counting after a minute', () => {
    addPerson('zzcrash', 'Crash-Right-4242');
    const db = new Database(join(server.data, 'cairn.sqlite'));
    try {
      const id = db.prepare('SELECT id FROM entries WHERE ndn LIKE ?').pluck().get('uid=zzcrash,%') as number;
      const insert = db.prepare('INSERT INTO bind_attempts (entry_id, started_at) VALUES (?, ?)');
      for (let i = 0; i < 10; i++) insert.run(id, Date.now() - 61_000);
    } finally {
      db.close();
    }
    expect(whoami('zzcrash', 'Crash-Right-4242').status).to.equal(0);
  });
  // That a lock lifts by itself after pwdLockoutDuration is tested with a fake clock (test/unit/accounts.test.ts).
});
