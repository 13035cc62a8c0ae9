// The people whose binds are measured (cold binds, repeated binds, the bind storm) carry bcrypt cost-10
// hashes as {CRYPT}$2b$10$… in both servers' data: slapd verifies them with libxcrypt's crypt(3), Cairn with
// its own bcrypt, and neither has a cheap hash to hide behind. A hash costs about 50 ms of CPU, so they are
// made on every core once and kept in .bench/bcrypt-cost10.json by password for the next run.
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { cpus } from 'os';
import { join } from 'path';
import { Worker } from 'worker_threads';
import { bcryptHash } from '../src/security/hashes/bcrypt';
import { log } from './proc';

export const BCRYPT_COST = 10;
/** At most this many people get bcrypt: enough that 20 s of cold binds at the hash limit rarely repeat one. */
export const BCRYPT_PEOPLE = 1000;

export function bcryptPeople(users: number): number {
  return Math.min(users, BCRYPT_PEOPLE);
}

function onThread<T>(job: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'bcrypt-worker.js'), { workerData: job });
    worker.once('message', (result: T) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`bcrypt worker exited with ${code}`))));
  });
}

/** bcrypt cost-10 hashes of the passwords, in order: from the cache file, the rest made on every core. */
export async function bcryptHashes(passwords: string[], cacheFile: string): Promise<string[]> {
  const cache = existsSync(cacheFile) ? (JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, string>) : {};
  const missing = passwords.filter((pw) => cache[pw] === undefined);
  if (missing.length > 0) {
    const threads = Math.max(1, cpus().length);
    log(`bcrypt: hashing ${missing.length} passwords at cost ${BCRYPT_COST} on ${threads} threads (kept in ${cacheFile})`);
    const shares = Array.from({ length: threads }, (_, t) => missing.filter((_, i) => i % threads === t));
    const results = await Promise.all(shares.map((share) => onThread<string[]>({ hash: share, cost: BCRYPT_COST })));
    results.forEach((hashes, t) => hashes.forEach((h, k) => (cache[shares[t][k]] = h)));
    writeFileSync(cacheFile, JSON.stringify(cache));
  }
  return passwords.map((pw) => cache[pw]);
}

/**
 * The hash limit: bcrypt cost-10 verifies per second with Cairn's bcrypt on every core at once (one thread per
 * core, 24 verifies each), and what one verify takes on a core meanwhile. A cold bind can go no faster.
 */
export async function bcryptLimit(): Promise<{ perSecond: number; verifyMs: number }> {
  const password = 'pass00042';
  const stored = await bcryptHash(Buffer.from(password, 'utf8'), BCRYPT_COST);
  const threads = Math.max(1, cpus().length);
  const verifies = 24;
  const perThreadMs = await Promise.all(Array.from({ length: threads }, () => onThread<number>({ verify: verifies, password, stored })));
  const slowest = Math.max(...perThreadMs);
  return { perSecond: (threads * verifies * 1000) / slowest, verifyMs: perThreadMs.reduce((a, b) => a + b, 0) / (threads * verifies) };
}
