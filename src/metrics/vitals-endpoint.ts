import cluster from 'node:cluster';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { AggregatorRegistry, Registry } from 'prom-client';
import { parseAddress, type Config } from '../config';
import type { Logger } from '../log';
import { answerPrimary, askWorkers } from './cluster-status';
import { DatabaseProbe } from './database-probe';
import { directoryRegistry, servingRegistry } from './registries';

/** How long the primary waits for its workers' answers. */
const WORKER_ANSWER_MS = 2000;

/** What serve.ts holds: say when this process starts or stops serving LDAP, and stop the endpoint. */
export interface Vitals {
  listening(now: boolean): void;
  close(): Promise<void>;
}

/** The endpoint of vitals.ts, loaded only when metrics.listen is not none (prom-client is slow to load). */
export async function serveVitals(config: Config, databaseFile: string, log: Logger, workers: number): Promise<Vitals> {
  if (cluster.isWorker) return { ...answerPrimary(servingRegistry()), close: async () => undefined };
  const probe = new DatabaseProbe(databaseFile);
  const directory = directoryRegistry(probe);
  const single = workers === 1;
  const local = single ? Registry.merge([servingRegistry(), directory]) : directory;
  let listening = false;

  const metrics = async (): Promise<string> => {
    if (single) return local.metrics();
    const status = await askWorkers(true, WORKER_ANSWER_MS);
    const summed = AggregatorRegistry.aggregate(status.metrics);
    return (await summed.metrics()) + (await local.metrics());
  };

  /** Undefined when ready; else why not. */
  const unready = async (): Promise<string | undefined> => {
    if (single) {
      if (!listening) return 'not listening for LDAP';
    } else {
      const status = await askWorkers(false, WORKER_ANSWER_MS);
      const serving = status.answers.filter((a) => a.listening).length;
      if (serving < workers) return `${serving} of ${workers} server workers listen for LDAP`;
    }
    return probe.writable();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'use GET\n');
    if (path === '/healthz') return send(200, 'ok\n');
    if (path === '/readyz') {
      const why = await unready();
      return why ? send(503, `not ready: ${why}\n`) : send(200, 'ready\n');
    }
    if (path === '/metrics') return send(200, await metrics(), local.contentType);
    send(404, 'not found: use /metrics, /healthz or /readyz\n');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error('metrics endpoint failure', { url: req.url, error: err instanceof Error ? err.stack : String(err) });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('internal error\n');
    });
  });
  const address = parseAddress(config.metrics.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: Error) => {
    probe.close();
    throw new Error(`cannot listen on metrics.listen ${config.metrics.listen}: ${err.message}`);
  });
  // Never what keeps the process alive: a start-up that fails later ends as if this were not here.
  server.unref();
  const bound = server.address();
  log.info('metrics, /healthz and /readyz', { listen: typeof bound === 'object' && bound ? `${bound.address}:${bound.port}` : config.metrics.listen });
  return {
    listening: (now) => void (listening = now),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        probe.close();
      }),
  };
}
