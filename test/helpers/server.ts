import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { HostRequest, HostResponse } from './cli-host';
import { runToolSync } from './tool-runner';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..', '..');
export const CAIRN = join(ROOT, 'bin', 'cairn');
export const BASE = 'dc=example,dc=com';
export const ADMIN_DN = `uid=admin,ou=people,${BASE}`;
export const ADMIN_PASSWORD = 'Admin-pass-1234';

/** Tests use cheap bcrypt so that the suite stays fast; the cost is a setting like any other. */
/** The metrics endpoint is off (its fixed default port would collide between servers); tests of it turn it on. */
/**
 * One server process unless a test asks for more: the cluster (primary and workers) has tests of its own,
 * which set CAIRN_SERVER_WORKERS.
 */
export const TEST_ENV = {
  ...process.env,
  CAIRN_SECURITY_BCRYPT_COST: '4',
  // One hash thread per server (a second costs 0.1 CPU-s to start); tests of the pool's size set their own.
  CAIRN_SECURITY_HASH_WORKERS: '1',
  CAIRN_SERVER_WORKERS: '1',
  CAIRN_LOG_LEVEL: 'warn',
  CAIRN_METRICS_LISTEN: 'none',
  CAIRN_PORTAL_LISTEN: 'none',
  LDAPCONF: '/dev/null',
  LDAPTLS_REQCERT: 'never',
};

/**
 * Runs the CLI and waits for it, like spawnSync. Commands run in the CLI thread (cli-host.ts), one at a
 * time with their own arguments and environment; a command that reads standard input runs as a process of
 * its own, and so does every command with CAIRN_TEST_CLI=process (to check that both agree). A `serve`
 * waited for here can only be one that must refuse to start: it gets SERVE_DEADLINE_MS, and one still
 * running then is stopped and answers `timedOut`.
 */
