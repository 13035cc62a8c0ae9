import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { runHashJob, runsNatively, type HashRequest, type HashResponse } from './hash-jobs';
import { hashPoolMetrics as metrics } from '../metrics/counts';
import { secondsSince } from '../metrics/slots';

type Job = { req: HashRequest; resolve: (v: string | boolean) => void; reject: (e: Error) => void; queued: bigint };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Hashing and verifying passwords off the event loop, at most `size` jobs at once (one per CPU by default);
 * the rest queue. bcrypt (every hash Cairn writes, so nearly every bind) is native code that runs on
 * libuv's thread pool by itself. The schemes of imported hashes that are not (sha-crypt, md5-crypt,
 * yescrypt, argon2, PBKDF2, DES) run on worker threads of the pool, started when one is first needed: a
 * server whose people all have bcrypt holds none (each costs about 130 ms of CPU and 10 MB to start).
 * An inline pool has no thread: its jobs run on the caller's thread, for a one-shot CLI command.
 */
export class HashPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<Worker, Job>();
  /** Jobs running now, on a thread or natively. */
  private busy = 0;
  private nextId = 1;
  private closed = false;

  private readonly size: number;
  private readonly inline: boolean;

  constructor(size: number | 'inline') {
    this.inline = size === 'inline';
    this.size = size === 'inline' ? 0 : Math.max(1, size);
  }

  private spawn(): Worker {
    const w = new Worker(join(__dirname, 'hash-worker.js'));
    w.unref();
    w.on('message', (res: HashResponse) => {
      const job = this.running.get(w);
      this.running.delete(w);
      this.idle.push(w);
      if (job) this.finished(job, res.ok ? undefined : new Error(res.error), res.ok ? res.result : undefined);
    });
    w.on('error', (err) => {
      const job = this.running.get(w);
      this.running.delete(w);
      this.all.splice(this.all.indexOf(w), 1);
      if (this.idle.includes(w)) this.idle.splice(this.idle.indexOf(w), 1);
      metrics.threads(-1);
      if (job) this.finished(job, err);
    });
    this.all.push(w);
    metrics.threads(1);
    return w;
  }

  private finished(job: Job, err: Error | undefined, result?: string | boolean) {
    this.busy--;
    metrics.busy(-1);
    metrics.done(job.req.op, secondsSince(job.queued));
    if (err) job.reject(err);
    else job.resolve(result!);
    if (!this.closed) this.pump();
  }

  private pump() {
    while (this.queue.length > 0 && this.busy < this.size) {
      const job = this.queue.shift()!;
      metrics.queued(-1);
      metrics.busy(1);
      this.busy++;
      if (runsNatively(job.req)) {
        runHashJob(job.req).then(
          (result) => this.finished(job, undefined, result),
          (err: unknown) => this.finished(job, err instanceof Error ? err : new Error(String(err))),
        );
      } else {
        const w = this.idle.pop() ?? this.spawn();
        this.running.set(w, job);
        w.postMessage(job.req);
      }
    }
  }

  private run(req: DistributiveOmit<HashRequest, 'id'>): Promise<string | boolean> {
    if (this.closed) return Promise.reject(new Error('hash pool closed'));
    if (this.inline) return this.runInline({ ...req, id: this.nextId++ });
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { ...req, id: this.nextId++ }, resolve, reject, queued: process.hrtime.bigint() });
      metrics.queued(1);
      this.pump();
    });
  }

  private async runInline(req: HashRequest): Promise<string | boolean> {
    const queued = process.hrtime.bigint();
    metrics.busy(1);
    try {
      return await runHashJob(req);
    } finally {
      metrics.busy(-1);
      metrics.done(req.op, secondsSince(queued));
    }
  }

  /** A new bcrypt hash (without `{CRYPT}`) of a password's exact bytes. */
  async hash(password: Uint8Array, cost: number): Promise<string> {
    return (await this.run({ op: 'hash', password: ownCopy(password), cost })) as string;
  }

  /** Whether a password's bytes match a stored `{SCHEME}` hash of any scheme hash-schemes knows. */
  async verify(password: Uint8Array, stored: string): Promise<boolean> {
    return (await this.run({ op: 'verify', password: ownCopy(password), stored })) as boolean;
  }

  async close() {
    this.closed = true;
    metrics.threads(-this.all.length);
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}

/**
 * The bytes in an ArrayBuffer of their own: posting a view copies its whole buffer, and a small Buffer is
 * a view into Node's shared 8 KiB pool, which holds other data.
 */
function ownCopy(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes);
}
