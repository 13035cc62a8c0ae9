import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { runHashJob, type HashRequest, type HashResponse } from './hash-jobs';
import { hashPoolMetrics as metrics } from '../metrics/counts';
import { secondsSince } from '../metrics/slots';

type Job = { req: HashRequest; resolve: (v: string | boolean) => void; reject: (e: Error) => void; queued: bigint };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A pool of worker threads for hashing and verifying passwords; jobs queue when every worker is busy.
 * Threads start when work first needs them, up to the pool's size: a CLI command that hashes one password
 * starts one thread, and a server that nobody has bound to yet holds none (each costs about 130 ms of CPU
 * and 10 MB to start). An inline pool has no thread: its jobs run on the caller's thread, for a one-shot
 * CLI command, where a thread would cost more to start than the one hash it is for.
 */
export class HashPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly running = new Map<Worker, Job>();
  private nextId = 1;
  private closed = false;

  private readonly size: number;
  private readonly inline: boolean;

  constructor(size: number | 'inline') {
    this.inline = size === 'inline';
    this.size = size === 'inline' ? 0 : Math.max(1, size);
  }

  private spawn() {
    const w = new Worker(join(__dirname, 'hash-worker.js'));
    w.unref();
    w.on('message', (res: HashResponse) => {
      const job = this.running.get(w);
      this.running.delete(w);
      if (job) {
        metrics.busy(-1);
        metrics.done(job.req.op, secondsSince(job.queued));
        if (res.ok) job.resolve(res.result);
        else job.reject(new Error(res.error));
      }
      this.idle.push(w);
      this.pump();
    });
    w.on('error', (err) => {
      const job = this.running.get(w);
      this.running.delete(w);
      if (job) metrics.busy(-1);
      job?.reject(err);
      this.all.splice(this.all.indexOf(w), 1);
      if (this.idle.includes(w)) this.idle.splice(this.idle.indexOf(w), 1);
      metrics.threads(-1);
      if (!this.closed) this.pump();
    });
    this.all.push(w);
    this.idle.push(w);
    metrics.threads(1);
  }

  private pump() {
    while (this.queue.length > this.idle.length && this.all.length < this.size) this.spawn();
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      metrics.queued(-1);
      metrics.busy(1);
      this.running.set(w, job);
      w.postMessage(job.req);
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
