import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * The primary asks its workers, over the cluster's IPC channel, whether they listen and (for a scrape) for
 * their metrics. A worker that does not answer in time counts as not ready, and its last metrics stand in
 * for it; the counters of a worker that ended are kept, so that a restart does not make the sums go back.
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
  answers: { listening: boolean }[];
  /** For a scrape: every live worker's metrics (the last known of one that did not answer), and the counts of those that ended. */
  metrics: WorkerMetrics[];
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
const pending = new Map<number, (workerId: number, a: Answer) => void>();
let hearing = false;
/** Each live worker's last metrics, by worker id. */
const lastMetrics = new Map<number, WorkerMetrics>();
/** The counters and histograms of the workers that ended, summed. */
let ended: WorkerMetrics = [];

function hear() {
  if (hearing) return;
  hearing = true;
  cluster.on('message', (worker, m: Answer) => {
    if (m?.type === ANSWER) pending.get(m.id)?.(worker.id, m);
  });
  cluster.on('exit', (worker) => {
    const last = lastMetrics.get(worker.id);
    lastMetrics.delete(worker.id);
    if (!last) return;
    // Gauges (connections open, memory) end with the worker; counts stay counted. (The JSON's type is the
    // text "counter", whatever prom-client's typings say.)
    const counts = last.filter((m) => ['counter', 'histogram'].includes(m.type as unknown as string));
    void AggregatorRegistry.aggregate([ended, counts])
      .getMetricsAsJSON()
      .then((sum) => (ended = sum));
  });
}

/** In the primary: asks every live worker, waiting at most timeoutMs for the answers. */
export function askWorkers(metrics: boolean, timeoutMs: number): Promise<WorkerStatus> {
  hear();
  const workers = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected());
  const id = nextId++;
  const status: WorkerStatus = { asked: workers.length, answers: [], metrics: [] };
  const finished = () => {
    if (metrics) status.metrics = [...workers.map((w) => lastMetrics.get(w!.id) ?? []), ended];
    return status;
  };
  if (workers.length === 0) return Promise.resolve(finished());
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      pending.delete(id);
      resolve(finished());
    };
    const timer = setTimeout(finish, timeoutMs);
    pending.set(id, (workerId, a) => {
      status.answers.push({ listening: a.listening });
      if (a.metrics) lastMetrics.set(workerId, a.metrics);
      if (status.answers.length === workers.length) finish();
    });
    for (const w of workers) w!.send({ type: ASK, id, metrics } satisfies Ask);
  });
}
