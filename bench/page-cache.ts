// Drops a server's database files from the kernel's page cache, so that its first searches read the disk as
// after a reboot. posix_fadvise(DONTNEED) through `dd iflag=nocache count=0` needs no root. It drops only
// clean pages no process has mapped (slapd maps its whole database), so it runs before the server starts.
import { readdirSync } from 'fs';
import { join } from 'path';
import { log, runChecked } from './proc';

function databaseFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== 'audit.log')
    .map((e) => join(dir, e.name));
}

/** Bytes of a data folder's database files that are in the page cache. */
export function cachedDatabaseBytes(dir: string): Promise<number> {
  return cachedBytes(databaseFiles(dir));
}

/** Bytes of the files that are in the page cache (util-linux fincore). */
async function cachedBytes(files: string[]): Promise<number> {
  const r = await runChecked('/usr/bin/fincore', ['--bytes', '--noheadings', '--output', 'RES', ...files], { timeoutMs: 30000 });
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isFinite(n))
    .reduce((a, b) => a + b, 0);
}

/** Evicts the database files of a data folder; returns how much of them was still cached afterwards. */
export async function dropFromPageCache(label: string, dir: string): Promise<{ before: number; after: number }> {
  const files = databaseFiles(dir);
  await runChecked('/usr/bin/sync', files, { timeoutMs: 120000 });
  const before = await cachedBytes(files);
  for (const f of files) await runChecked('/usr/bin/dd', [`if=${f}`, 'iflag=nocache', 'count=0', 'status=none'], { timeoutMs: 60000 });
  const after = await cachedBytes(files);
  const mb = (n: number): string => (n / 1024 / 1024).toFixed(1);
  log(`${label}: page cache of the database files ${mb(before)} MB -> ${mb(after)} MB`);
  return { before, after };
}
