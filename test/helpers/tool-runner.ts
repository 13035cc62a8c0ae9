/**
 * Runs OpenLDAP's command-line tools for the tests from a small process of its own. A test process holds
 * a few hundred megabytes (a CLI thread, server logs), and starting a program from it costs about 8 ms
 * of CPU and 17 ms of waiting just to copy its memory map; from this runner it costs 1.4 ms. The suite
 * starts some 1,500 tools. Requests and answers are JSON lines over two FIFOs, read and written with
 * blocking calls on both sides, so that `ldapTool()` stays synchronous like spawnSync.
 *
 * This file is both the runner (run as a script: `node tool-runner.js REQUESTS ANSWERS`) and the client.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ToolRequest {
  tool: string;
  args: string[];
  /** Standard input: text, or bytes (which travel to the runner as base64). */
  input?: string | Buffer;
  env: NodeJS.ProcessEnv;
  timeout: number;
  /** How the output's bytes become strings: utf8 (the default), or latin1, which keeps every byte. */
  encoding?: 'utf8' | 'latin1';
}

export interface ToolResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Why the program did not run or was stopped (not found, timed out), when that happened. */
  error?: string;
}

/** A request as it travels over the FIFO: JSON, with bytes as base64. */
type WireRequest = Omit<ToolRequest, 'input'> & { input?: string | { base64: string } };

const toWire = (req: ToolRequest): WireRequest => ({ ...req, input: Buffer.isBuffer(req.input) ? { base64: req.input.toString('base64') } : req.input });
const fromWire = (req: WireRequest): ToolRequest => ({
  ...req,
  input: typeof req.input === 'object' ? Buffer.from(req.input.base64, 'base64') : req.input,
});

/** Reads one line (a JSON document) from a blocking file descriptor. */
function lineReader(fd: number): () => string | undefined {
  let buffered = Buffer.alloc(0);
  const chunk = Buffer.alloc(1 << 16);
  return () => {
    for (;;) {
      const nl = buffered.indexOf(10);
      if (nl >= 0) {
        const line = buffered.subarray(0, nl).toString('utf8');
        buffered = buffered.subarray(nl + 1);
        return line;
      }
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) return undefined;
      buffered = Buffer.concat([buffered, chunk.subarray(0, n)]);
    }
  };
}

function writeLine(fd: number, value: unknown): void {
  const bytes = Buffer.from(JSON.stringify(value) + '\n');
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at);
}

function runTool(req: ToolRequest): ToolResult {
  const r = spawnSync(req.tool, req.args, { encoding: req.encoding ?? 'utf8', env: req.env, input: req.input, timeout: req.timeout });
  const error = r.error ? r.error.message : undefined;
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? error ?? '', ...(error ? { error } : {}) };
}

/** The runner's loop: one request at a time until the test process closes its end. */
function serve(requests: string, answers: string): void {
  const input = openSync(requests, 'r');
  const output = openSync(answers, 'w');
  const next = lineReader(input);
  for (let line = next(); line !== undefined; line = next()) writeLine(output, runTool(fromWire(JSON.parse(line) as WireRequest)));
}

let runner: { write: number; read: () => string | undefined } | undefined;
let broken = false;

function startRunner(): typeof runner {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-tools-'));
  const requests = join(dir, 'requests');
  const answers = join(dir, 'answers');
  if (spawnSync('mkfifo', [requests, answers]).status !== 0) return undefined;
  const child = spawn(process.execPath, [__filename, requests, answers], { stdio: 'ignore' });
  child.unref();
  // Opening a FIFO waits for the other end: the runner opens requests to read, then answers to write.
  const write = openSync(requests, 'w');
  const read = openSync(answers, 'r');
  rmSync(dir, { recursive: true, force: true });
  process.once('exit', () => {
    closeSync(write);
    child.kill();
  });
  return { write, read: lineReader(read) };
}

/** Runs a tool and waits for it, like spawnSync; through the runner while it works. */
export function runToolSync(req: ToolRequest): ToolResult {
  if (!broken) {
    let sent = false;
    try {
      runner ??= startRunner();
      if (runner) {
        writeLine(runner.write, toWire(req));
        sent = true;
        const line = runner.read();
        if (line !== undefined) return JSON.parse(line) as ToolResult;
      }
    } catch {
      // below
    }
    broken = true;
    // A request the runner took may have run: running it again could change the directory twice.
    if (sent) throw new Error(`the tool runner ended while running ${req.tool}`);
  }
  return runTool(req);
}

if (require.main === module) serve(process.argv[2], process.argv[3]);
