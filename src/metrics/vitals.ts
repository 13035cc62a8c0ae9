import type { Config } from '../config';
import type { Logger } from '../log';
import type { Vitals } from './vitals-endpoint';

export type { Vitals } from './vitals-endpoint';

const NOTHING: Vitals = { listening: () => undefined, close: async () => undefined };

/**
 * The vital signs on metrics.listen (none: off): GET /metrics (Prometheus text), /healthz (the process
 * answers) and /readyz (the database takes a write, and every worker listens). Served by the primary with
 * several workers (which answer it over IPC), or by the only process. `workers` is how many serve LDAP:
 * 1 means this process. With none, prom-client is not even loaded (about 60 ms of CPU at each start).
 */
export async function startVitals(config: Config, databaseFile: string, log: Logger, workers: number): Promise<Vitals> {
  if (config.metrics.listen === 'none') return NOTHING;
  return (await import('./vitals-endpoint')).serveVitals(config, databaseFile, log, workers);
}
