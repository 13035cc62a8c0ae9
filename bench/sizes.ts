// What is measured once per server, not under ldclt load: how long loading the users took and the loader's peak
// memory, the database on
// disk, the server's memory after start, and a paged enumeration of every person (sssd's and nslcd's
// enumerate, an application's sync): ldapsearch -E pr=500 (objectClass=posixAccount), all attributes.
import { readdirSync, statSync } from 'fs';
import { join } from 'path';
import { entryCount, searchAs, Target } from './checks';
import { PEOPLE_DN } from './ldif';
import { BenchError, pssBytes, rssBytes } from './proc';

export type SizeMeasureName =
  'load (s)' | 'load, peak RSS (MB)' | 'database on disk (MB)' | 'memory after start, RSS (MB)' | 'memory after start, PSS (MB)' | 'paged enumeration (s)';

export interface SizeMeasure {
  measure: SizeMeasureName;
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

const MB = 1024 * 1024;

/** The load and the database it made, and the server's memory: measured before the server's first search. */
export function loadAndMemory(target: Target): SizeMeasure[] {
  const { dir, loadSeconds, loadPeakRssBytes } = target.data;
  const server = target.label;
  return [
    { measure: 'load (s)', server, value: loadSeconds },
    ...(loadPeakRssBytes === undefined ? [] : [{ measure: 'load, peak RSS (MB)' as const, server, value: loadPeakRssBytes / MB }]),
    { measure: 'database on disk (MB)', server, value: databaseBytes(dir) / MB },
    { measure: 'memory after start, RSS (MB)', server, value: rssBytes(target.pid) / MB },
    { measure: 'memory after start, PSS (MB)', server, value: pssBytes(target.pid) / MB },
  ];
}

export async function enumeration(target: Target, users: number): Promise<SizeMeasure> {
  return { measure: 'paged enumeration (s)', server: target.label, value: await enumerationSeconds(target, users) };
}
