import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every process the suite started, so that they are stopped by process id however the suite ends. */
const started = new Set<ChildProcess>();

/**
 * Stops what is still running, synchronously (it also runs as the process exits): SIGTERM first, so that
 * sssd stops its own helper processes, then SIGKILL for whatever did not stop within a second.
 */
export function stopEverything() {
  const running = [...started].filter((child) => child.exitCode === null && child.signalCode === null);
  started.clear();
  if (running.length === 0) return;
  for (const child of running) child.kill('SIGTERM');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  for (const child of running) child.kill('SIGKILL');
}

process.on('exit', stopEverything);

export function track(child: ChildProcess): ChildProcess {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  /** Run as this numeric user and group (a person logged in), not as root. */
  as?: { uid: number; gid: number };
  timeoutMs?: number;
}

/** A folder for one client's files, readable by the unprivileged users the daemons drop to (nslcd, nobody). */
export function workFolder(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cairn-compat-${name}-`));
  chmodSync(dir, 0o755);
  folders.push(dir);
  return dir;
}

const folders: string[] = [];

/** The folders the suite made (configurations, logs, data): removed after a run that passed, kept otherwise. */
export function workFolders(): readonly string[] {
  return folders;
}

export function removeWorkFolders() {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A private mount namespace (`unshare -m`), standing in for a machine: the machine's own /etc stays as it
 * is, while the clients inside see their own nsswitch.conf, PAM stack, configuration, cache and run folders.
 * A holder process keeps the namespace alive; commands and daemons enter it with nsenter.
 */
export class PrivateHost {
  private holder: ChildProcess;
  private daemons: { name: string; child: ChildProcess; output: () => string }[] = [];
  readonly root: string;

  private constructor(readonly name: string) {
    this.root = workFolder(name);
    this.holder = track(spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', 'infinity'], { stdio: 'ignore' }));
  }

  static async create(name: string): Promise<PrivateHost> {
    const host = new PrivateHost(name);
    await host.waitForNamespace();
    // Daemons write pid files and sockets under /run: a private, empty one.
    host.mustRun('mount', ['-t', 'tmpfs', '-o', 'mode=755', `cairn-${name}`, '/run']);
    return host;
  }

  private async waitForNamespace() {
    const mine = spawnSync('readlink', ['/proc/self/ns/mnt'], { encoding: 'utf8' }).stdout.trim();
    for (let i = 0; i < 100; i++) {
      const theirs = spawnSync('readlink', [`/proc/${this.holder.pid}/ns/mnt`], { encoding: 'utf8' }).stdout.trim();
      if (theirs && theirs !== mine) return;
      await sleep(20);
    }
    throw new Error(`unshare did not make a mount namespace for ${this.name}`);
  }

  private argv(command: string, args: string[], as?: RunOptions['as']): string[] {
    const user = as ? ['setpriv', `--reuid=${as.uid}`, `--regid=${as.gid}`, '--clear-groups', '--'] : [];
    return ['-t', String(this.holder.pid), '-m', '--', ...user, command, ...args];
  }

  /** Runs a command inside, to completion. */
  run(command: string, args: string[], options: RunOptions = {}): RunResult {
    const r = spawnSync('nsenter', this.argv(command, args, options.as), {
      encoding: 'utf8',
      input: options.input,
      env: { ...process.env, ...options.env },
      timeout: options.timeoutMs ?? 60000,
    });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  mustRun(command: string, args: string[], options: RunOptions = {}): RunResult {
    const r = this.run(command, args, options);
    if (r.status !== 0) throw new Error(`${this.name}: ${command} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
    return r;
  }

  /** Like run, without blocking this process (for clients that talk to a server the test itself runs). */
  runAsync(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return new Promise((resolve) => {
      const child = track(spawn('nsenter', this.argv(command, args, options.as), { env: { ...process.env, ...options.env } }));
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60000);
      child.on('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
      child.stdin!.end(options.input ?? '');
    });
  }

  /** Puts a private copy of `source` (file or folder) over `target` for everything inside. */
  bind(source: string, target: string) {
    this.mustRun('mount', ['--bind', source, target]);
  }

  /** A private copy of the machine's /etc/pam.d with these services added or replaced. */
  pamServices(services: Record<string, string>) {
    const dir = join(this.root, 'pam.d');
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync('/etc/pam.d')) copyFileSync(join('/etc/pam.d', f), join(dir, f));
    for (const [name, text] of Object.entries(services)) writeFileSync(join(dir, name), text);
    this.bind(dir, '/etc/pam.d');
  }

  /** nsswitch.conf that asks `source` (sss, ldap) after the local files for people and groups. */
  nsswitch(source: string) {
    const file = join(this.root, 'nsswitch.conf');
    writeFileSync(file, ['passwd', 'group', 'shadow'].map((db) => `${db}: files ${source}\n`).join('') + 'hosts: files\n');
    this.bind(file, '/etc/nsswitch.conf');
  }

  /**
   * Starts a long-running daemon inside (in the foreground, so that its process id is the daemon's). Its
   * output goes straight to a file: a pipe would fill while this process waits on a client, and stop it.
   */
  daemon(name: string, command: string, args: string[]): ChildProcess {
    const log = join(this.root, `${name}.log`);
    const fd = openSync(log, 'a');
    const child = track(spawn('nsenter', this.argv(command, args), { stdio: ['ignore', fd, fd] }));
    closeSync(fd);
    this.daemons.push({ name, child, output: () => readFileSync(log, 'utf8') });
    return child;
  }

  /** What a daemon printed: for the message of a failed check. */
  output(name: string): string {
    return this.daemons.find((d) => d.name === name)?.output() ?? '';
  }

  /** Waits until `ready` holds, or fails with what the daemon said. */
  async waitFor(name: string, ready: () => boolean, timeoutMs = 30000) {
    const daemon = this.daemons.find((d) => d.name === name);
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (ready()) return;
      if (daemon && daemon.child.exitCode !== null) break;
      await sleep(200);
    }
    throw new Error(`${name} did not become ready:\n${(daemon?.output() ?? '').slice(-4000)}`);
  }

  /** Stops the daemons (SIGTERM, then SIGKILL) and the namespace's holder. */
  async stop() {
    await Promise.all(this.daemons.map((d) => stopProcess(d.child)));
    await stopProcess(this.holder);
  }
}

export function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
