// Process helpers for the benchmark: free ports, commands with timeouts,
// long-running servers that are always killed (finally blocks and signals),
// CPU accounting from /proc and readiness polling.
import { ChildProcess, spawn, SpawnOptions } from 'child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { createServer } from 'net';

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

export class BenchError extends Error {}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Asks the kernel for a free loopback port by listening on port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new BenchError('could not determine a free port'));
        return;
      }
      const port = address.port;
      server.close(() => resolve(port));
    });
  });
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The command's peak resident memory (GNU time's %M), when RunOptions.peakRss asked for it and time exists. */
  peakRssBytes?: number;
}

export interface RunOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Send SIGINT to the command after this many ms (a normal, expected stop). */
  interruptAfterMs?: number;
  /** Measure the command's peak resident memory with GNU time (Debian package `time`), when it is installed. */
  peakRss?: boolean;
}

const GNU_TIME = '/usr/bin/time';
let peakFiles = 0;

/** The command under GNU time, which writes its peak RSS (KB) to a file of its own. */
function underTime(cmd: string, args: string[]): { cmd: string; args: string[]; peakFile: string } | undefined {
  if (!existsSync(GNU_TIME)) return undefined;
  const peakFile = join(tmpdir(), `bench-peak-rss-${process.pid}-${++peakFiles}`);
  return { cmd: GNU_TIME, args: ['-f', '%M', '-o', peakFile, cmd, ...args], peakFile };
}

function readPeak(peakFile: string): number | undefined {
  try {
    const kb = Number(readFileSync(peakFile, 'utf8').trim().split('\n').pop());
    return Number.isFinite(kb) ? kb * 1024 : undefined;
  } catch {
    return undefined;
  } finally {
    rmSync(peakFile, { force: true });
  }
}

/** Every live child we started; killed on exit paths and signals. */
const liveChildren = new Set<ChildProcess>();

