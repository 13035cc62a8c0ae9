import type { Command } from 'commander';
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Config } from '../config';
import { createLogger, type Logger } from '../log';
import { checkMfaKey, dataPaths, initDirectory, loadSchema, openDirectory } from '../runtime';
import { LdapServer, parseAddress, type ListenAddress } from '../wire/server';
import { loadTls } from '../wire/tls';
import { watchCertificateExpiry } from '../wire/certificate-expiry';
import { configFor, globalOptions } from './context';
import type { Directory } from '../directory/directory';
import { smtpSender } from '../notify/mailer';
import { runReminders } from '../notify/reminders';
import { scheduleDaily } from '../notify/schedule';
import { generatePassword } from './init';
import { startVitals } from '../metrics/vitals';

interface ServeOptions {
  listen?: string;
  ldaps?: string;
  tlsCert?: string;
  tlsKey?: string;
  initIfMissing?: boolean;
}

interface Listening {
  type: 'listening';
  ldap: ListenAddress;
  ldaps?: ListenAddress;
  base: string;
}

const describe = (l: Listening) =>
  `Cairn serves ${l.base} on ldap://${l.ldap.host}:${l.ldap.port}` + (l.ldaps ? ` and ldaps://${l.ldaps.host}:${l.ldaps.port}` : '');

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('serve the directory over LDAP (StartTLS) and LDAPS until SIGTERM or SIGINT')
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
      const config = configFor(cmd, Object.keys(server).length ? { server } : undefined);
      const log = createLogger(config.log.level, config.log.file || undefined);
      const data = globalOptions(cmd).data;
      // A bad schema file (schema.extra) stops start-up here, with its message, before any worker starts.
      if (cluster.isPrimary) loadSchema(config);
      if (cluster.isPrimary && opts.initIfMissing && !existsSync(dataPaths(data).database)) {
        const given = process.env.CAIRN_ADMIN_PASSWORD;
        const password = given ?? generatePassword();
        const { adminDn } = await initDirectory(data, 'dc=example,dc=com', password, config, log);
        process.stdout.write(`First start: created dc=example,dc=com in ${dataPaths(data).dir}\nAdministrator: ${adminDn}\n`);
        if (!given) process.stdout.write(`Administrator password (shown once): ${password}\n`);
      }
      const workers = config.server.workers || availableParallelism();
      if (cluster.isPrimary && workers > 1) {
        // A lost or wrong MFA key stops start-up here, with its message, before any worker starts.
        await checkMfaKey(data, config);
        scheduleReminders(data, config, log);
        watchCertificate(data, config, log);
        const vitals = await startVitals(config, data, log, workers);
        return runPrimary(workers, config, log).finally(() => vitals.close());
      }
      return runServer(data, config, log);
    });
}

/** The expiry warning for the certificate in use, in one process only (the primary, or the only one). */
function watchCertificate(data: string, config: Config, log: Logger): void {
  const file = config.server.tlsCert || dataPaths(data).cert;
  if (existsSync(file)) watchCertificateExpiry(log, file, !config.server.tlsCert);
}

/** The daily reminder job, when a mail server is configured: in one process only (the primary, or the only one). */
function scheduleReminders(data: string, config: Config, log: Logger, directory?: Directory): void {
  if (!config.notify.enabled) return;
  if (!config.notify.smtp.host) {
    log.info('password expiry reminders are off: notify.smtp.host is not set');
    return;
  }
  scheduleDaily(config.notify.hour, async () => {
    const run = async (d: Directory) => {
      const report = await runReminders(d, config, { dryRun: false, send: smtpSender(config.notify.smtp) });
      log.info('password expiry reminders', { sent: report.sent.length, failed: report.failed.length, skipped: report.skipped });
    };
    if (directory) return run(directory);
    const opened = await openDirectory(data, config, log);
    try {
      await run(opened.directory);
    } finally {
      await opened.close();
    }
  }, log);
}

/**
 * One process serves on one core. With several workers (server.workers, default one per CPU) the primary
 * forks them, they share the listening sockets, each with its own SQLite connection (WAL lets them read
 * at once), and the primary reports where they listen and stops them on SIGTERM/SIGINT.
 */
function runPrimary(count: number, config: Config, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    let announced = false;
    let listening = 0;
    const start = () => {
      const worker = cluster.fork();
      worker.on('message', (m: Listening) => {
        if (m?.type !== 'listening') return;
        if (++listening === count && !announced) {
          announced = true;
          log.info('listening', { ldap: m.ldap, ldaps: m.ldaps, base: m.base, workers: count });
          process.stdout.write(describe(m) + '\n');
        }
      });
    };
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve();
        return;
      }
      if (!announced) {
        stopping = true;
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
        reject(new Error(`a server worker could not start (exit ${code ?? signal})`));
        return;
      }
      log.error('server worker ended unexpectedly; starting another', { pid: worker.process.pid, code, signal });
      listening--;
      start();
    });
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      const alive = Object.values(cluster.workers ?? {});
      if (alive.length === 0) resolve();
      for (const w of alive) w?.process.kill('SIGTERM');
      setTimeout(() => {
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      }, (config.server.shutdownGraceSeconds + 5) * 1000).unref();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    for (let i = 0; i < count; i++) start();
  });
}

async function runServer(data: string, config: Config, log: Logger): Promise<void> {
  const paths = dataPaths(data);
  const certFile = config.server.tlsCert || paths.cert;
  const keyFile = config.server.tlsKey || paths.key;
  const tls = existsSync(certFile) || config.server.tlsCert ? loadTls(certFile, keyFile) : undefined;
  const vitals = await startVitals(config, data, log, 1);
  const opened = await openDirectory(data, config, log);
  const ldap = new LdapServer({ directory: opened.directory, config, log, tls });
  const ldapsAddress = config.server.ldaps === 'none' ? undefined : parseAddress(config.server.ldaps);
  let bound;
  try {
    bound = await ldap.listen(parseAddress(config.server.listen), ldapsAddress);
  } catch (err) {
    await opened.close();
    throw new Error(`cannot listen: ${(err as Error).message}`);
  }
  const listening: Listening = { type: 'listening', ldap: bound.ldap, ldaps: bound.ldaps, base: opened.directory.namingContext };
  vitals.listening(true);
  if (cluster.isWorker) {
    process.send?.(listening);
  } else {
    scheduleReminders(data, config, log, opened.directory);
    watchCertificate(data, config, log);
    log.info('listening', { ldap: bound.ldap, ldaps: bound.ldaps, base: listening.base });
    process.stdout.write(describe(listening) + '\n');
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    vitals.listening(false);
    log.info('shutting down', { signal, pid: process.pid });
    await ldap.shutdown(config.server.shutdownGraceSeconds * 1000);
    await opened.close();
    log.info('stopped', { pid: process.pid });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}
