import type { Command } from 'commander';
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Config } from '../../config';
import { createLogger, flushLogs } from '../../log';
import { dataPaths } from '../../data-folder';
import { initDirectory, loadSchema } from '../../runtime';
import { configFor, fail, globalOptions } from '../context';
import { generatePassword } from '../init';
import { lowerThreadPoolPriority } from '../../security/thread-pool-priority';
import { checkBeforeWorkers } from './preflight';
import { runPrimary } from './primary';
import { Reminders } from './reminders';
import { runServer, runWorker, watchCertificate } from './worker';

export interface ServeOptions {
  listen?: string;
  ldaps?: string;
  portal?: string;
  tlsCert?: string;
  tlsKey?: string;
  initIfMissing?: boolean;
}

const makeLog = (config: Config) => createLogger(config.log.level, config.log.file || undefined);

/** cairn serve: the primary and its workers, or one process serving alone. */
export async function startServe(opts: ServeOptions, cmd: Command): Promise<void> {
  const server: Record<string, string> = {};
  if (opts.listen) server.listen = opts.listen;
  if (opts.ldaps) server.ldaps = opts.ldaps;
  if (opts.tlsCert) server.tlsCert = opts.tlsCert;
  if (opts.tlsKey) server.tlsKey = opts.tlsKey;
  const overrides: Record<string, unknown> = {};
  if (Object.keys(server).length) overrides.server = server;
  if (opts.portal) overrides.portal = { listen: opts.portal };
  // The configuration as at start, read again at each SIGHUP: file, environment, command line.
  const readConfig = () => configFor(cmd, Object.keys(overrides).length ? overrides : undefined);
  const data = globalOptions(cmd).data;
  // SIGHUP ends a process by default: from here on it never does (serving, it reloads).
  process.on('SIGHUP', () => undefined);
  // First, before anything starts the thread pool: bcrypt there gives way to the event loop.
  await lowerThreadPoolPriority();
  if (cluster.isWorker) return runWorker(data, readConfig, makeLog);
  try {
    await serve(data, readConfig, opts.initIfMissing === true);
  } catch (err) {
    // One line and a non-zero exit, whatever is still open (worker threads, timers).
    fail(err);
    flushLogs();
    process.exit(1);
  }
}

/**
 * A worker's young generation is kept to 8 MB a half (V8 grows it to 16 by default). At 2 MB (7 MB less
 * per worker after start) a paged enumeration spent a fifth of its time collecting: every collection found
 * a third of what was allocated still alive and promoted it. Measured as server CPU per enumeration of
 * 100,000 people, 2 workers: 2 MB 3.5-5.1 s, 8 MB 1.6-3.0 s, 16 MB 2.2-3.3 s. A flag given to node on the
 * command line wins.
 */
export function workerExecArgv(execArgv: string[]): string[] {
  return execArgv.some((a) => a.startsWith('--max-semi-space-size')) ? execArgv : [...execArgv, '--max-semi-space-size=8'];
}

async function serve(data: string, readConfig: () => Config, initIfMissing: boolean): Promise<void> {
  const config = readConfig();
  const log = makeLog(config);
  // A bad schema file (schema.extra) stops start-up here, with its message, before any worker starts.
  loadSchema(config);
  if (initIfMissing && !existsSync(dataPaths(data).database)) {
    const given = process.env.CAIRN_ADMIN_PASSWORD;
    const password = given ?? (await generatePassword());
    const { adminDn } = await initDirectory(data, 'dc=example,dc=com', password, config, log);
    process.stdout.write(`First start: created dc=example,dc=com in ${dataPaths(data).dir}\nAdministrator: ${adminDn}\n`);
    if (!given) process.stdout.write(`Administrator password (shown once): ${password}\n`);
  }
  const count = config.server.workers || availableParallelism();
  if (count === 1) return runServer(data, config, log, readConfig);
  // kernel: every worker accepts on the shared socket, with no hand-off (which costs more CPU than a cached
  // bind when each bind comes on a new connection); a worker a burst overloads passes the excess on
  // (balance.ts). primary: Node's round robin, where the primary accepts each connection and hands it on.
  cluster.schedulingPolicy = config.server.connectionBalancing === 'kernel' ? cluster.SCHED_NONE : cluster.SCHED_RR;
  cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv) });
  // A missing data folder, a lost or wrong MFA key, a bad certificate or a taken port stops start-up
  // here, with its message, before any worker starts.
  await checkBeforeWorkers(data, config, log);
  const reminders = new Reminders(data, config, log);
  reminders.start();
  watchCertificate(data, config, log);
  const vitals = await (await import('../../metrics/vitals')).startVitals(config, dataPaths(data).database, log, count);
  return runPrimary({ count, config, log, readConfig, reminders }).finally(() => vitals.close());
}
