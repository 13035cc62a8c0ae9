import { expect } from 'chai';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import {
  ADMIN_DN,
  ADMIN_PASSWORD,
  BASE,
  freePort,
  importLdif,
  initData,
  ldapTool,
  peopleLdif,
  removeData,
  startServer,
  type RunningServer,
  asAdmin,
} from '../helpers/server';
import { dataPaths } from '../../src/data-folder';

/** One sample of a scrape: the value of `name{labels}` (labels as written, in order), or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

/** The listening TCP ports of a process, from ss. */
function listeningPorts(pid: number): number[] {
  const r = spawnSync('ss', ['-Hltnp'], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .filter((l) => l.includes(`pid=${pid},`))
    .map((l) => Number(/:(\d+)\s/.exec(l)![1]));
}

const LOCKED = `uid=locked,ou=people,${BASE}`;
const lockedLdif = [
  `dn: ${LOCKED}`,
  'objectClass: inetOrgPerson',
  'uid: locked',
  'cn: Locked',
  'sn: Locked',
  'userPassword: pw-locked',
  'pwdAccountLockedTime: 000001010000Z',
  '',
].join('\n');

for (const workers of [1, 2]) {
  describe(`metrics, /healthz and /readyz (${workers} server process${workers > 1 ? 'es' : ''})`, function () {
    this.timeout(90000);
    let server: RunningServer;
    let port: number;

    before(async () => {
      const data = initData();
      importLdif(data, peopleLdif(2));
      importLdif(data, lockedLdif);
      port = await freePort();
      server = await startServer(data, { CAIRN_SERVER_WORKERS: String(workers), CAIRN_SECURITY_HASH_WORKERS: '0', CAIRN_METRICS_LISTEN: `127.0.0.1:${port}` });
    });
    after(async () => {
      await server.stop();
      removeData(server.data);
    });

    it('/healthz answers, and /readyz says ready while serving', async () => {
      expect(await get(port, '/healthz')).to.deep.equal({ status: 200, body: 'ok\n' });
      expect(await get(port, '/readyz')).to.deep.equal({ status: 200, body: 'ready\n' });
      expect((await get(port, '/other')).status).to.equal(404);
    });

    it('a scrape shows the binds and searches a load made', async () => {
      const whoami = (dn: string, password: string, url = server.url) => ldapTool('ldapwhoami', ['-x', '-H', url, '-D', dn, '-w', password]);
      const user = (i: number) => `uid=user${String(i).padStart(4, '0')},ou=people,${BASE}`;
      const before = (await get(port, '/metrics')).body;
      expect(sample(before, 'cairn_binds_total', 'outcome="success"')).to.equal(0);
      expect(sample(before, 'cairn_hash_threads'), 'no hashing thread before the first password check').to.equal(0);
      const load = { success: 6, wrong: 4, locked: 3, unknown: 2, searches: 5 };
      for (let i = 0; i < load.success; i++) expect(whoami(user(i % 2), `pw-user000${i % 2}`).status).to.equal(0);
      for (let i = 0; i < load.wrong; i++) expect(whoami(user(0), 'wrong').status).to.equal(49);
      for (let i = 0; i < load.locked; i++) expect(whoami(LOCKED, 'pw-locked').status).to.equal(49);
      for (let i = 0; i < load.unknown; i++) expect(whoami(`uid=nobody,ou=people,${BASE}`, 'whatever').status).to.equal(49);
      for (let i = 0; i < load.searches; i++) {
        const r = ldapTool('ldapsearch', [...asAdmin(server.url), '-LLL', '-b', `ou=people,${BASE}`, '(uid=user*)', 'uid']);
        expect(r.status, r.stderr).to.equal(0);
      }
      expect(whoami(ADMIN_DN, ADMIN_PASSWORD, server.ldapsUrl).status).to.equal(0);

      const text = (await get(port, '/metrics')).body;
      const binds = (outcome: string) => sample(text, 'cairn_binds_total', `outcome="${outcome}"`);
      // Each search is one admin bind; the LDAPS whoami one more.
      expect(binds('success')).to.equal(load.success + load.searches + 1);
      expect(binds('wrong_password')).to.equal(load.wrong);
      expect(binds('locked')).to.equal(load.locked);
      expect(binds('unknown_dn')).to.equal(load.unknown);
      expect(binds('expired')).to.equal(0);
      const ops = (op: string, result: string) => sample(text, 'cairn_operations_total', `op="${op}",result="${result}"`);
      expect(ops('bind', 'success')).to.equal(load.success + load.searches + 1);
      expect(ops('bind', 'invalidCredentials')).to.equal(load.wrong + load.locked + load.unknown);
      expect(ops('search', 'success')).to.equal(load.searches);
      expect(sample(text, 'cairn_operation_duration_seconds_count', 'op="search"')).to.equal(load.searches);
      expect(sample(text, 'cairn_operation_duration_seconds_bucket', 'op="bind",le="+Inf"')).to.equal(
        load.success + load.searches + 1 + load.wrong + load.locked + load.unknown,
      );
      // One connection per tool run; every password check (even for an unknown DN) went through the pool,
      // but for a right password again (the verified-credential cache): each worker verified each person's
      // at least once, and the wrong ones every time.
      expect(sample(text, 'cairn_connections_total', 'result="accepted"')).to.equal(load.success + load.wrong + load.locked + load.unknown + load.searches + 1);
      expect(sample(text, 'cairn_tls_handshakes_total', 'kind="ldaps",result="ok"')).to.equal(1);
      const verified = sample(text, 'cairn_hash_duration_seconds_count', 'op="verify"') ?? NaN;
      const kept = sample(text, 'cairn_bind_cache_hits_total') ?? NaN;
      expect(verified + kept, 'password checks').to.equal(load.success + load.wrong + load.locked + load.unknown + load.searches + 1);
      expect(kept, 'answered by the cache').to.be.within(load.success + load.searches + 1 - 3 * workers, load.success + load.searches + 1 - 3);
      expect(sample(text, 'cairn_hash_queue_length')).to.equal(0);
      // Everyone here has bcrypt, which runs on libuv's threads: no hash thread of the pool was started (they
      // are for imported schemes such as sha-crypt).
      expect(sample(text, 'cairn_hash_threads')).to.equal(0);
      expect(sample(text, 'cairn_entries', 'kind="people"')).to.equal(4);
      expect(sample(text, 'cairn_entries', 'kind="groups"')).to.equal(2);
      expect(sample(text, 'cairn_entries', 'kind="services"')).to.equal(0);
      expect(sample(text, 'cairn_database_bytes', 'file="main"')).to.be.greaterThan(0);
      expect(sample(text, 'process_resident_memory_bytes')).to.be.greaterThan(0);
      expect(sample(text, 'nodejs_eventloop_lag_seconds')).to.be.a('number');
      // Every family once: the primary's own metrics and its workers' sums do not overlap.
      const families = text
        .split('\n')
        .filter((l) => l.startsWith('# TYPE '))
        .map((l) => l.split(' ')[2]);
      expect(families.length).to.equal(new Set(families).size);
    });

    it('/readyz is 503 while the database cannot take a write, and 200 again after', async () => {
      const db = new Database(dataPaths(server.data).database);
      try {
        db.exec('BEGIN IMMEDIATE');
        const r = await get(port, '/readyz');
        expect(r.status).to.equal(503);
        expect(r.body).to.match(/not ready: the database is not writable: its write lock has been held/);
        expect((await get(port, '/healthz')).status).to.equal(200);
      } finally {
        db.exec('ROLLBACK');
        db.close();
      }
      expect((await get(port, '/readyz')).status).to.equal(200);
    });

    if (workers > 1) {
      it('/readyz is 503 while a worker does not answer, and 200 again after', async () => {
        const pids = spawnSync('pgrep', ['-P', String(server.process.pid)], { encoding: 'utf8' })
          .stdout.trim()
          .split('\n')
          .map(Number);
        expect(pids).to.have.length(workers);
        process.kill(pids[0], 'SIGSTOP');
        try {
          const r = await get(port, '/readyz');
          expect(r).to.deep.equal({ status: 503, body: `not ready: ${workers - 1} of ${workers} server workers listen for LDAP\n` });
        } finally {
          process.kill(pids[0], 'SIGCONT');
        }
        expect((await get(port, '/readyz')).status).to.equal(200);
      });

      it('the counts of a worker that ended stay in the sums', async () => {
        const success = async () => sample((await get(port, '/metrics')).body, 'cairn_binds_total', 'outcome="success"');
        const counted = await success();
        expect(counted).to.be.greaterThan(0);
        const pids = spawnSync('pgrep', ['-P', String(server.process.pid)], { encoding: 'utf8' })
          .stdout.trim()
          .split('\n')
          .map(Number);
        process.kill(pids[0], 'SIGKILL');
        // The primary starts another; until it listens, not ready.
        const deadline = Date.now() + 30000;
        await new Promise((r) => setTimeout(r, 200));
        while ((await get(port, '/readyz')).status !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        expect((await get(port, '/readyz')).status).to.equal(200);
        expect(await success()).to.equal(counted);
      });
    }
  });
}

describe('metrics.listen', function () {
  this.timeout(60000);

  it('an address in use stops start-up, saying which setting', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as { port: number }).port;
    const data = initData();
    try {
      const failure = await startServer(data, { CAIRN_SERVER_WORKERS: '1', CAIRN_METRICS_LISTEN: `127.0.0.1:${port}` }).then(
        async (s) => {
          await s.stop();
          return 'started';
        },
        (err: Error) => err.message,
      );
      expect(failure).to.match(new RegExp(`cannot listen on metrics.listen 127.0.0.1:${port}: .*EADDRINUSE`));
    } finally {
      taken.close();
      removeData(data);
    }
  });

  it('none: nothing listens but the LDAP ports', async () => {
    const server = await startServer(initData(), { CAIRN_SERVER_WORKERS: '1', CAIRN_METRICS_LISTEN: 'none' });
    try {
      expect(listeningPorts(server.process.pid!).sort()).to.deep.equal([server.port, server.ldapsPort].sort());
    } finally {
      await server.stop();
      removeData(server.data);
    }
  });
});
