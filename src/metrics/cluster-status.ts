import cluster from 'node:cluster';
import type { Registry } from 'prom-client';

/**
 * The primary asks its workers, over the cluster's IPC channel, whether they listen and (for a scrape) for
 * their metrics. A worker that does not answer in time counts as not ready, and its metrics are missing
 * from that scrape rather than failing it.
 */

const ASK = 'cairn:status?';
const ANSWER = 'cairn:status';

type WorkerMetrics = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;
interface Ask {
  type: typeof ASK;
  id: number;
  metrics: boolean;
}
interface Answer {
  type: typeof ANSWER;
  id: number;
  listening: boolean;
  metrics?: WorkerMetrics;
}
export interface WorkerStatus {
  /** Workers alive when asked. */
  asked: number;
  answers: { listening: boolean; metrics?: WorkerMetrics }[];
}

let listening = false;
let answering = false;

/** In a worker: answer the primary; `listening` says whether this worker serves now. */
export function answerPrimary(registry: Registry): { listening(now: boolean): void } {
  if (!answering) {
    answering = true;
    process.on('message', (m: Ask) => {
      if (m?.type !== ASK) return;
      const reply = (metrics?: WorkerMetrics) => process.send?.({ type: ANSWER, id: m.id, listening, metrics } satisfies Answer);
      if (!m.metrics) return reply();
      registry.getMetricsAsJSON().then(reply, () => reply());
    });
  }
  return { listening: (now) => void (listening = now) };
}

let nextId = 1;
const pending = new Map<number, (a: Answer) => void>();
let hearing = false;

/** In the primary: asks every live worker, waiting at most timeoutMs for the answers. */
export function askWorkers(metrics: boolean, timeoutMs: number): Promise<WorkerStatus> {
  if (!hearing) {
    hearing = true;
    cluster.on('message', (_worker, m: Answer) => {
      if (m?.type === ANSWER) pending.get(m.id)?.(m);
    });
  }
  const workers = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected());
  const id = nextId++;
  const status: WorkerStatus = { asked: workers.length, answers: [] };
  if (workers.length === 0) return Promise.resolve(status);
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      pending.delete(id);
      resolve(status);
    };
    const timer = setTimeout(finish, timeoutMs);
    pending.set(id, (a) => {
      status.answers.push({ listening: a.listening, metrics: a.metrics });
      if (status.answers.length === workers.length) finish();
    });
    for (const w of workers) w!.send({ type: ASK, id, metrics } satisfies Ask);
  });
}
