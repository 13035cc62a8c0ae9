// Cairn through its CLI contract:
//   node bin/cairn init --data DIR --base dc=example,dc=com --admin-password PW
//   node bin/cairn import --data DIR FILE.ldif
//   node bin/cairn service add bench --password PW --data DIR
//   node bin/cairn serve --data DIR --listen 127.0.0.1:PORT --ldaps none   (SIGTERM stops it)
import { existsSync, mkdirSync } from 'fs';
import { join } from 'path';
import { Target, waitForLdap } from './checks';
import { BASE_DN, SERVICE_DN } from './ldif';
import { BenchError, Daemon, freePort, log, run, runChecked, type RunResult } from './proc';

export const CAIRN_ADMIN_DN = `uid=admin,ou=people,${BASE_DN}`;

export interface CairnData {
  dataDir: string;
  /** Seconds the import of the users took, and its peak resident memory. */
  loadSeconds: number;
  loadPeakRssBytes?: number;
  searchBindDn: string;
  searchBindPassword: string;
}

function cairnBin(root: string): string {
  return join(root, 'bin', 'cairn');
}

export function cairnAvailable(root: string): boolean {
  return existsSync(cairnBin(root));
}

function cli(root: string, args: string[], timeoutMs: number): Promise<RunResult> {
  log(`cairn: cairn ${args.join(' ')}`);
  return runChecked(process.execPath, [cairnBin(root), ...args], { timeoutMs, cwd: root, peakRss: true });
}

/** Logs a heartbeat while a long step runs. */
async function withHeartbeat<T>(label: string, work: Promise<T>): Promise<T> {
  const t0 = Date.now();
  const timer = setInterval(() => log(`${label}: still running after ${Math.round((Date.now() - t0) / 1000)} s`), 30000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** init + import + service account. The users' hashes are migrated as they are. */
export async function prepareCairn(
  root: string,
  workDir: string,
  ldifPath: string,
  users: number,
  adminPassword: string,
  servicePassword: string,
): Promise<CairnData> {
  if (!cairnAvailable(root)) throw new BenchError(`${cairnBin(root)} does not exist (is the CLI built?)`);
  const dataDir = join(workDir, 'cairn', 'data');
  mkdirSync(join(workDir, 'cairn'), { recursive: true });
  await cli(root, ['init', '--data', dataDir, '--base', BASE_DN, '--admin-password', adminPassword], 120000);

  const t0 = Date.now();
  const load = await withHeartbeat('cairn import', cli(root, ['import', '--data', dataDir, ldifPath], 600000 + users * 1000));
  const loadSeconds = (Date.now() - t0) / 1000;
  const loadPeakRssBytes = load.peakRssBytes;
  log(`cairn: imported ${users} users and their groups in ${loadSeconds.toFixed(1)} s`);

  const svc = await run(process.execPath, [cairnBin(root), 'service', 'add', 'bench', '--password', servicePassword, '--data', dataDir], {
    timeoutMs: 120000,
    cwd: root,
  });
  if (svc.code === 0 && !svc.timedOut) {
    return { dataDir, loadSeconds, loadPeakRssBytes, searchBindDn: SERVICE_DN, searchBindPassword: servicePassword };
  }
  log(
    `cairn: "service add" failed (${svc.timedOut ? 'timeout' : `exit ${svc.code}`}); searching as the admin instead\n` + `${svc.stdout}${svc.stderr}`.trimEnd(),
  );
  return { dataDir, loadSeconds, loadPeakRssBytes, searchBindDn: CAIRN_ADMIN_DN, searchBindPassword: adminPassword };
}

/**
 * Starts `cairn serve`; logLevel undefined means Cairn's default (CAIRN_LOG_LEVEL unset). Without the bind
 * cache (security.bindCacheSeconds 0) every bind verifies its hash: what a cold bind costs.
 */
export async function startCairn(
  root: string,
  workDir: string,
  data: CairnData,
  logLevel: string | undefined,
  bindCache: 'on' | 'off' = 'on',
): Promise<Target> {
  const port = await freePort();
  const listen = `127.0.0.1:${port}`;
  const url = `ldap://${listen}/`;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
  delete env.CAIRN_LOG_LEVEL;
  delete env.CAIRN_SECURITY_BIND_CACHE_SECONDS;
  if (logLevel !== undefined) env.CAIRN_LOG_LEVEL = logLevel;
  if (bindCache === 'off') env.CAIRN_SECURITY_BIND_CACHE_SECONDS = '0';
  // The metrics endpoint stays on, as by default, on a port of its own: another Cairn may hold 9389.
  env.CAIRN_METRICS_LISTEN = `127.0.0.1:${await freePort()}`;
  const levelName = logLevel ?? 'default';
  const label = `cairn[log=${levelName}${bindCache === 'off' ? ', no bind cache' : ''}]`;
  log(`${label}: starting on ${url}`);
  const daemon = new Daemon(
    label,
    process.execPath,
    [cairnBin(root), 'serve', '--data', data.dataDir, '--listen', listen, '--ldaps', 'none'],
    env,
    join(workDir, 'cairn', `serve-log-${levelName}${bindCache === 'off' ? '-no-bind-cache' : ''}.log`),
    root,
  );
  const deadReason = (): string | undefined => (daemon.running ? undefined : `${daemon.describeExit()}\n${daemon.tail}`.trimEnd());
  const target: Target = {
    name: 'cairn',
    label,
    url,
    host: '127.0.0.1',
    port,
    pid: 0,
    searchBindDn: data.searchBindDn,
    searchBindPassword: data.searchBindPassword,
    passwordScheme: `migrated {CRYPT} bcrypt-10, verified by Cairn's bcrypt${bindCache === 'off' ? '' : ', then its verified-credential cache'}`,
    notes: [`CAIRN_LOG_LEVEL=${logLevel ?? '(unset)'}`, `bind cache ${bindCache}`, `search bind as ${data.searchBindDn}`],
    data: { dir: data.dataDir, loadSeconds: data.loadSeconds, loadPeakRssBytes: data.loadPeakRssBytes },
    deadReason,
    stop: () => daemon.stop(),
  };
  try {
    target.pid = daemon.pid;
    await waitForLdap(url, 60000, deadReason);
  } catch (err) {
    await daemon.stop();
    if (err instanceof BenchError) throw new BenchError(`${label} failed to start: ${err.message}`);
    throw err;
  }
  log(`${label}: up, pid ${target.pid}`);
  return target;
}
