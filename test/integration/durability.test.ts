/**
 * Durability (issue 12, defect 10): store.synchronous is `full` by default (an acknowledged write is on
 * disk before its answer), `normal` on request, anything else refused; and the crash test: a write storm,
 * kill -9 of every server process, restart, every acknowledged write present and the database intact,
 * five rounds. (kill -9 does not test a power loss: `normal` passes it too. What a power loss needs is
 * the sync at every commit, which the strace test sees.)
 */
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawClient } from '../../bench/raw-client';
import { loadConfig } from '../../src/config';
import { silentLogger } from '../../src/log';
import { openDirectory } from '../../src/runtime';
import { dataPaths } from '../../src/data-folder';
import {
  ADMIN_DN,
  ADMIN_PASSWORD,
  BASE,
  CAIRN,
  TEST_ENV,
  cairn,
  initData,
  ldapTool,
  removeData,
  startServer,
  type RunningServer,
  asAdmin,
} from '../helpers/server';
import { childrenOf } from '../helpers/processes';

describe('durability: store.synchronous', function () {
  this.timeout(60000);
  let data: string;
  before(() => {
    data = initData();
  });
  after(() => removeData(data));

  /** PRAGMA synchronous on the store the server and every command open (openDirectory), with this configuration. */
  async function level(env: NodeJS.ProcessEnv, file?: string): Promise<number> {
    const opened = await openDirectory(data, loadConfig({ env, file }), silentLogger());
    try {
      return opened.store.synchronousLevel();
    } finally {
      await opened.close();
    }
  }

  it('is full by default: PRAGMA synchronous reads back 2', async () => {
    expect(loadConfig({ env: {} }).store.synchronous).to.equal('full');
    expect(await level({})).to.equal(2);
  });

  it('CAIRN_STORE_SYNCHRONOUS=normal: 1; =full: 2', async () => {
    expect(await level({ CAIRN_STORE_SYNCHRONOUS: 'normal' })).to.equal(1);
    expect(await level({ CAIRN_STORE_SYNCHRONOUS: 'full' })).to.equal(2);
  });

  it('a configuration file with store.synchronous "normal": 1; the environment overrides it', async () => {
    const file = join(data, '..', 'normal.json');
    writeFileSync(file, JSON.stringify({ store: { synchronous: 'normal' } }));
    expect(await level({}, file)).to.equal(1);
    expect(await level({ CAIRN_STORE_SYNCHRONOUS: 'full' }, file)).to.equal(2);
  });

  it('any other value is refused by every command, naming the setting, and changes nothing', () => {
    for (const bad of ['off', 'FULL', 'extra', '']) {
      const r = cairn(['user', 'list'], { data, env: { CAIRN_STORE_SYNCHRONOUS: bad } });
      expect(r.status, `${bad}: ${r.stdout}`).to.not.equal(0);
      expect(r.stderr).to.match(/^cairn: .*store\.synchronous.*full.*normal/);
    }
    const file = join(data, '..', 'bad.json');
    writeFileSync(file, JSON.stringify({ store: { synchronous: 2 } }));
    const r = cairn(['--config', file, 'serve', '--listen', '127.0.0.1:0', '--ldaps', 'none'], { data });
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.contain('store.synchronous');
  });

  /** Syncs (fsync/fdatasync) made by a real server, every process of it, while it takes `writes` modifies. */
  async function serverSyncs(synchronous: string, writes: number): Promise<number> {
    const trace = join(data, '..', `strace-${synchronous}.txt`);
    const child = spawn(
      'strace',
      // --seccomp-bpf: the server stops only at the traced calls, not at every one (a tenth of the overhead).
      [
        '-f',
        '--seccomp-bpf',
        '-qq',
        '-e',
        'trace=fsync,fdatasync',
        '-o',
        trace,
        process.execPath,
        CAIRN,
        '--data',
        data,
        'serve',
        '--listen',
        '127.0.0.1:0',
        '--ldaps',
        'none',
      ],
      {
        env: { ...TEST_ENV, CAIRN_STORE_SYNCHRONOUS: synchronous, CAIRN_SERVER_WORKERS: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group: a signal to strace alone detaches it and leaves the server running.
        detached: true,
      },
    );
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error('server did not start')), 30000);
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /ldap:\/\/127\.0\.0\.1:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        child.once('exit', () => reject(new Error('server exited')));
      });
      const c = await RawClient.open(port);
      expect(await c.bind(ADMIN_DN, ADMIN_PASSWORD)).to.equal(0);
      const count = () =>
        readFileSync(trace, 'utf8')
          .split('\n')
          .filter((l) => /\b(fsync|fdatasync)\(/.test(l)).length;
      const before = count();
      for (let i = 0; i < writes; i++) expect(await c.replace(BASE, 'description', [`sync ${synchronous} ${i}`])).to.equal(0);
      c.close();
      return count() - before;
    } finally {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        const group = (signal: NodeJS.Signals) => {
          try {
            process.kill(-child.pid!, signal);
          } catch {
            // already gone
          }
        };
        group('SIGTERM');
        const timer = setTimeout(() => group('SIGKILL'), 10000);
        child.once('exit', () => clearTimeout(timer));
      });
    }
  }

  it('a real server syncs the store at every acknowledged write with full, not with normal (strace)', async function () {
    if (spawnSync('strace', ['-V']).status !== 0) this.skip();
    const full = await serverSyncs('full', 20);
    const normal = await serverSyncs('normal', 20);
    expect(full, 'syncs for 20 modifies with full').to.be.at.least(20);
    expect(normal, 'syncs for 20 modifies with normal').to.be.below(5);
  });
});

