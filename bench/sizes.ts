// What is measured once per server, not under ldclt load: how long loading the users took, the database on
// disk, the server's memory after start, and a paged enumeration of every person (sssd's and nslcd's
// enumerate, an application's sync): ldapsearch -E pr=500 (objectClass=posixAccount), all attributes.
import { readdirSync, statSync } from 'fs';
import { join } from 'path';
import { entryCount, searchAs, Target } from './checks';
import { PEOPLE_DN } from './ldif';
import { BenchError, pssBytes, rssBytes } from './proc';

export interface SizeMeasure {
  measure: 'load (s)' | 'database on disk (MB)' | 'memory after start, RSS (MB)' | 'memory after start, PSS (MB)' | 'paged enumeration (s)';
  server: string;
  value: number;
}

/** Bytes the database files of a data folder take on disk (allocated: slapd maps a sparse file), without Cairn's audit log. */
export function databaseBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && e.name !== 'audit.log') total += statSync(join(dir, e.name)).blocks * 512;
  }
  return total;
}

/** The best of three paged enumerations of every person, in seconds; each must return every one of them. */
async function enumerationSeconds(target: Target, users: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    const r = await searchAs(target, ['-b', PEOPLE_DN, '-E', 'pr=500/noprompt', '(objectClass=posixAccount)'], 30 * 60 * 1000);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const entries = entryCount(r.stdout);
    if (r.timedOut || r.code !== 0 || entries !== users) {
      throw new BenchError(`${target.label}: the paged enumeration returned ${entries} of ${users} people (exit ${r.code})\n${r.stderr}`.trimEnd());
    }
    best = Math.min(best, seconds);
  }
  return best;
}

/** The once-per-server measures; memory first, before any load. */
export async function measureSizes(target: Target, users: number): Promise<SizeMeasure[]> {
  const { dir: dataDir, loadSeconds } = target.data;
  const server = target.label;
  const rss = rssBytes(target.pid) / 1024 / 1024;
  const pss = pssBytes(target.pid) / 1024 / 1024;
  const enumeration = await enumerationSeconds(target, users);
  return [
    { measure: 'load (s)', server, value: loadSeconds },
    { measure: 'database on disk (MB)', server, value: databaseBytes(dataDir) / 1024 / 1024 },
    { measure: 'memory after start, RSS (MB)', server, value: rss },
    { measure: 'memory after start, PSS (MB)', server, value: pss },
    { measure: 'paged enumeration (s)', server, value: enumeration },
  ];
}
