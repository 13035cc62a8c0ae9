// `npm run bench`: Cairn vs OpenLDAP slapd under ldclt load, at 10,000 and 100,000 people (1,000,000 with
// --million). Progress goes to stderr, the result tables to stdout, JSON to the work folder
// (.bench/<timestamp>/results.json, which is kept; databases and LDIF are removed unless --keep or the run
// failed).
//
//   npm run bench -- --users 10000 --threads 8 --seconds 20
//   node dist/bench/run.js --only slapd --users 10000 --seconds 10
//   node dist/bench/run.js --cairn-log warn,default   (one Cairn run per log level)
//
// Exit status: 0 ok, 1 a server failed to start or a sanity check failed,
// 2 a measurement had LDAP errors or dead ldclt threads, 130/143 interrupted.
import { Command, InvalidArgumentError } from 'commander';
import { randomBytes } from 'crypto';
import { cpus } from 'os';
import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { join, resolve } from 'path';
import { assertBind, assertSearch, Target } from './checks';
import { bcryptHashes, bcryptLimit, bcryptPeople } from './bcrypt-pool';
import { measureStorm } from './bind-storm';
import { cairnAvailable, prepareCairn, startCairn } from './cairn';
import { Kind, measure, SAMPLE_SECONDS } from './ldclt';
import { digitsFor, generateLdif, groupsFor, GROUPS_DN, passwordOf, PEOPLE_DN, uidOf, userDn } from './ldif';
import { cachedDatabaseBytes, dropFromPageCache } from './page-cache';
import { BenchError, installSignalHandlers, interruptedBy, killAllChildren, log, run } from './proc';
import { startSlapd } from './slapd';
import { renderSizeRun, type ServerInfo, type SizeRun } from './report';
import { enumeration, loadAndMemory } from './sizes';

interface Options {
  users: number[];
  threads: number;
  seconds: number;
  warmup: number;
  only?: 'cairn' | 'slapd';
  keep: boolean;
  cairnLog: (string | undefined)[];
}

function positiveInt(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

function userCounts(value: string): number[] {
  return value.split(',').map((v) => positiveInt('--users', 2)(v.trim()));
}

function parseOptions(argv: string[]): Options {
  const program = new Command()
    .name('bench')
    .description('Measure Cairn against OpenLDAP slapd with ldclt (loopback only)')
    .option('--users <n,...>', 'directory sizes to measure, one after the other', userCounts, [10000, 100000])
    .option('--million', 'also measure 1,000,000 people (about an hour)', false)
    .option('--threads <t>', 'ldclt threads (-n)', positiveInt('--threads', 1), 8)
    .option('--seconds <s>', `seconds per measurement (rounded up to ldclt's ${SAMPLE_SECONDS} s samples)`, positiveInt('--seconds', 1), 20)
    .option('--warmup <s>', 'warm-up seconds before each measurement', positiveInt('--warmup', 0), 3)
    .option('--only <server>', 'run only one server: cairn or slapd', (v: string) => {
      if (v !== 'cairn' && v !== 'slapd') throw new InvalidArgumentError('--only must be cairn or slapd');
      return v;
    })
    .option('--cairn-log <levels>', 'comma-separated CAIRN_LOG_LEVEL values, one Cairn run each ("default" = unset)', 'warn,default')
    .option('--keep', 'keep the work folder (databases, LDIF, logs)', false)
    .allowExcessArguments(false);
  program.parse(argv);
  const o = program.opts<{
    users: number[];
    million: boolean;
    threads: number;
    seconds: number;
    warmup: number;
    only?: 'cairn' | 'slapd';
    keep: boolean;
    cairnLog: string;
  }>();
  const cairnLog = o.cairnLog
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (s === 'default' ? undefined : s));
  if (cairnLog.length === 0) cairnLog.push('warn');
  const users = [...new Set([...o.users, ...(o.million ? [1000000] : [])])];
  return { users, threads: o.threads, seconds: o.seconds, warmup: o.warmup, only: o.only, keep: o.keep, cairnLog };
}

function secret(): string {
  return randomBytes(12).toString('hex');
}

async function toolVersion(cmd: string, args: string[]): Promise<string> {
  try {
    const r = await run(cmd, args, { timeoutMs: 10000 });
    const m = /(OpenLDAP: slapd [^\s$]+|ldclt version [\d.]+)/.exec(`${r.stdout}\n${r.stderr}`);
    return m ? m[1] : 'unknown';
  } catch {
    return 'unknown';
  }
}

interface SizeContext {
  opts: Options;
  users: number;
  digits: number;
  bcryptPeople: number;
  workDir: string;
  result: SizeRun;
}

async function measureKind(target: Target, ctx: SizeContext, kind: Kind, warmup: number): Promise<void> {
  const spec = { kind, threads: ctx.opts.threads, users: ctx.users, digits: ctx.digits, bcryptPeople: ctx.bcryptPeople };
  const samples = Math.max(1, Math.ceil(ctx.opts.seconds / SAMPLE_SECONDS));
  const m = await measure(target, spec, samples, warmup, ctx.workDir);
  log(
    `${target.label}: ${kind}: ${m.opsPerSec.toFixed(1)} ops/s, server CPU ${m.serverCpuSeconds.toFixed(1)} s` +
      `${m.valid ? '' : `  INVALID: ${m.problems.join('; ')}`}`,
  );
  ctx.result.measurements.push(m);
  const dead = target.deadReason();
  if (dead) throw new BenchError(`${target.label} died during the ${kind} measurement: ${dead}`);
}

