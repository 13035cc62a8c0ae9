// Search latency while a storm of binds runs (issue: "a storm of binds must not stall searches"):
// one client searches in a loop and records each search's latency, first alone, then while 50
// connections bind in a loop as random users with their real passwords (bcrypt in worker threads).
import { randomBytes } from 'crypto';
import { mkdirSync } from 'fs';
import { join } from 'path';
import { RawClient } from './raw-client';
import { prepareCairn, startCairn } from './cairn';
import { digitsFor, generateLdif, passwordOf, uidOf, userDn } from './ldif';
import { log } from './proc';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function phase(port: number, users: number, seconds: number, stormConnections: number, bind: { dn: string; pw: string }) {
  const digits = digitsFor(users);
  const until = Date.now() + seconds * 1000;
  let binds = 0;
  let bindFailures = 0;
  const storm = Array.from({ length: stormConnections }, async () => {
    const c = await RawClient.open(port);
    while (Date.now() < until) {
      const i = Math.floor(Math.random() * users);
      const code = await c.bind(userDn(i, digits), passwordOf(i, digits));
      if (code === 0) binds++;
      else bindFailures++;
    }
    c.close();
  });
  const searcher = (async () => {
    const c = await RawClient.open(port);
    await c.bind(bind.dn, bind.pw);
    const latencies: number[] = [];
    while (Date.now() < until) {
      const t = process.hrtime.bigint();
      await c.searchUid(`ou=people,dc=example,dc=com`, uidOf(Math.floor(Math.random() * users), digits));
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    c.close();
    return latencies.sort((a, b) => a - b);
  })();
  const [latencies] = await Promise.all([searcher, ...storm]);
  return {
    searches: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
    binds,
    bindFailures,
  };
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string, def: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : def;
  };
  const users = opt('--users', 2000);
  const seconds = opt('--seconds', 15);
  const connections = opt('--connections', 50);
  const root = join(__dirname, '..', '..');
  const workDir = join(root, '.bench', `storm-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(workDir, { recursive: true });
  const servicePassword = randomBytes(12).toString('hex');
  const adminPassword = randomBytes(12).toString('hex');
  const files = await generateLdif(users, servicePassword, join(workDir, 'slapd.ldif'), join(workDir, 'cairn.ldif'));
  const data = await prepareCairn(root, workDir, files.cairn, users, adminPassword, servicePassword);
  const target = await startCairn(root, workDir, data, 'warn');
  try {
    const bind = { dn: data.searchBindDn, pw: data.searchBindPassword };
    log(`storm: ${seconds} s of searches alone`);
    const alone = await phase(target.port, users, seconds, 0, bind);
    log(`storm: ${seconds} s of searches while ${connections} connections bind in a loop`);
    const storm = await phase(target.port, users, seconds, connections, bind);
    const row = (name: string, r: typeof alone) =>
      `${name.padEnd(34)} ${String(r.searches).padStart(8)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${r.max.toFixed(1).padStart(8)} ${(r.binds / seconds).toFixed(1).padStart(8)} ${String(r.bindFailures).padStart(6)}`;
    console.log(
      `\n${'one searching client'.padEnd(34)} ${'searches'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'binds/s'.padStart(8)} ${'failed'.padStart(6)}`,
    );
    console.log(row('alone', alone));
    console.log(row(`during ${connections} binding connections`, storm));
    console.log(`\n${users} people, bcrypt cost 10 (their migrated {SSHA} is upgraded at the first bind), ${seconds} s per phase.`);
  } finally {
    await target.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bind-storm FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
