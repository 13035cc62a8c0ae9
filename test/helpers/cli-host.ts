/**
 * The CLI run in a thread that stays up, for tests: `cairn()` in server.ts sends it one command at a time
 * and blocks until the command is done, like spawnSync. A command costs what its own work costs (tens of
 * milliseconds) instead of a Node start and every module loaded again (about 350 ms of CPU).
 *
 * Each command gets what a process would: its own arguments and environment, empty output, no exit code,
 * and the log files closed at its end. Its standard output and error are caught where Cairn writes them
 * (process.stdout, process.stderr, and the log sink's writes to fd 2), and process.exit (commander on a
 * usage error, --help, --version) ends the command with its code. What only a process has (standard input,
 * a closed pipe, signals, a `serve` that serves) is left to real processes.
 */
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';

export interface HostRequest {
  argv: string[];
  env: Record<string, string | undefined>;
}

export interface HostResponse {
  status: number;
  stdout: string;
  stderr: string;
  /** The command left the thread unfit for the next one (it crashed, or left something open): start another. */
  spoiled?: boolean;
}

interface HostData {
  port: MessagePort;
  done: Int32Array;
  main: string;
}

class ExitCalled extends Error {
  constructor(readonly code: number) {
    super(`process.exit(${code})`);
  }
}

const { port, done, main } = workerData as HostData;
// The CLI's modules, loaded once for every command this thread runs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cli = require(main) as { main(argv: string[]): Promise<void> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const log = require(main.replace(/cli[/\\]main\.js$/, 'log.js')) as { closeLogFiles(): void };

let out: Buffer[] = [];
let err: Buffer[] = [];
let exitCode: number | undefined;

const asBuffer = (chunk: unknown, encoding?: unknown) =>
  Buffer.isBuffer(chunk) ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk) : Buffer.from(String(chunk), (encoding as BufferEncoding) ?? 'utf8');

/** Output after process.exit is dropped, as a process would never have written it. */
function catcher(into: () => Buffer[]) {
  return (chunk: unknown, encoding?: unknown, callback?: unknown) => {
    if (exitCode === undefined) into().push(asBuffer(chunk, typeof encoding === 'string' ? encoding : undefined));
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (typeof cb === 'function') queueMicrotask(() => (cb as () => void)());
    return true;
  };
}
process.stdout.write = catcher(() => out);
process.stderr.write = catcher(() => err);
const writeSync = fs.writeSync;
fs.writeSync = (fd: number, ...rest: unknown[]) => {
  if (fd === 1 || fd === 2) {
    const [data, a, b] = rest;
    const bytes = typeof data === 'string' ? Buffer.from(data, typeof a === 'string' ? (a as BufferEncoding) : 'utf8') : asBuffer(data);
    const part =
      typeof data === 'string' ? bytes : bytes.subarray(typeof a === 'number' ? a : 0, typeof b === 'number' ? (typeof a === 'number' ? a : 0) + b : undefined);
    if (exitCode === undefined) (fd === 1 ? out : err).push(part);
    return part.length;
  }
  return (writeSync as (...args: unknown[]) => number)(fd, ...rest);
};
process.exit = (code?: number) => {
  if (exitCode === undefined) exitCode = code ?? 0;
  throw new ExitCalled(exitCode);
};

function setEnvironment(env: Record<string, string | undefined>) {
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

async function run(req: HostRequest): Promise<HostResponse> {
  out = [];
  err = [];
  exitCode = undefined;
  process.exitCode = undefined;
  setEnvironment(req.env);
  const listening = signalListeners();
  try {
    await cli.main(['node', 'cairn', ...req.argv]);
  } catch (e) {
    if (!(e instanceof ExitCalled)) throw e;
  }
  // What a process does on its way out: the log lines gathered for the next turn are written, files closed,
  // and the signal handlers it set go (`serve` sets some before it refuses a bad configuration).
  await new Promise((resolve) => setImmediate(resolve));
  log.closeLogFiles();
  dropSignalListenersSince(listening);
  // A process ends when nothing holds its event loop; here the thread stays, so check what a command left.
  const left = exitCode === undefined ? await leftOpen() : [];
  if (left.length) {
    err.push(Buffer.from(`cli thread: the command left ${left.join(', ')} open: as a process it would not have ended\n`));
    exitCode = 70;
  }
  const status = exitCode ?? (typeof process.exitCode === 'number' ? process.exitCode : Number(process.exitCode ?? 0));
  exitCode = -1; // nothing more is caught until the next command
  return { status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), spoiled: left.length > 0 };
}

const SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM'] as const;
const signalListeners = () => new Map(SIGNALS.map((s) => [s, process.listeners(s)]));
function dropSignalListenersSince(before: ReturnType<typeof signalListeners>) {
  for (const s of SIGNALS) for (const l of process.listeners(s)) if (!before.get(s)?.includes(l)) process.removeListener(s, l);
}

function answer(res: HostResponse) {
  port.postMessage(res);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
}

/** A command that throws past main(), or leaves a rejection nobody handles: a process would have crashed. */
function crashed(e: unknown): HostResponse {
  return { status: 70, stdout: '', stderr: `cli thread: the command crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`, spoiled: true };
}

let busy = false;
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (e: unknown) => {
    if (e instanceof ExitCalled) return;
    if (busy) {
      busy = false;
      answer(crashed(e));
    }
  });
}

/** What holds the thread's event loop beyond what it held between commands, once it had 200 ms to let go. */
async function leftOpen(): Promise<string[]> {
  for (let waited = 0; ; waited += 10) {
    const now = process.getActiveResourcesInfo();
    const extra = [...idle].reduce((rest, kind) => {
      const at = rest.indexOf(kind);
      return at < 0 ? rest : [...rest.slice(0, at), ...rest.slice(at + 1)];
    }, now);
    if (extra.length === 0 || waited >= 200) return extra;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

port.on('message', (req: HostRequest) => {
  busy = true;
  run(req)
    .catch(crashed)
    .then((res) => {
      if (!busy) return;
      busy = false;
      answer(res);
    })
    .catch(() => undefined);
});
/** What holds the event loop between commands: the port commands come in on. */
const idle = process.getActiveResourcesInfo();
parentPort?.postMessage('ready');