/** Each lookup returns its one entry, with attributes; a person of the bcrypt pool and one with {SSHA} can bind. */
async function sanityChecks(target: Target, ctx: SizeContext): Promise<void> {
  const { users, digits } = ctx;
  const probes = [0, Math.floor(users / 2), users - 1];
  let attrs: string[] = [];
  for (const i of probes) attrs = await assertSearch(target, PEOPLE_DN, `(uid=${uidOf(i, digits)})`, 1, 'uid');
  await assertSearch(target, PEOPLE_DN, `(uid=user${'9'.repeat(digits + 1)})`, 0, 'uid');
  target.notes.push(`entry as seen by ${target.searchBindDn}: ${attrs.length} attributes (${attrs.join(' ')})`);
  for (const i of probes) {
    await assertSearch(target, GROUPS_DN, `(&(objectClass=posixGroup)(memberUid=${uidOf(i, digits)}))`, 1, 'memberUid');
    await assertSearch(target, GROUPS_DN, `(&(objectClass=groupOfNames)(member=${userDn(i, digits)}))`, 1, 'member');
  }
  for (const i of [...new Set([ctx.bcryptPeople - 1, users - 1])]) await assertBind(target, userDn(i, digits), passwordOf(i, digits));
  log(
    `${target.label}: sanity checks passed (uid searches and both group lookups return 1 entry with attributes; user binds ` +
      'accept the right password and refuse a wrong one)',
  );
}

/**
 * Every measure of one running server, in an order that keeps them apart: memory before any search, the cold
 * searches first (the database left the page cache before the server started; the sanity checks read a few
 * pages), then the warm ones, the binds and the storm.
 * Cairn's cold binds run on a server of their own, without the bind cache (coldBinds).
 */
async function benchTarget(target: Target, ctx: SizeContext): Promise<void> {
  await sanityChecks(target, ctx);
  const sizes = loadAndMemory(target);
  const cached = await cachedDatabaseBytes(target.data.dir);
  target.notes.push(`cold searches: ${(cached / 1024 / 1024).toFixed(1)} MB of the database in the page cache when they began`);
  await measureKind(target, ctx, 'coldSearch', 0);
  sizes.push(await enumeration(target, ctx.users));
  log(`${target.label}: ${sizes.map((m) => `${m.measure} ${m.value.toFixed(2)}`).join(', ')}`);
  ctx.result.sizes.push(...sizes);
  const kinds: Kind[] = ['search', 'memberUid', 'member', 'rebind', ...(target.name === 'slapd' ? (['bind'] as const) : [])];
  for (const kind of kinds) await measureKind(target, ctx, kind, ctx.opts.warmup);
  log(`${target.label}: searches while ${ctx.opts.seconds} s of binds storm`);
  const storm = await measureStorm(target, ctx.users, ctx.digits, ctx.bcryptPeople, ctx.opts.seconds);
  log(`${target.label}: storm: search p50 ${storm.p50Ms.toFixed(2)} ms, p99 ${storm.p99Ms.toFixed(2)} ms, ${storm.bindsPerSec.toFixed(1)} binds/s`);
  ctx.result.storms.push(storm);
  // Still answering correctly after the load?
  await assertSearch(target, PEOPLE_DN, `(uid=${uidOf(ctx.users - 2, ctx.digits)})`, 1, 'uid');
}

async function coldBinds(target: Target, ctx: SizeContext): Promise<void> {
  await assertBind(target, userDn(1, ctx.digits), passwordOf(1, ctx.digits));
  await measureKind(target, ctx, 'bind', ctx.opts.warmup);
}