export function cairn(args: string[], options: { data?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const argv = [...(options.data ? ['--data', options.data] : []), ...args];
  const env = { ...TEST_ENV, ...options.env };
  const deadline = args.includes('serve') ? SERVE_DEADLINE_MS : COMMAND_DEADLINE_MS;
  if (options.input !== undefined || process.env.CAIRN_TEST_CLI === 'process') return cairnProcess(argv, env, options.input, deadline);
  return runInCliThread({ argv, env }, deadline);
}

export interface CliResult {
  /** null: stopped at its deadline (timedOut) or by a signal. */
  status: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const SERVE_DEADLINE_MS = 10000;
const COMMAND_DEADLINE_MS = 120000;

/** The CLI as its own process: bin/cairn, as a person runs it. */
export function cairnProcess(argv: string[], env: NodeJS.ProcessEnv = TEST_ENV, input?: string, deadline = COMMAND_DEADLINE_MS): CliResult {
  const r = spawnSync(process.execPath, [CAIRN, ...argv], { encoding: 'utf8', input, env, timeout: deadline });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut: r.signal !== null };
}

let cliThread: { port: MessagePort; done: Int32Array; worker: Worker } | undefined;

function runInCliThread(req: HostRequest, deadline: number): CliResult {
  if (!cliThread) {
    const { port1, port2 } = new MessageChannel();
    const done = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(join(__dirname, 'cli-host.js'), {
      workerData: { port: port2, done, main: join(ROOT, 'dist', 'src', 'cli', 'main.js') },
      transferList: [port2],
    });
    worker.unref();
    worker.on('error', () => (cliThread = undefined));
    worker.on('exit', () => (cliThread = undefined));
    cliThread = { port: port1, done, worker };
  }
  const thread = cliThread;
  Atomics.store(thread.done, 0, 0);
  thread.port.postMessage(req);
  if (Atomics.wait(thread.done, 0, 0, deadline) === 'timed-out') {
    // Stopped as spawnSync's timeout would stop a process; the next command gets a new thread.
    void thread.worker.terminate();
    cliThread = undefined;
    return { status: null, stdout: '', stderr: `cairn ${req.argv.join(' ')}: still running after ${deadline / 1000} s, stopped\n`, timedOut: true };
  }
  const answer = receiveMessageOnPort(thread.port);
  if (!answer) throw new Error(`cairn ${req.argv.join(' ')}: the CLI thread ended without an answer`);
  const { spoiled, ...result } = answer.message as HostResponse;
  if (spoiled) {
    void thread.worker.terminate();
    cliThread = undefined;
  }
  return { ...result, timedOut: false };
}

/** The CLI without blocking this process: for tests that serve something (an SMTP server) to the CLI. */
export function cairnAsync(
  args: string[],
  options: { data?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CAIRN, ...(options.data ? ['--data', options.data] : []), ...args], { env: { ...TEST_ENV, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export function freshData(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-test-'));
  return join(dir, 'data');
}

/**
 * The default policy's rules (length 12, three character classes, no personal data, history, lockout,
 * must-change after a reset) would get in the way of tests about other things; those run with them off.
 * Tests of the policy itself pass { policy: 'default' }.
 */
const RELAXED_POLICY = [
  `dn: cn=default,ou=policies,${BASE}`,
  'changetype: modify',
  ...(
    [
      ['pwdMinLength', '0'],
      ['pwdInHistory', '0'],
      ['pwdLockout', 'FALSE'],
      ['pwdMustChange', 'FALSE'],
      ['cairnPwdMinClasses', '0'],
      ['cairnPwdRejectPersonal', 'FALSE'],
      ['cairnPwdBlocklist', 'FALSE'],
    ] as const
  ).flatMap(([a, v]) => [`replace: ${a}`, `${a}: ${v}`, '-']),
  '',
].join('\n');

/**
 * A data folder as `cairn init` (and, unless { policy: 'default' }, the relaxed policy) leaves it. The first
 * call in a test process runs the real CLI into a template folder; later calls copy it, which takes a few
 * milliseconds instead of a second. Copies share the template's MFA key, TLS pair and entryUUIDs: a test
 * that needs a folder with keys of its own (two folders told apart by their keys) passes { ownKeys: true }.
 */
export function initData(data = freshData(), options: { policy?: 'default' | 'relaxed'; ownKeys?: boolean } = {}): string {
  const policy = options.policy ?? 'relaxed';
  if (options.ownKeys) return runInit(data, policy);
  let template = templates.get(policy);
  if (!template) {
    template = runInit(freshData(), policy);
    templates.set(policy, template);
  }
  cpSync(template, data, { recursive: true });
  return data;
}

const templates = new Map<string, string>();
process.once('exit', () => {
  for (const t of templates.values()) removeData(t);
});

function runInit(data: string, policy: 'default' | 'relaxed'): string {
  const r = cairn(['init', '--admin-password', ADMIN_PASSWORD], { data });
  if (r.status !== 0) throw new Error(`cairn init failed: ${r.stderr}`);
  if (policy !== 'default') importLdif(data, RELAXED_POLICY);
  return data;
}

export function importLdif(data: string, ldif: string) {
  const file = join(data, '..', `import-${Date.now()}-${Math.random()}.ldif`);
  writeFileSync(file, ldif);
  const r = cairn(['import', file], { data });
  if (r.status !== 0) throw new Error(`cairn import failed: ${r.stderr}`);
}

export interface RunningServer {
  data: string;
  port: number;
  ldapsPort: number;
  url: string;
  ldapsUrl: string;
  /** Where the portal listens (https://127.0.0.1:PORT/), when the test turned it on (portal.listen). */
  portalUrl?: string;
  process: ChildProcess;
  stderr(): string;
  stop(): Promise<number | null>;
}

/** Starts `cairn serve` on ephemeral loopback ports and waits until it says where it listens. */
export async function startServer(data: string, env: NodeJS.ProcessEnv = {}, extraArgs: string[] = []): Promise<RunningServer> {
  const child = spawn(process.execPath, [CAIRN, '--data', data, 'serve', '--listen', '127.0.0.1:0', '--ldaps', '127.0.0.1:0', ...extraArgs], {
    env: { ...TEST_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ports = await new Promise<[number, number, string | undefined]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 15000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ldap:\/\/127\.0\.0\.1:(\d+) and ldaps:\/\/127\.0\.0\.1:(\d+)(?:; the portal is at (\S+))?\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve([Number(m[1]), Number(m[2]), m[3]]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${err}`));
    });
  });
  return {
    data,
    port: ports[0],
    ldapsPort: ports[1],
    url: `ldap://127.0.0.1:${ports[0]}`,
    ldapsUrl: `ldaps://127.0.0.1:${ports[1]}`,
    portalUrl: ports[2],
    process: child,
    stderr: () => err,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10000).unref();
      }),
  };
}

/** The options that bind one of OpenLDAP's tools to a server with a simple bind. */
export const bindAs = (url: string, dn: string, password: string) => ['-x', '-H', url, '-D', dn, '-w', password];

/** The same, as the administrator. */
export const asAdmin = (url: string) => bindAs(url, ADMIN_DN, ADMIN_PASSWORD);

/** Runs one of OpenLDAP's command-line tools against the test server. */
export function ldapTool(tool: string, args: string[], input?: string) {
  return runToolSync({ tool, args, input, env: TEST_ENV, timeout: 30000 });
}

export function removeData(data: string) {
  rmSync(join(data, '..'), { recursive: true, force: true });
}

/** An LDIF of n people under ou=people, in one group. */
export function peopleLdif(n: number, prefix = 'user'): string {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const uid = `${prefix}${String(i).padStart(4, '0')}`;
    out.push(
      `dn: uid=${uid},ou=people,${BASE}`,
      'objectClass: inetOrgPerson',
      'objectClass: posixAccount',
      'objectClass: shadowAccount',
      `uid: ${uid}`,
      `cn: User ${i}`,
      `sn: ${i}`,
      `givenName: User`,
      `mail: ${uid}@example.com`,
      `uidNumber: ${20000 + i}`,
      'gidNumber: 10001',
      `homeDirectory: /home/${uid}`,
      `userPassword: pw-${uid}`,
      '',
    );
  }
  return out.join('\n');
}

/** A free TCP port on loopback, for a listener whose port must be given in advance. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