describe('durability: kill -9 in a write storm', function () {
  this.timeout(120000);
  const ROUNDS = 5;
  const STORM_MS = 1000;
  const CLIENTS = 6;
  let data: string;
  let server: RunningServer | undefined;
  before(() => {
    data = initData();
  });
  after(async () => {
    if (server) await server.stop();
    removeData(data);
  });

  it(`${ROUNDS} rounds: every acknowledged add survives, and the database passes its integrity check`, async () => {
    const acknowledged: string[] = [];
    let next = 0;
    for (let round = 1; round <= ROUNDS + 1; round++) {
      server = await startServer(data, { CAIRN_SERVER_WORKERS: '2', CAIRN_STORE_SYNCHRONOUS: 'full' });
      // After a restart: everything acknowledged before every kill is there.
      const found = ldapTool('ldapsearch', [...asAdmin(server.url), '-LLL', '-b', `ou=groups,${BASE}`, '-s', 'one', '(cn=crash-*)', 'cn']);
      expect(found.status, found.stderr).to.equal(0);
      const present = new Set(
        found.stdout
          .split('\n')
          .filter((l) => l.startsWith('cn: '))
          .map((l) => l.slice(4)),
      );
      const missing = acknowledged.filter((cn) => !present.has(cn));
      expect(missing, `round ${round}: acknowledged adds missing after kill -9`).to.deep.equal([]);
      if (round > ROUNDS) break;

      // A storm of adds from several connections (both workers), then kill -9 of every server process.
      const clients = await Promise.all(Array.from({ length: CLIENTS }, () => RawClient.open(server!.port)));
      for (const c of clients) expect(await c.bind(ADMIN_DN, ADMIN_PASSWORD)).to.equal(0);
      const before = acknowledged.length;
      let stopping = false;
      const storm = clients.map(async (c) => {
        while (!stopping) {
          const n = next++;
          const cn = `crash-${n}`;
          try {
            const code = await c.add(`cn=${cn},ou=groups,${BASE}`, [
              ['objectClass', ['groupOfNames', 'posixGroup']],
              ['cn', [cn]],
              ['gidNumber', [String(30000 + n)]],
            ]);
            expect(code, `add ${cn}`).to.equal(0);
            acknowledged.push(cn);
          } catch (err) {
            if (!stopping) throw err;
            return; // the connection died with the server: this add was never acknowledged
          }
        }
      });
      await new Promise((r) => setTimeout(r, STORM_MS));
      const pid = server.process.pid!;
      const all = [pid, ...childrenOf(pid)];
      expect(all.length, 'the main process and its 2 workers').to.equal(3);
      stopping = true;
      const exited = new Promise((r) => server!.process.once('exit', r));
      for (const p of all) process.kill(p, 'SIGKILL');
      await Promise.all(storm);
      await exited;
      server = undefined;
      for (const c of clients) c.close();
      expect(acknowledged.length - before, `round ${round}: adds acknowledged during the storm`).to.be.above(0);

      const db = new Database(dataPaths(data).database);
      try {
        expect(db.pragma('integrity_check', { simple: true }), `round ${round}`).to.equal('ok');
      } finally {
        db.close();
      }
    }
  });
});
