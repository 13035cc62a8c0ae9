// What durable writes cost (store.synchronous full vs normal), on loopback only:
//   - modifies/s: N connections bound as the administrator, each replacing one person's description in
//     a loop (what ldapmodify sends), for 10 and 50 connections;
//   - failed binds/s: N connections binding as random people with a wrong password (each failure writes
//     pwdFailureTime);
//   - the time to import the people in one `cairn import` (one transaction: one sync at its commit).
// Each run does every phase for both settings, alternating, so that drift on a shared machine hits both.
// Bounded: --seconds per phase (default 10), --runs (default 3), --max-ops per phase (default 200000).
import { randomBytes } from 'crypto';
import { mkdirSync } from 'fs';
import { join } from 'path';
import { waitForLdap } from './checks';
import { BASE_DN, digitsFor, generateLdif, userDn } from './ldif';
import { Daemon, freePort, log, runChecked } from './proc';
import { RawClient } from './raw-client';

type Sync = 'full' | 'normal';
const ADMIN_DN = `uid=admin,ou=people,${BASE_DN}`;

async function loop(
  port: number,
  clients: number,
  seconds: number,
  maxOps: number,
  bindAs: { dn: string; pw: string } | undefined,
  op: (c: RawClient) => Promise<number>,
  okCode: number,
) {
  // Connect and bind first: the administrator's binds (bcrypt) are not what is measured.
  const connections = await Promise.all(
    Array.from({ length: clients }, async () => {
      const c = await RawClient.open(port);
      if (bindAs && (await c.bind(bindAs.dn, bindAs.pw)) !== 0) throw new Error(`bind as ${bindAs.dn} failed`);
      return c;
    }),
  );
  const until = Date.now() + seconds * 1000;
  let ok = 0;
  let other = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    connections.map(async (c) => {
      while (Date.now() < until && ok + other < maxOps) {
        if ((await op(c)) === okCode) ok++;
        else other++;
      }
      c.close();
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rate: ok / elapsed, other };
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string, def: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : def;
  };
  const users = opt('--users', 10000);
  const seconds = opt('--seconds', 10);
  const runs = opt('--runs', 3);
  const maxOps = opt('--max-ops', 200000);
  const root = join(__dirname, '..', '..');
  const cairn = join(root, 'bin', 'cairn');
  const workDir = join(root, '.bench', `writes-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(workDir, { recursive: true });
  const adminPassword = randomBytes(12).toString('hex');
  const files = await generateLdif(users, randomBytes(12).toString('hex'), join(workDir, 'slapd.ldif'), join(workDir, 'cairn.ldif'), []);
  const digits = digitsFor(users);
  const settings: Sync[] = ['full', 'normal'];
  const results = new Map<string, number[]>();
  const note = (key: string, v: number) => results.set(key, [...(results.get(key) ?? []), v]);

  for (let r = 1; r <= runs; r++) {
    for (const sync of r % 2 ? settings : [...settings].reverse()) {
      const env = { ...process.env, NODE_ENV: 'production', CAIRN_STORE_SYNCHRONOUS: sync, CAIRN_LOG_LEVEL: 'warn' };
      const data = join(workDir, `run${r}-${sync}`, 'data');
      mkdirSync(join(data, '..'), { recursive: true });
      await runChecked(process.execPath, [cairn, 'init', '--data', data, '--admin-password', adminPassword], { timeoutMs: 120000, env, cwd: root });
      const t0 = Date.now();
      await runChecked(process.execPath, [cairn, 'import', '--data', data, files.cairn], { timeoutMs: 600000, env, cwd: root });
      note(`import ${users} people (s)|${sync}`, (Date.now() - t0) / 1000);
      log(`run ${r} ${sync}: imported ${users} people in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

      const port = await freePort();
      const url = `ldap://127.0.0.1:${port}/`;
      const daemon = new Daemon(
        `cairn[${sync}]`,
        process.execPath,
        [cairn, 'serve', '--data', data, '--listen', `127.0.0.1:${port}`, '--ldaps', 'none'],
        env,
        join(data, '..', 'serve.log'),
        root,
      );
      try {
        await waitForLdap(url, 60000, () => (daemon.running ? undefined : daemon.tail));
        for (const clients of [10, 50]) {
          let n = 0;
          const m = await loop(
            port,
            clients,
            seconds,
            maxOps,
            { dn: ADMIN_DN, pw: adminPassword },
            (c) => c.replace(userDn(Math.floor(Math.random() * users), digits), 'description', [`bench ${r} ${clients} ${n++}`]),
            0,
          );
          if (m.other) log(`  ${m.other} modifies did not succeed`);
          note(`modifies/s, ${clients} clients|${sync}`, m.rate);
          log(`run ${r} ${sync}: ${clients} clients: ${m.rate.toFixed(0)} modifies/s`);
        }
        for (const clients of [10, 50]) {
          const b = await loop(
            port,
            clients,
            seconds,
            maxOps,
            undefined,
            (c) => c.bind(userDn(Math.floor(Math.random() * users), digits), 'wrong-password'),
            49,
          );
          if (b.other) log(`  ${b.other} binds answered other than invalidCredentials`);
          note(`failed binds/s, ${clients} clients|${sync}`, b.rate);
          log(`run ${r} ${sync}: ${clients} clients: ${b.rate.toFixed(1)} failed binds/s`);
        }
      } finally {
        await daemon.stop();
      }
    }
  }

  const keys = [...new Set([...results.keys()].map((k) => k.split('|')[0]))];
  const cell = (xs: number[] | undefined) => {
    if (!xs) return '-';
    const sorted = [...xs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    return `${median.toFixed(1)} (${xs.map((x) => x.toFixed(1)).join(', ')})`;
  };
  console.log(`\n${'median (each run)'.padEnd(32)} ${'full'.padEnd(34)} normal`);
  for (const k of keys) console.log(`${k.padEnd(32)} ${cell(results.get(`${k}|full`)).padEnd(34)} ${cell(results.get(`${k}|normal`))}`);
  console.log(`\n${users} people, ${seconds} s per phase, ${runs} runs, data in ${workDir}.`);
}

main().catch((err: unknown) => {
  console.error(`bench writes FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
