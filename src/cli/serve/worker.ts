import cluster from 'node:cluster';
import type { Config } from '../../config';
import { flushLogs, type Logger } from '../../log';
import { existsSync } from 'node:fs';
import { openDirectory } from '../../runtime';
import { dataPaths } from '../../data-folder';
import { watchCertificateExpiry } from '../../wire/certificate-expiry';
import { LdapServer } from '../../wire/server';
import { parseAddress } from '../../config';
import { describeListening, type Listening, type ReloadRequest, type WorkerMessage } from './messages';
import { tlsFiles, tlsFor } from './preflight';
import { logOutcome, reloadServing } from './reload';
import { Reminders } from './reminders';
import { startPortalIfOn } from './portal';
import { WorkerBalance } from './balance';

const send = (m: WorkerMessage): Promise<void> => new Promise((resolve) => (process.send ? process.send(m, undefined, {}, () => resolve()) : resolve()));

/**
 * A server worker of the primary (several workers): a failure to start is told to the primary, which says
 * it in one line and stops the others; then this process ends, non-zero.
 */
export async function runWorker(data: string, readConfig: () => Config, makeLog: (config: Config) => Logger): Promise<void> {
  try {
    const config = readConfig();
    await runServer(data, config, makeLog(config), readConfig);
  } catch (err) {
    await send({ type: 'failed', message: (err as Error).message });
    flushLogs();
    process.exit(1);
  }
}

/**
 * Serves on this process until SIGTERM or SIGINT; SIGHUP reloads (see reloadServing). Alone, it also
 * announces where it listens and runs the daily reminders; as a worker it tells the primary.
 */
export async function runServer(data: string, config: Config, log: Logger, readConfig: () => Config): Promise<void> {
  // A SIGHUP while starting must not end the process (its default): the reload is done once serving.
  let earlyReload = false;
  const early = () => (earlyReload = true);
  process.on('SIGHUP', early);
  const tls = tlsFor(config, data);
  const vitals = await (await import('../../metrics/vitals')).startVitals(config, dataPaths(data).database, log, 1);
  const opened = await openDirectory(data, config, log);
  // Workers that accept on the shared socket themselves pass on what a burst brings them beyond their share.
  const balance: WorkerBalance | undefined =
    cluster.isWorker && config.server.connectionBalancing === 'kernel'
      ? new WorkerBalance(
          () => ldap.connectionCount,
          (socket) => ldap.adopt(socket),
        )
      : undefined;
  const ldap: LdapServer = new LdapServer({ directory: opened.directory, config, log, tls, passOn: balance && ((socket) => balance.passOn(socket)) });
  const ldapsAddress = config.server.ldaps === 'none' ? undefined : parseAddress(config.server.ldaps);
  let bound;
  try {
    bound = await ldap.listen(parseAddress(config.server.listen), ldapsAddress);
  } catch (err) {
    await ldap.shutdown(0);
    await opened.close();
    throw new Error(`cannot listen: ${(err as Error).message}`, { cause: err });
  }
  let portal;
  try {
    portal = await startPortalIfOn(config, { directory: opened.directory, log, tls });
  } catch (err) {
    await ldap.shutdown(0);
    await opened.close();
    throw err;
  }
  const listening: Listening = { type: 'listening', ldap: bound.ldap, ldaps: bound.ldaps, portal: portal?.url, base: opened.directory.namingContext };
  vitals.listening(true);
  const serving = { config, log, directory: opened.directory, ldap, portal: portal?.portal, tlsFiles: (c: Config) => tlsFiles(c, data) };
  let reminders: Reminders | undefined;
  if (cluster.isWorker) {
    void send(listening);
  } else {
    reminders = new Reminders(data, config, log, opened.directory);
    reminders.start();
    watchCertificate(data, config, log);
    log.info('listening', { ldap: bound.ldap, ldaps: bound.ldaps, base: listening.base });
    process.stdout.write(describeListening(listening) + '\n');
  }
  const reload = () => {
    const outcome = reloadServing(serving, readConfig);
    reminders?.restart(outcome.changed);
    // A worker's outcome is said once, by the primary, for all workers.
    if (cluster.isWorker) void send({ type: 'reloaded', outcome });
    else logOutcome(log, outcome);
  };
  process.off('SIGHUP', early);
  process.on('SIGHUP', reload);
  if (earlyReload) reload();
  process.on('message', (m: ReloadRequest) => {
    if (m?.type === 'reload') reload();
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    vitals.listening(false);
    log.info('shutting down', { signal, pid: process.pid });
    await Promise.all([ldap.shutdown(config.server.shutdownGraceSeconds * 1000), portal?.portal.close()]);
    await opened.close();
    log.info('stopped', { pid: process.pid });
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** The expiry warning for the certificate in use, in one process only (the primary, or the only one). */
export function watchCertificate(data: string, config: Config, log: Logger): void {
  const file = config.server.tlsCert || dataPaths(data).cert;
  if (existsSync(file)) watchCertificateExpiry(log, file, !config.server.tlsCert);
}
