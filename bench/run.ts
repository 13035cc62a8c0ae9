// `npm run bench`: Cairn vs OpenLDAP slapd under ldclt load.
// Progress goes to stderr, the result table to stdout, JSON to the work folder
// (.bench/<timestamp>/results.json, which is kept; databases and LDIF are
// removed unless --keep or the run failed).
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
import { cairnAvailable, prepareCairn, startCairn } from './cairn';
import { KINDS, measure, Measurement, SAMPLE_SECONDS } from './ldclt';
import { digitsFor, generateLdif, groupsFor, GROUPS_DN, passwordOf, PEOPLE_DN, uidOf, userDn } from './ldif';
import { BenchError, installSignalHandlers, interruptedBy, killAllChildren, log, run } from './proc';
import { startSlapd } from './slapd';
import { renderSizes, renderTable } from './report';
import { measureSizes, type SizeMeasure } from './sizes';

interface Options {
  users: number;
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

function parseOptions(argv: string[]): Options {
  const program = new Command()
    .name('bench')
    .description('Measure Cairn against OpenLDAP slapd with ldclt (loopback only)')
    .option('--users <n>', 'users to generate', positiveInt('--users', 2), 10000)
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
  const o = program.opts<{ users: number; threads: number; seconds: number; warmup: number; only?: 'cairn' | 'slapd'; keep: boolean; cairnLog: string }>();
  const cairnLog = o.cairnLog
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (s === 'default' ? undefined : s));
  if (cairnLog.length === 0) cairnLog.push('warn');
  return { users: o.users, threads: o.threads, seconds: o.seconds, warmup: o.warmup, only: o.only, keep: o.keep, cairnLog };
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

/** Sanity checks, then the search and bind measurements for one running server. */
async function benchTarget(target: Target, opts: Options, workDir: string, sink: Measurement[], sizes: SizeMeasure[]): Promise<void> {
  const digits = digitsFor(opts.users);
  const probes = [0, Math.floor(opts.users / 2), opts.users - 1];
  let attrs: string[] = [];
  for (const i of probes) {
    attrs = await assertSearch(target, PEOPLE_DN, `(uid=${uidOf(i, digits)})`, 1, 'uid');
  }
  await assertSearch(target, PEOPLE_DN, `(uid=user${'9'.repeat(digits + 1)})`, 0, 'uid');
  target.notes.push(`entry as seen by ${target.searchBindDn}: ${attrs.length} attributes (${attrs.join(' ')})`);
  for (const i of probes) {
    await assertSearch(target, GROUPS_DN, `(&(objectClass=posixGroup)(memberUid=${uidOf(i, digits)}))`, 1, 'memberUid');
    await assertSearch(target, GROUPS_DN, `(&(objectClass=groupOfNames)(member=${userDn(i, digits)}))`, 1, 'member');
  }
  for (const i of [1, opts.users - 1]) await assertBind(target, userDn(i, digits), passwordOf(i, digits));
  log(
    `${target.label}: sanity checks passed (uid searches and both group lookups return 1 entry with attributes; user binds ` +
      'accept the right password and refuse a wrong one)',
  );
  const measured = await measureSizes(target, opts.users);
  log(`${target.label}: ${measured.map((m) => `${m.measure} ${m.value.toFixed(2)}`).join(', ')}`);
  sizes.push(...measured);

  const samples = Math.max(1, Math.ceil(opts.seconds / SAMPLE_SECONDS));
  for (const kind of KINDS) {
    const m = await measure(target, { kind, threads: opts.threads, users: opts.users, digits }, samples, opts.warmup, workDir);
    log(
      `${target.label}: ${kind}: ${m.opsPerSec.toFixed(1)} ops/s, server CPU ${m.serverCpuSeconds.toFixed(1)} s` +
        `${m.valid ? '' : `  INVALID: ${m.problems.join('; ')}`}`,
    );
    sink.push(m);
    const dead = target.deadReason();
    if (dead) throw new BenchError(`${target.label} died during the ${kind} measurement: ${dead}`);
  }
  // Still answering correctly after the load?
  await assertSearch(target, PEOPLE_DN, `(uid=${uidOf(opts.users - 2, digits)})`, 1, 'uid');
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
  };
  log(`work folder ${workDir}`);
  log(
    `machine: ${machine.cpus} CPUs (${machine.cpuModel}), node ${machine.node}, ${machine.slapd}, ${machine.ldclt}; ` + 'ldclt and the server share these CPUs',
  );
  if (opts.seconds % SAMPLE_SECONDS !== 0) {
    log(`note: ldclt reports in ${SAMPLE_SECONDS} s samples; measuring ` + `${Math.ceil(opts.seconds / SAMPLE_SECONDS) * SAMPLE_SECONDS} s per measurement`);
  }

