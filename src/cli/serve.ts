import type { Command } from 'commander';
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Config } from '../config';
import { createLogger, flushLogs } from '../log';
import { dataPaths, initDirectory, loadSchema } from '../runtime';
import { configFor, fail, globalOptions } from './context';
import { generatePassword } from './init';
import { checkBeforeWorkers } from './serve/preflight';
import { runPrimary } from './serve/primary';
import { Reminders } from './serve/reminders';
import { runServer, runWorker, watchCertificate } from './serve/worker';

interface ServeOptions {
  listen?: string;
  ldaps?: string;
  tlsCert?: string;
  tlsKey?: string;
  initIfMissing?: boolean;
}

const makeLog = (config: Config) => createLogger(config.log.level, config.log.file || undefined);

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('serve the directory over LDAP (StartTLS) and LDAPS until SIGTERM or SIGINT; SIGHUP reopens the logs and reloads the certificate and settings')
    .option('--listen <host:port>', 'plain LDAP address (StartTLS available)')
    .option('--ldaps <host:port>', 'LDAPS address, or "none"')
    .option('--tls-cert <file>', 'PEM certificate (default: the one generated in the data folder)')
    .option('--tls-key <file>', 'PEM private key')
    .option('--init-if-missing', 'create the directory (dc=example,dc=com) on first start, printing the admin password')
    .action(async (opts: ServeOptions, cmd: Command) => {
      const server: Record<string, string> = {};
      if (opts.listen) server.listen = opts.listen;
      if (opts.ldaps) server.ldaps = opts.ldaps;
      if (opts.tlsCert) server.tlsCert = opts.tlsCert;
      if (opts.tlsKey) server.tlsKey = opts.tlsKey;
      // The configuration as at start, read again at each SIGHUP: file, environment, command line.
      const readConfig = () => configFor(cmd, Object.keys(server).length ? { server } : undefined);
      const data = globalOptions(cmd).data;
      // SIGHUP ends a process by default: from here on it never does (serving, it reloads).
      process.on('SIGHUP', () => undefined);
      if (cluster.isWorker) return runWorker(data, readConfig, makeLog);
      try {
        await serve(data, readConfig, opts.initIfMissing === true);
      } catch (err) {
        // One line and a non-zero exit, whatever is still open (worker threads, timers).
        fail(err);
        flushLogs();
        process.exit(1);
      }
    });
}

async function serve(data: string, readConfig: () => Config, initIfMissing: boolean): Promise<void> {
  const config = readConfig();
  const log = makeLog(config);
  // A bad schema file (schema.extra) stops start-up here, with its message, before any worker starts.
  loadSchema(config);
  if (initIfMissing && !existsSync(dataPaths(data).database)) {
    const given = process.env.CAIRN_ADMIN_PASSWORD;
    const password = given ?? generatePassword();
    const { adminDn } = await initDirectory(data, 'dc=example,dc=com', password, config, log);
    process.stdout.write(`First start: created dc=example,dc=com in ${dataPaths(data).dir}\nAdministrator: ${adminDn}\n`);
    if (!given) process.stdout.write(`Administrator password (shown once): ${password}\n`);
  }
  const count = config.server.workers || availableParallelism();
  if (count === 1) return runServer(data, config, log, readConfig);
  // A missing data folder, a lost or wrong MFA key, a bad certificate or a taken port stops start-up
  // here, with its message, before any worker starts.
  await checkBeforeWorkers(data, config);
  const reminders = new Reminders(data, config, log);
  reminders.start();
  watchCertificate(data, config, log);
  const vitals = await (await import('../metrics/vitals')).startVitals(config, dataPaths(data).database, log, count);
  return runPrimary({ count, config, log, readConfig, reminders }).finally(() => vitals.close());
}
