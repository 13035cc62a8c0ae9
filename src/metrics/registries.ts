import { collectDefaultMetrics, Registry } from 'prom-client';
import * as counts from './counts';
import type { DatabaseProbe } from './database-probe';
import type { MetricJson, MetricValue, SlotMetric } from './slots';

/** prom-client's registry takes any object with a name and get(): the slot metrics are such objects. */
type PromMetric = Parameters<Registry['registerMetric']>[0];
const register = (registry: Registry, metric: SlotMetric) => registry.registerMetric(metric as unknown as PromMetric);

let serving: Registry | undefined;

/**
 * What each process that serves LDAP counts (summed across workers by the primary): operations, binds,
 * connections, TLS handshakes, the hash pool, and prom-client's default process metrics (memory, CPU,
 * event-loop lag, garbage collection).
 */
export function servingRegistry(): Registry {
  if (serving) return serving;
  serving = new Registry();
  for (const m of [
    counts.operations,
    counts.operationSeconds,
    counts.binds,
    counts.connectionsOpen,
    counts.connections,
    counts.tlsHandshakes,
    counts.hashQueue,
    counts.hashBusy,
    counts.hashThreads,
    counts.hashSeconds,
    counts.bindCacheHits,
  ]) {
    register(serving, m);
  }
  collectDefaultMetrics({ register: serving });
  return serving;
}

/** A gauge read when scraped. */
function gaugeOf(name: string, help: string, read: () => MetricValue[]): SlotMetric {
  return {
    name,
    help,
    type: 'gauge',
    aggregator: 'max',
    get: async (): Promise<MetricJson> => ({ name, help, type: 'gauge', aggregator: 'max', values: read() }),
  };
}

/**
 * What is one for the whole server, in the process that answers scrapes (the primary, or the only
 * process): the directory's contents and size, read at scrape time, and the reminder job, which runs there.
 */
export function directoryRegistry(probe: DatabaseProbe): Registry {
  const r = new Registry();
  register(
    r,
    gaugeOf('cairn_entries', 'Entries in the directory, by kind: below ou=people, ou=groups, ou=services, and the others', () =>
      Object.entries(probe.entriesByKind()).map(([kind, value]) => ({ labels: { kind }, value })),
    ),
  );
  register(
    r,
    gaugeOf('cairn_database_bytes', 'Size of the SQLite database file and of its write-ahead log', () =>
      Object.entries(probe.sizes()).map(([file, value]) => ({ labels: { file }, value })),
    ),
  );
  for (const m of [counts.reminderRuns, counts.reminderLastRun, counts.reminders, counts.reminderLastResults]) register(r, m);
  return r;
}
