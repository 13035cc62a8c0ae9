import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { connect as netConnect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { generateSelfSignedCertificate } from '../../src/security/certificate';
import { CAIRN, TEST_ENV, initData, removeData, startServer, type RunningServer } from '../helpers/server';
import { RawClient, equality, extended, message, search, TAG } from '../helpers/raw-ldap';
import { BASE } from '../helpers/server';
import { childrenOf, socketCount } from '../helpers/processes';
import { findEvent } from '../helpers/log-events';

const STARTTLS = '1.3.6.1.4.1.1466.20037';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `cairn serve` that is expected to fail: its exit code, stderr and how long it took. */
function failingServe(data: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; stdout: string; elapsed: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CAIRN, '--data', data, 'serve', ...args], { env: { ...TEST_ENV, ...env } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout, elapsed: Date.now() - started });
    });
  });
}

async function waitFor<T>(what: string, f: () => T | undefined | false, ms = 15000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

/** The certificate a new LDAPS connection shows. */
function ldapsFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.destroy();
    });
    s.once('error', reject);
  });
}

/** The certificate a StartTLS upgrade on a new plain connection shows. */
function startTlsFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const raw = netConnect({ host: '127.0.0.1', port }, () => raw.write(message(1, extended(STARTTLS))));
    raw.once('error', reject);
    raw.once('data', (d: Buffer) => {
      // An extendedResponse with resultCode success: ... 0x78 len 0x0a 0x01 0x00 ...
      if (!d.includes(Buffer.from([0x0a, 0x01, 0x00]))) return reject(new Error(`StartTLS refused: ${d.toString('hex')}`));
      const s = tlsConnect({ socket: raw, rejectUnauthorized: false }, () => {
        resolve(s.getPeerCertificate().fingerprint256);
        s.destroy();
      });
      s.once('error', reject);
    });
  });
}

/** Several new connections, so that every worker answers at least once (the primary hands them out in turn). */
async function fingerprints(f: (port: number) => Promise<string>, port: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < 6; i++) seen.add(await f(port));
  return seen;
}

