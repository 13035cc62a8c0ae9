// OpenLDAP slapd as the reference server: private slapd.conf (not cn=config),
// back_mdb in the work folder, loaded with slapadd, served on a loopback port.
import { join } from 'path';
import { Target } from './checks';
import { BASE_DN, SERVICE_DN, SLAPD_ROOT_DN, ssha } from './ldif';
import { log, runChecked } from './proc';
import { SLAPADD, serveSlapd, writeSlapdConf } from './slapd-server';

export interface SlapdOptions {
  workDir: string;
  ldifPath: string;
  servicePassword: string;
  rootPassword: string;
  /** Runs after the load, before slapd starts (with the folder of its database). */
  beforeStart?: (dbDir: string) => Promise<void>;
}

/** Loads the LDIF with slapadd and starts slapd on a free loopback port. */
export async function startSlapd(opts: SlapdOptions): Promise<Target> {
  const paths = writeSlapdConf({
    dir: join(opts.workDir, 'slapd'),
    suffix: BASE_DN,
    rootDn: SLAPD_ROOT_DN,
    rootPw: ssha(opts.rootPassword),
    // The map is reserved address space, not memory or disk: 1 GiB (the default here) is full at about 830,000 people.
    maxsize: 16 * 1024 ** 3,
    database: [
      'index objectClass eq',
      'index uid,uidNumber,gidNumber,memberUid,member,cn,mail eq',
      // As Cairn: the size limit (500) bounds each page of a paged search, not the whole walk.
      'limits users size.prtotal=unlimited',
    ],
  });

  log(`slapd: slapadd -f ${paths.conf} -l ${opts.ldifPath} -q`);
  const t0 = Date.now();
  const load = await runChecked(SLAPADD, ['-f', paths.conf, '-l', opts.ldifPath, '-q'], { timeoutMs: 30 * 60 * 1000, peakRss: true });
  const loadSeconds = (Date.now() - t0) / 1000;
  log(`slapd: loaded in ${loadSeconds.toFixed(1)} s`);

  await opts.beforeStart?.(paths.dbDir);
  log('slapd: starting on a free loopback port (-d 0 keeps it in the foreground, loglevel none)');
  const slapd = await serveSlapd(paths);
  const target: Target = {
    name: 'slapd',
    label: 'slapd',
    url: slapd.url,
    host: '127.0.0.1',
    port: slapd.port,
    pid: slapd.daemon.pid,
    searchBindDn: SERVICE_DN,
    searchBindPassword: opts.servicePassword,
    passwordScheme: "{CRYPT} bcrypt-10 (libxcrypt's crypt(3))",
    notes: ['OpenLDAP slapd back_mdb, loglevel none, default thread pool (16)'],
    data: { dir: paths.dbDir, loadSeconds, loadPeakRssBytes: load.peakRssBytes },
    deadReason: () => slapd.deadReason(),
    stop: () => slapd.stop(),
  };
  log(`slapd: up on ${target.url}, pid ${target.pid}`);
  return target;
}