function alive(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/**
 * Children are started in their own process group (detached), so a signal
 * reaches the whole tree (e.g. a shell wrapper and its ldclt, or server
 * workers). Falls back to the single process.
 */
function signalTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function track(child: ChildProcess): void {
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  child.once('error', () => liveChildren.delete(child));
}

/** Runs a command to completion, killing it (SIGTERM, then SIGKILL) on timeout. */
export function run(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  refuseIfInterrupted(cmd);
  return new Promise((resolve, reject) => {
    const spawnOpts: SpawnOptions = {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      detached: true,
    };
    const timed = opts.peakRss ? underTime(cmd, args) : undefined;
    const child = timed ? spawn(timed.cmd, timed.args, spawnOpts) : spawn(cmd, args, spawnOpts);
    track(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      signalTree(child, 'SIGTERM');
      setTimeout(() => {
        if (alive(child)) signalTree(child, 'SIGKILL');
      }, 3000).unref();
    }, opts.timeoutMs);
    const interrupt = opts.interruptAfterMs === undefined ? undefined : setTimeout(() => signalTree(child, 'SIGINT'), opts.interruptAfterMs);
    const clear = (): void => {
      clearTimeout(timer);
      if (interrupt) clearTimeout(interrupt);
    };
    child.once('error', (err) => {
      clear();
      reject(new BenchError(`cannot run ${cmd}: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clear();
      const peakRssBytes = timed && readPeak(timed.peakFile);
      resolve({ code, signal, stdout, stderr, timedOut, ...(peakRssBytes !== undefined ? { peakRssBytes } : {}) });
    });
  });
}

/** Like run() but throws with the command's output when it does not exit 0. */
export async function runChecked(cmd: string, args: string[], opts: RunOptions): Promise<RunResult> {
  const result = await run(cmd, args, opts);
  if (result.timedOut || result.code !== 0) {
    const why = result.timedOut ? `timed out after ${opts.timeoutMs} ms` : `exited with ${result.code ?? result.signal}`;
    throw new BenchError(`${cmd} ${args.join(' ')} ${why}\n${result.stdout}${result.stderr}`.trimEnd());
  }
  return result;
}

/**
 * A long-running server process. Its stdout/stderr go straight to a log file
 * (not a pipe through this process, which would tax a chatty server).
 */
export class Daemon {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  private spawnError = '';

  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    readonly logPath: string,
    cwd?: string,
  ) {
    refuseIfInterrupted(name);
    const fd = openSync(logPath, 'a');
    try {
      this.child = spawn(cmd, args, { stdio: ['ignore', fd, fd], env, cwd, detached: true });
    } finally {
      closeSync(fd);
    }
    track(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.once('error', (err) => {
        this.spawnError = `spawn error: ${err.message}\n`;
        resolve();
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new BenchError(`${this.name} has no pid (failed to spawn?)\n${this.tail}`);
    return this.child.pid;
  }

  get running(): boolean {
    return alive(this.child);
  }

  /** The last few KB of the server's output. */
  get tail(): string {
    let text = '';
    try {
      const size = statSync(this.logPath).size;
      const fd = openSync(this.logPath, 'r');
      try {
        const length = Math.min(size, 8000);
        const buf = Buffer.alloc(length);
        readSync(fd, buf, 0, length, size - length);
        text = buf.toString('utf8');
      } finally {
        closeSync(fd);
      }
    } catch {
      // no log
    }
    return `${this.spawnError}${text}`;
  }

  describeExit(): string {
    return `${this.name} exited (code ${this.child.exitCode ?? 'none'}, signal ${this.child.signalCode ?? 'none'})`;
  }

  /** SIGTERM, wait up to graceMs, then SIGKILL (whole process group). Safe to call more than once. */
  async stop(graceMs = 10000): Promise<void> {
    if (!this.running) return;
    signalTree(this.child, 'SIGTERM');
    const done = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!done && this.running) {
      log(`${this.name} did not stop within ${graceMs} ms of SIGTERM; sending SIGKILL`);
      signalTree(this.child, 'SIGKILL');
      await Promise.race([this.exited, sleep(5000)]);
    }
    // Stray members of its process group (workers), if any.
    signalTree(this.child, 'SIGKILL');
  }
}

/** Kills every child still alive. Used on SIGINT/SIGTERM and as a last resort on exit. */
export function killAllChildren(signal: NodeJS.Signals = 'SIGKILL'): void {
  for (const child of liveChildren) {
    if (alive(child)) signalTree(child, signal);
  }
}

let interruptSignal: NodeJS.Signals | undefined;

/** The signal that interrupted the run, if any. */
export function interruptedBy(): NodeJS.Signals | undefined {
  return interruptSignal;
}

function refuseIfInterrupted(what: string): void {
  if (interruptSignal !== undefined) throw new BenchError(`interrupted by ${interruptSignal}; not starting ${what}`);
}

let handlersInstalled = false;

/**
 * Ctrl-C / SIGTERM / SIGHUP: stop every child (servers get SIGTERM first) and
 * let the main flow unwind through its finally blocks; no new child starts.
 * If that takes too long, or on a second signal, SIGKILL everything and exit.
 */
export function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const onSignal = (signal: NodeJS.Signals): void => {
    const code = signal === 'SIGINT' ? 130 : 143;
    if (interruptSignal !== undefined) {
      killAllChildren('SIGKILL');
      process.exit(code);
    }
    interruptSignal = signal;
    log(`caught ${signal}; stopping servers and load (again to force)`);
    killAllChildren('SIGTERM');
    setTimeout(() => {
      log('cleanup is taking too long; killing everything');
      killAllChildren('SIGKILL');
      process.exit(code);
    }, 15000).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', () => killAllChildren('SIGKILL'));
}

const CLK_TCK = 100; // Linux USER_HZ; getconf CLK_TCK is 100 on every mainstream kernel.

interface ProcStat {
  pid: number;
  ppid: number;
  ticks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); field N is rest[N - 3].
    const ppid = Number(rest[4 - 3]);
    const utime = Number(rest[14 - 3]);
    const stime = Number(rest[15 - 3]);
    return { pid, ppid, ticks: utime + stime };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds (user + system) consumed so far by a process and all its live
 * descendants (e.g. worker processes a server may fork).
 */
export function cpuSeconds(rootPid: number): number {
  let ticks = 0;
  for (const stat of processTree(rootPid)) ticks += stat.ticks;
  return ticks / CLK_TCK;
}

/** The stats of a process and all its live descendants. */
function processTree(rootPid: number): ProcStat[] {
  const stats = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.set(Number(name), stat);
  }
  const children = new Map<number, number[]>();
  for (const [pid, stat] of stats) {
    const list = children.get(stat.ppid) ?? [];
    list.push(pid);
    children.set(stat.ppid, list);
  }
  const tree: ProcStat[] = [];
  const stack = [rootPid];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const stat = stats.get(pid);
    if (stat) tree.push(stat);
    stack.push(...(children.get(pid) ?? []));
  }
  return tree;
}

/** Resident memory (bytes) of a process and all its live descendants. */
export function rssBytes(rootPid: number): number {
  let total = 0;
  for (const stat of processTree(rootPid)) {
    try {
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${stat.pid}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/**
 * Proportional set size of a process and its descendants: each shared page (Node's own code, shared by a
 * primary and its workers) counted once across them, which RSS summed over processes counts once per process.
 */
export function pssBytes(rootPid: number): number {
  let total = 0;
  for (const stat of processTree(rootPid)) {
    try {
      const m = /^Pss:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${stat.pid}/smaps_rollup`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** CPU seconds the whole machine has been busy (all CPUs; /proc/stat minus idle and iowait). */
export function machineBusySeconds(): number {
  const first = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user/nice)
  const f = first.trim().split(/\s+/).slice(1).map(Number);
  const busy = f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] ?? 0);
  return busy / CLK_TCK;
}

/** Polls `probe` until it returns true, or throws after timeoutMs. */
export async function waitUntil(label: string, timeoutMs: number, probe: () => Promise<boolean>, abortIf?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const abort = abortIf?.();
    if (abort !== undefined) throw new BenchError(`${label}: ${abort}`);
    if (await probe()) return;
    if (Date.now() > deadline) throw new BenchError(`${label}: timed out after ${timeoutMs} ms`);
    await sleep(200);
  }
}
