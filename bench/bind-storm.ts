// Search latency while a storm of binds runs ("a storm of binds must not stall searches", 9 a.m. when everyone
// logs in): one client searches in a loop and records each search's latency while 50 connections bind in a
// loop as random people of the bcrypt pool with their real passwords.
import type { Target } from './checks';
import { RawClient } from './raw-client';
import { PEOPLE_DN, passwordOf, uidOf, userDn } from './ldif';

export const STORM_CONNECTIONS = 50;

export interface StormMeasure {
  server: string;
  connections: number;
  seconds: number;
  searches: number;
  failedSearches: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  bindsPerSec: number;
  failedBinds: number;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

export async function measureStorm(target: Target, users: number, digits: number, bindPeople: number, seconds: number): Promise<StormMeasure> {
  // The searching client is a long-lived service connection (sssd's, an application's), bound before the storm.
  const searching = await RawClient.open(target.port, target.host);
  if ((await searching.bind(target.searchBindDn, target.searchBindPassword)) !== 0) throw new Error(`${target.label}: the searching client cannot bind`);
  const until = Date.now() + seconds * 1000;
  let binds = 0;
  let failedBinds = 0;
  const storm = Array.from({ length: STORM_CONNECTIONS }, async () => {
    const c = await RawClient.open(target.port, target.host);
    while (Date.now() < until) {
      const i = Math.floor(Math.random() * bindPeople);
      const code = await c.bind(userDn(i, digits), passwordOf(i, digits));
      if (code === 0) binds++;
      else failedBinds++;
    }
    c.close();
  });
  const searcher = (async () => {
    const c = searching;
    const latencies: number[] = [];
    let failed = 0;
    while (Date.now() < until) {
      const t = process.hrtime.bigint();
      const code = await c.searchUid(PEOPLE_DN, uidOf(Math.floor(Math.random() * users), digits));
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (code !== 0) failed++;
    }
    c.close();
    return { latencies: latencies.sort((a, b) => a - b), failed };
  })();
  const [{ latencies, failed }] = await Promise.all([searcher, ...storm]);
  return {
    server: target.label,
    connections: STORM_CONNECTIONS,
    seconds,
    searches: latencies.length,
    failedSearches: failed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? NaN,
    bindsPerSec: binds / seconds,
    failedBinds,
  };
}