  // Three character classes, as Cairn's default policy asks of a service's password.
  const servicePassword = `Bench-${secret()}`;
  const slapdLdif = join(workDir, 'users-slapd.ldif');
  const cairnLdif = join(workDir, 'users-cairn.ldif');
  const measurements: Measurement[] = [];
  const sizes: SizeMeasure[] = [];
  const servers: { label: string; passwordScheme: string; notes: string[] }[] = [];
  let failure: string | undefined;

  try {
    log(`generating ${opts.users} users and their groups (${groupsFor(opts.users)} posixGroups, as many groupOfNames), the same {SSHA} hashes for both`);
    await generateLdif(opts.users, servicePassword, slapdLdif, cairnLdif);

    if (opts.only !== 'cairn') {
      const slapd = await startSlapd({ workDir, ldifPath: slapdLdif, servicePassword, rootPassword: secret() });
      active.add(slapd);
      try {
        servers.push({ label: slapd.label, passwordScheme: slapd.passwordScheme, notes: slapd.notes });
        await benchTarget(slapd, opts, workDir, measurements, sizes);
      } finally {
        await slapd.stop();
        active.delete(slapd);
      }
    }

    if (opts.only !== 'slapd') {
      if (!cairnAvailable(root)) {
        throw new BenchError(`${join(root, 'bin', 'cairn')} does not exist yet; run with --only slapd, or build the CLI`);
      }
      const data = await prepareCairn(root, workDir, cairnLdif, opts.users, secret(), servicePassword);
      for (const level of opts.cairnLog) {
        const cairn = await startCairn(root, workDir, data, level);
        active.add(cairn);
        try {
          servers.push({ label: cairn.label, passwordScheme: cairn.passwordScheme, notes: cairn.notes });
          await benchTarget(cairn, opts, workDir, measurements, sizes);
        } finally {
          await cairn.stop();
          active.delete(cairn);
        }
      }
    }
  } catch (err) {
    failure = err instanceof Error ? err.message : String(err);
    if (!(err instanceof BenchError) && err instanceof Error && err.stack) log(err.stack);
  } finally {
    const signal = interruptedBy();
    if (signal !== undefined) failure = `interrupted by ${signal}`;
    await Promise.allSettled([...active].map((t) => t.stop()));
    killAllChildren('SIGKILL');
  }

  const invalid = measurements.filter((m) => !m.valid);
  const report = {
    startedAt: stamp,
    options: { ...opts, cairnLog: opts.cairnLog.map((l) => l ?? 'default') },
    machine,
    servers,
    measurements,
    sizes,
    failure,
  };
  const jsonPath = join(workDir, 'results.json');
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);

  if (measurements.length > 0) process.stdout.write(renderTable(measurements, servers, machine.cpus));
  if (sizes.length > 0) process.stdout.write(renderSizes(sizes));

  if (opts.keep || failure !== undefined) {
    log(`work folder kept: ${workDir}`);
  } else {
    // Keep results.json and the ldclt logs; drop the databases and LDIF.
    for (const p of ['slapd', 'cairn', 'users-slapd.ldif', 'users-cairn.ldif']) {
      rmSync(join(workDir, p), { recursive: true, force: true });
    }
  }
  log(`results: ${jsonPath}`);

  if (failure !== undefined) {
    process.stderr.write(`\nbench FAILED: ${failure}\n`);
    const signal = interruptedBy();
    return signal === undefined ? 1 : signal === 'SIGINT' ? 130 : 143;
  }
  if (invalid.length > 0) {
    process.stderr.write(
      `\nbench: ${invalid.length} measurement(s) are not valid: ` + `${invalid.map((m) => `${m.server} ${m.kind}: ${m.problems.join('; ')}`).join(' | ')}\n`,
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