async function benchSize(root: string, ctx: SizeContext, servicePassword: string, active: Set<Target>): Promise<void> {
  const { opts, users, digits, workDir, result } = ctx;
  const track = async (target: Target, info: ServerInfo, work: (t: Target) => Promise<void>): Promise<void> => {
    active.add(target);
    try {
      result.servers.push(info);
      await work(target);
    } finally {
      await target.stop();
      active.delete(target);
    }
  };
  const passwords = Array.from({ length: ctx.bcryptPeople }, (_, i) => passwordOf(i, digits));
  const bcrypt = await bcryptHashes(passwords, join(root, '.bench', 'bcrypt-cost10.json'));
  const slapdLdif = join(workDir, 'users-slapd.ldif');
  const cairnLdif = join(workDir, 'users-cairn.ldif');
  log(`generating ${users} people (${ctx.bcryptPeople} with bcrypt, the rest {SSHA}) and ${groupsFor(users)} groups of each kind`);
  await generateLdif(users, servicePassword, slapdLdif, cairnLdif, bcrypt);

  if (opts.only !== 'cairn') {
    const slapd = await startSlapd({
      workDir,
      ldifPath: slapdLdif,
      servicePassword,
      rootPassword: secret(),
      beforeStart: async (dir) => void (await dropFromPageCache('slapd', dir)),
    });
    await track(slapd, { label: slapd.label, passwordScheme: slapd.passwordScheme, notes: slapd.notes }, (t) => benchTarget(t, ctx));
  }
  if (opts.only !== 'slapd') {
    if (!cairnAvailable(root)) throw new BenchError(`${join(root, 'bin', 'cairn')} does not exist yet; run with --only slapd, or build the CLI`);
    const data = await prepareCairn(root, workDir, cairnLdif, users, secret(), servicePassword);
    for (const level of opts.cairnLog) {
      await dropFromPageCache('cairn', data.dataDir);
      const cairn = await startCairn(root, workDir, data, level);
      await track(cairn, { label: cairn.label, passwordScheme: cairn.passwordScheme, notes: cairn.notes }, (t) => benchTarget(t, ctx));
    }
    const cold = await startCairn(root, workDir, data, 'warn', 'off');
    await track(cold, { label: cold.label, passwordScheme: cold.passwordScheme, notes: cold.notes }, (t) => coldBinds(t, ctx));
  }
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv);
  const root = resolve(__dirname, '..', '..');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const workDir = join(root, '.bench', stamp);
  mkdirSync(workDir, { recursive: true });

  const active = new Set<Target>();
  installSignalHandlers();

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    slapd: await toolVersion('/usr/sbin/slapd', ['-VV']),
    ldclt: await toolVersion('/usr/bin/ldclt', ['-e', 'nosuchoption']),
    bcrypt: await bcryptLimit(),
  };
  log(`work folder ${workDir}`);
  log(
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}, ${machine.slapd}, ${machine.ldclt}; ` +
      `Cairn's bcrypt cost 10: ${machine.bcrypt.perSecond.toFixed(1)} verifies/s on all cores (${machine.bcrypt.verifyMs.toFixed(1)} ms each); ldclt and the server share these CPUs`,
  );
  if (opts.seconds % SAMPLE_SECONDS !== 0) {
    log(`note: ldclt reports in ${SAMPLE_SECONDS} s samples; measuring ` + `${Math.ceil(opts.seconds / SAMPLE_SECONDS) * SAMPLE_SECONDS} s per measurement`);
  }

  // Three character classes, as Cairn's default policy asks of a service's password.
  const servicePassword = `Bench-${secret()}`;
  const runs: SizeRun[] = [];
  let failure: string | undefined;
  for (const users of opts.users) {
    const sizeDir = join(workDir, `people-${users}`);
    mkdirSync(sizeDir, { recursive: true });
    const result: SizeRun = { users, bcryptPeople: bcryptPeople(users), measurements: [], sizes: [], storms: [], servers: [] };
    runs.push(result);
    const ctx: SizeContext = { opts, users, digits: digitsFor(users), bcryptPeople: result.bcryptPeople, workDir: sizeDir, result };
    log(`=== ${users} people ===`);
    try {
      await benchSize(root, ctx, servicePassword, active);
    } catch (err) {
      failure = `${users} people: ${err instanceof Error ? err.message : String(err)}`;
      if (!(err instanceof BenchError) && err instanceof Error && err.stack) log(err.stack);
    } finally {
      const signal = interruptedBy();
      if (signal !== undefined) failure = `interrupted by ${signal}`;
      await Promise.allSettled([...active].map((t) => t.stop()));
      killAllChildren('SIGKILL');
    }
    if (!opts.keep && failure === undefined) {
      // Keep the ldclt logs; drop the databases and LDIF.
      for (const p of ['slapd', 'cairn', 'users-slapd.ldif', 'users-cairn.ldif']) rmSync(join(sizeDir, p), { recursive: true, force: true });
    }
    if (failure !== undefined) break;
  }

  const report = { startedAt: stamp, options: { ...opts, cairnLog: opts.cairnLog.map((l) => l ?? 'default') }, machine, runs, failure };
  const jsonPath = join(workDir, 'results.json');
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  for (const r of runs) process.stdout.write(renderSizeRun(r, machine));
  if (opts.keep || failure !== undefined) log(`work folder kept: ${workDir}`);
  log(`results: ${jsonPath}`);

  const invalid = runs.flatMap((r) => r.measurements.filter((m) => !m.valid).map((m) => ({ users: r.users, m })));
  if (failure !== undefined) {
    process.stderr.write(`\nbench FAILED: ${failure}\n`);
    const signal = interruptedBy();
    return signal === undefined ? 1 : signal === 'SIGINT' ? 130 : 143;
  }
  if (invalid.length > 0) {
    process.stderr.write(
      `\nbench: ${invalid.length} measurement(s) are not valid: ` +
        `${invalid.map(({ users, m }) => `${users} people, ${m.server} ${m.kind}: ${m.problems.join('; ')}`).join(' | ')}\n`,
    );
    return 2;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAllChildren('SIGKILL');
    process.exit(1);
  },
);
