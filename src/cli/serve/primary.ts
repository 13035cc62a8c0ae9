import cluster, { type Worker } from 'node:cluster';
import type { Config } from '../../config';
import type { Logger } from '../../log';
import { describeListening, type ReloadRequest, type WorkerMessage } from './messages';
import { emptyOutcome, logOutcome, mergeOutcomes, reloadConfig, type ReloadOutcome } from './reload';
import type { Reminders } from './reminders';
import { PrimaryBalance } from './balance';

/** A dead worker is started again after this long, doubling at each death up to MAX_RESTART_DELAY_MS. */
const FIRST_RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30000;
/** A worker that has served this long without any worker dying resets the delay. */
const HEALTHY_MS = 60000;
/** How long the primary waits for the workers' reload outcomes before saying what it has. */
const RELOAD_WAIT_MS = 5000;

const why = (code: number | null, signal: string | null) => (signal ? `signal ${signal}` : `exit code ${code}`);

export interface PrimaryOptions {
  count: number;
  config: Config;
  log: Logger;
  readConfig: () => Config;
  reminders: Reminders;
}

/**
 * One process serves on one core. With several workers (server.workers, default one per CPU) the primary
 * forks them, they share the listening sockets, each with its own SQLite connection (WAL lets them read
 * at once). The primary reports where they listen; if any worker cannot start, it stops them all and the
 * server ends non-zero with the worker's reason. Once serving, a worker that dies is started again (with a
 * back-off), SIGHUP is passed on to every worker, and SIGTERM/SIGINT stop them.
 */
export function runPrimary(o: PrimaryOptions): Promise<void> {
  const { count, config, log } = o;
  return new Promise((resolve, reject) => {
    let stopping = false;
    let announced = false;
    /** The workers serving now (they take reload requests). */
    const serving = new Set<number>();
    /** Reloads so far, and how many there had been when each worker was started. */
    let reloads = 0;
    const startedAfter = new Map<number, number>();
    let restartDelay = FIRST_RESTART_DELAY_MS;
    let lastDeath = 0;
    const failures = new Map<number, string>();
    const balance = config.server.connectionBalancing === 'kernel' ? new PrimaryBalance() : undefined;
    let round: { waiting: Set<number>; outcomes: ReloadOutcome[]; timer: NodeJS.Timeout } | undefined;

    let failure: string | undefined;
    /** Stopped for good: once every worker has ended (or 2 s later), with the reason when starting failed. */
    const ended = () => (failure === undefined ? resolve() : reject(new Error(failure)));
    const failStart = (message: string) => {
      if (stopping) return;
      stopping = true;
      failure = message;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      setTimeout(() => {
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
        ended();
      }, 2000).unref();
    };

    const finishRound = () => {
      if (!round) return;
      clearTimeout(round.timer);
      const outcome = mergeOutcomes(round.outcomes);
      if (round.waiting.size > 0) outcome.errors.push(`${round.waiting.size} worker(s) did not report their reload within ${RELOAD_WAIT_MS / 1000} s`);
      round = undefined;
      logOutcome(log, outcome);
    };

    const onMessage = (worker: Worker, m: WorkerMessage) => {
      if (m?.type === 'failed') {
        failures.set(worker.id, m.message);
        if (!announced) failStart(m.message);
      } else if (m?.type === 'listening') {
        serving.add(worker.id);
        balance?.add(worker);
        // A SIGHUP while it was starting: it may have opened the logs or read the files before.
        if ((startedAfter.get(worker.id) ?? reloads) < reloads) worker.send({ type: 'reload' } satisfies ReloadRequest);
        if (announced) log.info('server worker serving again', { pid: worker.process.pid, workers: serving.size });
        if (serving.size === count && !announced) {
          announced = true;
          log.info('listening', { ldap: m.ldap, ldaps: m.ldaps, base: m.base, workers: count });
          process.stdout.write(describeListening(m) + '\n');
        }
      } else if (m?.type === 'reloaded') {
        if (round?.waiting.delete(worker.id)) {
          round.outcomes.push(m.outcome);
          if (round.waiting.size === 0) finishRound();
        } else {
          logOutcome(log, m.outcome);
        }
      }
    };

    const start = () => {
      const worker = cluster.fork();
      startedAfter.set(worker.id, reloads);
      worker.on('message', (m: WorkerMessage) => onMessage(worker, m));
    };

    cluster.on('exit', (worker, code, signal) => {
      balance?.remove(worker);
      const failed = failures.get(worker.id);
      failures.delete(worker.id);
      serving.delete(worker.id);
      startedAfter.delete(worker.id);
      if (round?.waiting.delete(worker.id) && round.waiting.size === 0) finishRound();
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) ended();
        return;
      }
      if (!announced) return failStart(`a server worker ended while starting (${why(code, signal)})`);
      const now = Date.now();
      if (now - lastDeath > HEALTHY_MS) restartDelay = FIRST_RESTART_DELAY_MS;
      lastDeath = now;
      log.error('server worker died; starting another', {
        pid: worker.process.pid,
        ...(signal ? { signal } : { code }),
        ...(failed ? { reason: failed } : {}),
        restartInSeconds: restartDelay / 1000,
      });
      setTimeout(() => {
        if (!stopping) start();
      }, restartDelay).unref();
      restartDelay = Math.min(restartDelay * 2, MAX_RESTART_DELAY_MS);
    });

    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      const alive = Object.values(cluster.workers ?? {});
      if (alive.length === 0) ended();
      for (const w of alive) w?.process.kill('SIGTERM');
      setTimeout(
        () => {
          for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
        },
        (config.server.shutdownGraceSeconds + 5) * 1000,
      ).unref();
    };

    /** SIGHUP: the primary's own log reopened and settings re-read, then every worker does the same. */
    const reload = () => {
      if (stopping) return;
      reloads++;
      const own = emptyOutcome();
      const live = reloadConfig(config, o.readConfig, own);
      log.level = config.log.level;
      o.reminders.restart(live);
      finishRound();
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && serving.has(w.id) && w.isConnected());
      round = { waiting: new Set(workers.map((w) => w.id)), outcomes: [own], timer: setTimeout(finishRound, RELOAD_WAIT_MS) };
      round.timer.unref();
      for (const w of workers) w.send({ type: 'reload' } satisfies ReloadRequest);
      if (workers.length === 0) finishRound();
    };

    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', reload);
    for (let i = 0; i < count; i++) start();
  });
}