describe('server lifecycle', function () {
  this.timeout(120000);

  describe('a failure to start ends the server, non-zero, with one line', () => {
    let data: string;
    let taken: Server;
    let takenPort: number;
    before(async () => {
      data = initData();
      taken = createServer();
      await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
      takenPort = (taken.address() as { port: number }).port;
      writeFileSync(join(data, '..', 'bad-cert.pem'), '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
    });
    after(() => {
      taken.close();
      removeData(data);
    });

    for (const workers of ['1', '2']) {
      const env = { CAIRN_SERVER_WORKERS: workers };
      const expectOneLine = (r: { code: number | null; stderr: string; stdout: string; elapsed: number }, says: string) => {
        expect(r.code, r.stderr).to.equal(1);
        expect(r.stdout).to.not.include('Cairn serves');
        expect(r.elapsed, 'seconds to fail').to.be.below(5000);
        expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
        expect(r.stderr).to.match(/^cairn: /);
        expect(r.stderr).to.include(says);
      };

      it(`workers=${workers}: a port already taken`, async () => {
        const r = await failingServe(data, ['--listen', `127.0.0.1:${takenPort}`, '--ldaps', 'none'], env);
        expectOneLine(r, 'EADDRINUSE');
        expect(r.stderr).to.include(String(takenPort));
      });

      it(`workers=${workers}: a missing data folder`, async () => {
        const r = await failingServe(join(data, '..', 'nowhere'), ['--listen', '127.0.0.1:0', '--ldaps', 'none'], env);
        expectOneLine(r, 'no directory in');
      });

      it(`workers=${workers}: a bad certificate`, async () => {
        const r = await failingServe(
          data,
          ['--listen', '127.0.0.1:0', '--ldaps', '127.0.0.1:0', '--tls-cert', join(data, '..', 'bad-cert.pem'), '--tls-key', join(data, 'tls', 'key.pem')],
          env,
        );
        expectOneLine(r, 'bad-cert.pem');
      });
    }
  });

  describe('SIGHUP with one worker (no primary)', () => {
    let server: RunningServer;
    let data: string;
    before(async () => {
      data = initData();
      const configFile = join(data, '..', 'cairn.json');
      writeFileSync(configFile, JSON.stringify({ log: { file: join(data, '..', 'cairn.log'), level: 'info' } }));
      server = await startServer(data, { CAIRN_SERVER_WORKERS: '1', CAIRN_LOG_LEVEL: undefined }, ['--config', configFile]);
    });
    after(async () => {
      await server?.stop();
      removeData(data);
    });

    it('reopens the log at its path and takes a renewed certificate; keeps serving', async () => {
      const logFile = join(data, '..', 'cairn.log');
      renameSync(logFile, logFile + '.1');
      const renewed = await generateSelfSignedCertificate();
      writeFileSync(join(data, 'tls', 'key.pem'), renewed.key);
      writeFileSync(join(data, 'tls', 'cert.pem'), renewed.cert);
      server.process.kill('SIGHUP');
      await waitFor('the reload in the new file', () => existsSync(logFile) && readFileSync(logFile, 'utf8').includes('"message":"reloaded"'));
      expect(await ldapsFingerprint(server.ldapsPort)).to.equal(fingerprint(renewed.cert));
      expect(await startTlsFingerprint(server.port)).to.equal(fingerprint(renewed.cert));
      const c = await RawClient.open(server.port);
      await c.bindAdmin();
      c.destroy();
      await waitFor('the bind in the new file', () => readFileSync(logFile, 'utf8').includes('"op":"bind"'));
      expect(server.process.exitCode).to.equal(null);
    });
  });

  describe('SIGHUP, logrotate and dead workers (2 workers)', () => {
    let server: RunningServer;
    let data: string;
    let configFile: string;
    let logFile: string;
    const settings = (extra: Record<string, unknown> = {}) => JSON.stringify({ log: { file: logFile, level: 'info' }, ...extra });
    const logText = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
    /** Sends SIGHUP and waits for the primary's "reloaded" line (said once all workers are done). */
    const hup = async () => {
      const before = (logText().match(/"message":"reloaded"/g) ?? []).length;
      server.process.kill('SIGHUP');
      await waitFor('the reload to be logged', () => (logText().match(/"message":"reloaded"/g) ?? []).length > before);
    };

    before(async () => {
      data = initData();
      logFile = join(data, '..', 'cairn.log');
      configFile = join(data, '..', 'cairn.json');
      writeFileSync(configFile, settings());
      // The configuration file's log.level (info), not the tests' CAIRN_LOG_LEVEL.
      server = await startServer(data, { CAIRN_SERVER_WORKERS: '2', CAIRN_SERVER_CONNECTION_BALANCING: 'primary', CAIRN_LOG_LEVEL: undefined }, [
        '--config',
        configFile,
      ]);
    });
    after(async () => {
      await server?.stop();
      removeData(data);
    });

    it('50 clients searching while SIGHUP arrives three times: no failed operation, no dropped connection', async () => {
      const clients = await Promise.all(Array.from({ length: 50 }, () => RawClient.open(server.port)));
      await Promise.all(clients.map((c) => c.bindAdmin()));
      let running = true;
      let done = 0;
      const failures: string[] = [];
      const loops = clients.map(async (c, i) => {
        for (let id = 2; running; id++) {
          c.send(message(id, search({ base: BASE, filter: equality('uid', 'admin') })));
          try {
            const r = await c.result(id);
            if (r.tag !== TAG.searchResultDone || r.resultCode !== 0 || c.entries(id).length !== 1)
              failures.push(`client ${i}: result ${r.resultCode} ${r.diagnosticMessage}`);
            else done++;
          } catch (err) {
            failures.push(`client ${i}: ${(err as Error).message}`);
            return;
          }
          c.messages.length = 0;
        }
      });
      for (let i = 0; i < 3; i++) {
        await sleep(400);
        await hup();
      }
      await sleep(400);
      running = false;
      await Promise.all(loops);
      const dropped = clients.filter((c) => c.closed).length;
      for (const c of clients) c.destroy();
      expect(failures).to.deep.equal([]);
      expect(dropped, 'connections closed by the server').to.equal(0);
      expect(done).to.be.above(100);
    });

    it('connections reach both workers (server.connectionBalancing primary: the primary hands them to the workers; under load not strictly in turn, 28/12 of 40 seen)', async () => {
      const gained = await connectionsPerWorker(server, 40);
      expect(gained.reduce((a, b) => a + b)).to.equal(40);
      expect(Math.min(...gained), `connections per worker: ${gained.join(', ')}`).to.be.above(4);
    });

    it('logrotate: the log moved away, SIGHUP, new lines go to a new file at the configured path', async () => {
      const moved = logFile + '.1';
      renameSync(logFile, moved);
      await hup();
      const c = await RawClient.open(server.port);
      await c.bindAdmin();
      c.destroy();
      const fresh = await waitFor('an operation line in the new file', () => /"op":"bind"/.test(logText()) && logText());
      expect(fresh).to.include('"message":"reloaded"');
      const old = readFileSync(moved, 'utf8');
      expect(old.length).to.be.above(0);
      // Lines after the reopen went only to the new file.
      expect(old).to.not.include(fresh.split('\n').find((l) => l.includes('"op":"bind"')));
    });

    it('a renewed certificate: the next LDAPS and StartTLS handshakes show it, on every worker', async () => {
      const original = fingerprint(readFileSync(join(data, 'tls', 'cert.pem'), 'utf8'));
      expect(await fingerprints(ldapsFingerprint, server.ldapsPort)).to.deep.equal(new Set([original]));
      const renewed = await generateSelfSignedCertificate();
      writeFileSync(join(data, 'tls', 'key.pem'), renewed.key);
      writeFileSync(join(data, 'tls', 'cert.pem'), renewed.cert);
      await hup();
      expect(await fingerprints(ldapsFingerprint, server.ldapsPort)).to.deep.equal(new Set([fingerprint(renewed.cert)]));
      expect(await fingerprints(startTlsFingerprint, server.port)).to.deep.equal(new Set([fingerprint(renewed.cert)]));
    });

    it('a bad certificate at SIGHUP: the old one stays, an error says why', async () => {
      const current = readFileSync(join(data, 'tls', 'cert.pem'), 'utf8');
      writeFileSync(join(data, 'tls', 'cert.pem'), 'garbage\n');
      await hup();
      expect(findEvent(logText(), 'error', /^the TLS certificate was not reloaded: .*cert\.pem/, 'error'), logText()).to.not.equal(undefined);
      expect(await fingerprints(ldapsFingerprint, server.ldapsPort)).to.deep.equal(new Set([fingerprint(current)]));
      expect(await fingerprints(startTlsFingerprint, server.port)).to.deep.equal(new Set([fingerprint(current)]));
      writeFileSync(join(data, 'tls', 'cert.pem'), current);
    });

    it('a setting that changes only at restart is named in a warning; a live one is taken up', async () => {
      writeFileSync(configFile, settings({ server: { maxConnections: 100 }, search: { sizeLimit: 3 } }));
      await hup();
      const lines = logText().split('\n');
      const warning = lines.filter((l) => l.includes('take effect only at a restart')).at(-1);
      expect(warning).to.include('"settings":["server.maxConnections"]');
      expect(lines.filter((l) => l.includes('"message":"reloaded"')).at(-1)).to.include('"changed":["search.sizeLimit"]');
    });

    it('a configuration that does not load at SIGHUP: the old one stays, an error says why', async () => {
      writeFileSync(configFile, '{ "log": ');
      await hup();
      expect(logText()).to.include('"error":"the configuration was not reloaded: configuration file');
      const c = await RawClient.open(server.port);
      await c.bindAdmin();
      c.destroy();
      writeFileSync(configFile, settings());
    });

    it('a worker killed with SIGKILL: logged at level error and started again; clients served meanwhile and after', async () => {
      const before = childrenOf(server.process.pid!);
      expect(before).to.have.length(2);
      process.kill(before[0], 'SIGKILL');
      const line = await waitFor('the death to be logged', () =>
        logText()
          .split('\n')
          .find((l) => l.includes('server worker died')),
      );
      expect(line).to.include('"signal":"SIGKILL"').and.to.include('"level":"error"').and.to.include(`"pid":${before[0]}`);
      // Served meanwhile by the other worker.
      const c = await RawClient.open(server.port);
      await c.bindAdmin();
      c.destroy();
      const after = await waitFor('a new worker', () => {
        const now = childrenOf(server.process.pid!);
        return now.length === 2 && !now.includes(before[0]) && now;
      });
      expect(after).to.include(before[1]);
      await waitFor('the new worker to serve', () => logText().includes('"message":"server worker serving again"'));
      // Every connection is served, whichever worker it reaches.
      for (let i = 0; i < 6; i++) {
        const d = await RawClient.open(server.port);
        await d.bindAdmin();
        d.destroy();
      }
    });

    it('a restarted worker that cannot start (a bad certificate now) is logged with its reason and tried again; the others serve', async () => {
      const cert = join(data, 'tls', 'cert.pem');
      const good = readFileSync(cert, 'utf8');
      writeFileSync(cert, 'garbage\n');
      const victim = childrenOf(server.process.pid!)[0];
      process.kill(victim, 'SIGKILL');
      const line = await waitFor(
        'the failed restart to be logged',
        () =>
          logText()
            .split('\n')
            .find((l) => l.includes('server worker died') && l.includes('"reason":"the TLS certificate')),
        30000,
      );
      expect(line).to.include('"code":1');
      const c = await RawClient.open(server.port);
      await c.bindAdmin();
      c.destroy();
      writeFileSync(cert, good);
      await waitFor('two workers serving again', () => (logText().match(/"message":"server worker serving again"/g) ?? []).length === 2, 60000);
      expect(childrenOf(server.process.pid!)).to.have.length(2);
      expect(server.process.exitCode).to.equal(null);
    });
  });

  describe('server.connectionBalancing kernel, the default (2 workers)', () => {
    let server: RunningServer;
    let data: string;
    before(async () => {
      data = initData();
      server = await startServer(data, { CAIRN_SERVER_WORKERS: '2', CAIRN_SERVER_CONNECTION_BALANCING: 'kernel' });
    });
    after(async () => {
      await server?.stop();
      removeData(data);
    });

    // The kernel may land a burst mostly in one worker (libuv accepts all that wait): that worker passes
    // what it holds beyond the others' count plus its slack (8; a quarter of a small number, at least 2)
    // on to them, through the primary, before reading it.
    it('the workers accept on the shared socket; a burst of 40 is spread, each worker holding at least 10', async () => {
      for (let round = 0; round < 3; round++) {
        const gained = await connectionsPerWorker(server, 40);
        expect(gained.reduce((a, b) => a + b)).to.equal(40);
        expect(Math.min(...gained), `40 connections split ${gained.join('/')}`).to.be.at.least(10);
      }
    });

    it("every process's thread pool (where bcrypt runs) is niced below its event loop: all of its threads at 10, the loop at 0", async () => {
      const processes = [server.process.pid!, ...childrenOf(server.process.pid!)];
      expect(processes).to.have.length(3);
      for (const pid of processes) {
        const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
        // bin/cairn sets the size (CPUs + 4) when it is not given: the primary's environ is as it was before.
        const poolSize = Number(env.find((v) => v.startsWith('UV_THREADPOOL_SIZE='))?.split('=')[1] ?? availableParallelism() + 4);
        const nice = (tid: string) => {
          const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
          return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
        };
        const tids = readdirSync(`/proc/${pid}/task`);
        expect(nice(String(pid)), `process ${pid}'s event loop`).to.equal(0);
        expect(
          tids.filter((t) => nice(t) === 10),
          `process ${pid}: threads at nice 10`,
        ).to.have.length(poolSize);
      }
    });

    it('a pool of 8 opened at once is shared too, each worker holding at least 2 (before the quarter rule: 7/1 seen)', async () => {
      for (let round = 0; round < 4; round++) {
        const gained = await connectionsPerWorker(server, 8);
        expect(Math.min(...gained), `8 connections split ${gained.join('/')}`).to.be.at.least(2);
      }
    });
  });
});

/** Opens `count` connections that bind, and counts how many each worker of the server took. */
async function connectionsPerWorker(server: RunningServer, count: number): Promise<number[]> {
  const workers = childrenOf(server.process.pid!);
  expect(workers).to.have.length(2);
  // Connections an earlier test closed may still be closing on the server's side, and one passed on is
  // briefly held by both workers: counts are read once steady.
  const steady = async () => {
    let counts = workers.map(socketCount);
    for (let tries = 0; tries < 50; tries++) {
      await sleep(150);
      const now = workers.map(socketCount);
      if (now.every((n, i) => n === counts[i])) break;
      counts = now;
    }
    return counts;
  };
  const before = await steady();
  // The workers' counts reach the primary every 250 ms (kernel balancing): let the last ones arrive.
  await sleep(300);
  const clients = await Promise.all(Array.from({ length: count }, () => RawClient.open(server.port)));
  await Promise.all(clients.map((c) => c.bindAdmin()));
  const after = await steady();
  const gained = workers.map((_, i) => after[i] - before[i]);
  for (const c of clients) c.destroy();
  return gained;
}
