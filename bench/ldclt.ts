// Drives 389-ds-base's ldclt against a target and parses its report.
//
// ldclt facts this relies on (checked against ldclt 4.23 and its source):
// - It reports every 10 s ("Average rate: R/thr (S/sec), total: T") and only at
//   those sample points: -N <samples> bounds the run, and an interrupted run
//   reports nothing, so durations are whole multiples of 10 s.
// - "-e esearch,random -f uid=userXXXXX -r lo -R hi": each search replaces the
//   X run with a zero-padded random number in [lo, hi]; attributes: all user
//   attributes (attrsonly=0, no attrlist). One connection and one bind per thread.
// - "-e bindeach,bindonly,randombinddn,randombinddnlow=lo,randombinddnhigh=hi"
//   with "-D uid=userXXXXX,... -w passXXXXX": the same random number fills both
//   the DN and the password. bindeach means every operation is a new TCP
//   connection + simple bind + unbind (ldclt closes the previous one first).
// - Errors a thread does not ignore (-I) kill that thread; ignored ones are
//   still counted in "Global error N (text) occurs K times".
// - Random numbers come from lrand48() without a seed, so every run (and both
//   servers) sees the same key sequence.
import { writeFileSync } from 'fs';
import { join } from 'path';
import { Target } from './checks';
import { GROUPS_DN, PEOPLE_DN } from './ldif';
import { BenchError, cpuSeconds, log, machineBusySeconds, run } from './proc';

const LDCLT = '/usr/bin/ldclt';
export const SAMPLE_SECONDS = 10;

/**
 * coldSearch: uid searches right after the database files were dropped from the page cache (no warm-up);
 * bind: cold binds, each a bcrypt verify (Cairn's verified-credential cache off); rebind: the same few people
 * binding again and again (sssd, a Wi-Fi controller, an application's pool), Cairn's cache on.
 */
export type Kind = 'coldSearch' | 'search' | 'memberUid' | 'member' | 'bind' | 'rebind';
/** The measurements in the order they are reported. */
export const KINDS: readonly Kind[] = ['search', 'coldSearch', 'memberUid', 'member', 'bind', 'rebind'];
type BindKind = 'bind' | 'rebind';
const isBind = (kind: Kind): kind is BindKind => kind === 'bind' || kind === 'rebind';
export const REPEATED_BINDERS = 4;

/** What each kind of search asks (XXXXX: ldclt's random user number). */
function searchOf(kind: Exclude<Kind, BindKind>, x: string): { base: string; filter: string } {
  if (kind === 'memberUid') return { base: GROUPS_DN, filter: `(&(objectClass=posixGroup)(memberUid=user${x}))` };
  if (kind === 'member') return { base: GROUPS_DN, filter: `(&(objectClass=groupOfNames)(member=uid=user${x},${PEOPLE_DN}))` };
  return { base: PEOPLE_DN, filter: `uid=user${x}` };
}

export interface LoadSpec {
  kind: Kind;
  threads: number;
  users: number;
  digits: number;
  /** People 0..bcryptPeople-1 have bcrypt hashes: the binds pick among them. */
  bcryptPeople: number;
}

export interface ParsedLdclt {
  total: number;
  sampleTotals: number[];
  errors: { code: number; text: string; count: number }[];
  deadThreads: number;
  exitStatus: number | undefined;
  exitText: string;
}

export interface Measurement {
  kind: Kind;
  server: string;
  threads: number;
  samples: number;
  /** ldclt's measured window: samples x 10 s. */
  seconds: number;
  ops: number;
  opsPerSec: number;
  /** Min and max of the per-10 s sample rates. */
  sampleOpsPerSec: number[];
  errors: ParsedLdclt['errors'];
  errorCount: number;
  deadThreads: number;
  exitStatus: number | undefined;
  exitText: string;
  wallSeconds: number;
  serverCpuSeconds: number;
  /** Server CPU seconds per wall second (1.0 = one core busy). */
  serverCores: number;
  opsPerServerCpuSecond: number;
  ldcltCpuSeconds: number | undefined;
  /** Whole-machine busy CPU seconds in the window, and what was neither the server nor ldclt. */
  machineCpuSeconds: number;
  otherCpuSeconds: number;
  command: string;
  valid: boolean;
  problems: string[];
}

export function ldcltArgs(target: Target, spec: LoadSpec): string[] {
  const x = 'X'.repeat(spec.digits);
  const common = ['-h', target.host, '-p', String(target.port), '-n', String(spec.threads), '-q'];
  if (!isBind(spec.kind)) {
    const { base, filter } = searchOf(spec.kind, x);
    return [
      ...common,
      '-D',
      target.searchBindDn,
      '-w',
      target.searchBindPassword,
      '-b',
      base,
      '-s',
      'subtree',
      '-e',
      'esearch,random',
      '-f',
      filter,
      '-r',
      '0',
      '-R',
      String(spec.users - 1),
      '-I',
      '32',
    ];
  }
  return [
    ...common,
    '-D',
    `uid=user${x},${PEOPLE_DN}`,
    '-w',
    `pass${x}`,
    '-e',
    `bindeach,bindonly,randombinddn,randombinddnlow=0,randombinddnhigh=${(spec.kind === 'rebind' ? Math.min(REPEATED_BINDERS, spec.bcryptPeople) : spec.bcryptPeople) - 1}`,
  ];
}

export function parseLdclt(output: string): ParsedLdclt {
  const sampleTotals: number[] = [];
  let total: number | undefined;
  const errors: ParsedLdclt['errors'] = [];
  // ldclt's threads may die as it stops after its last sample ("Number of samples achieved", then "Tnnn:
  // thread is dead"): that is its shutdown. Only a thread that died before that counts against a measurement.
  let stopping = false;
  let diedBeforeStop = 0;
  let globalDead: number | undefined;
  let exitStatus: number | undefined;
  let exitText = '';
  for (const line of output.split('\n')) {
    if (/Number of samples achieved/.test(line)) stopping = true;
    if (!stopping && /T\d+: thread is dead/.test(line)) diedBeforeStop++;
    let m = /Global average rate:.*total:\s*(\d+)/.exec(line);
    if (m) {
      total = Number(m[1]);
      continue;
    }
    m = /Average rate:.*total:\s*(\d+)/.exec(line);
    if (m) {
      sampleTotals.push(Number(m[1]));
      continue;
    }
    m = /Global error (\d+) \((.*)\) occurs\s+(\d+) times/.exec(line);
    if (m) {
      errors.push({ code: Number(m[1]), text: m[2], count: Number(m[3]) });
      continue;
    }
    m = /Global number of dead threads:\s*(\d+)/.exec(line);
    if (m) {
      globalDead = Number(m[1]);
      continue;
    }
    m = /Exit status (\d+) - (.*)$/.exec(line);
    if (m) {
      exitStatus = Number(m[1]);
      exitText = m[2].trim();
    }
  }
  if (total === undefined) {
    throw new BenchError(`could not find "Global average rate ... total:" in ldclt output:\n${output.slice(-3000)}`);
  }
  const deadThreads = stopping ? diedBeforeStop : (globalDead ?? diedBeforeStop);
  return { total, sampleTotals, errors, deadThreads, exitStatus, exitText };
}

/** Parses bash's `times` output: the second line is the children's user and system time. */
function parseTimes(stderr: string): number | undefined {
  const lines = stderr.trim().split('\n').slice(-2);
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines[1]?.trim() ?? '');
  if (!m) return undefined;
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Warms up for `warmupSeconds`, then measures `samples` x 10 s with ldclt. */
export async function measure(target: Target, spec: LoadSpec, samples: number, warmupSeconds: number, logDir: string): Promise<Measurement> {
  const warmArgs = ldcltArgs(target, spec);
  const args = [...warmArgs, '-N', String(samples)];
  const command = [LDCLT, ...args].map(shellQuote).join(' ');
  const tag = `${target.name}${target.label === target.name ? '' : `-${target.label.replace(/\W+/g, '')}`}-${spec.kind}`;

  if (warmupSeconds > 0) {
    log(`${target.label}: ${spec.kind} warm-up ${warmupSeconds} s`);
    await run(LDCLT, warmArgs, { timeoutMs: warmupSeconds * 1000 + 15000, interruptAfterMs: warmupSeconds * 1000 });
    const dead = target.deadReason();
    if (dead) throw new BenchError(`${target.label} died during the ${spec.kind} warm-up: ${dead}`);
  }

  log(`${target.label}: ${spec.kind} x ${spec.threads} threads for ${samples * SAMPLE_SECONDS} s: ${command}`);
  const cpu0 = cpuSeconds(target.pid);
  const machine0 = machineBusySeconds();
  const t0 = process.hrtime.bigint();
  // bash's `times` reports the CPU ldclt used (the load generator shares the machine).
  const result = await run('/bin/bash', ['-c', 'ldclt "$@"; rc=$?; times >&2; exit $rc', 'ldclt', ...args], {
    timeoutMs: (samples * SAMPLE_SECONDS + 90) * 1000,
  });
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu1 = cpuSeconds(target.pid);
  const machine1 = machineBusySeconds();
  writeFileSync(join(logDir, `ldclt-${tag}.log`), `$ ${command}\n${result.stdout}${result.stderr}`);
  if (result.timedOut) throw new BenchError(`ldclt against ${target.label} did not finish in time\n${result.stdout}`);

  const parsed = parseLdclt(result.stdout);
  const seconds = samples * SAMPLE_SECONDS;
  const serverCpuSeconds = cpu1 - cpu0;
  const ldcltCpuSeconds = parseTimes(result.stderr);
  const errorCount = parsed.errors.reduce((n, e) => n + e.count, 0);
  const problems: string[] = [];
  if (errorCount > 0) {
    problems.push(`${errorCount} LDAP errors (${parsed.errors.map((e) => `${e.code} ${e.text} x${e.count}`).join(', ')})`);
  }
  if (parsed.deadThreads > 0) problems.push(`${parsed.deadThreads} ldclt threads died`);
  if (parsed.exitStatus !== 0) problems.push(`ldclt exit status ${parsed.exitStatus ?? '?'} (${parsed.exitText})`);
  if (parsed.total === 0) problems.push('no successful operations');
  if (parsed.sampleTotals.length !== samples) {
    problems.push(`expected ${samples} samples, ldclt reported ${parsed.sampleTotals.length}`);
  }
  const dead = target.deadReason();
  if (dead) problems.push(`server died: ${dead}`);
  return {
    kind: spec.kind,
    server: target.label,
    threads: spec.threads,
    samples,
    seconds,
    ops: parsed.total,
    opsPerSec: parsed.total / seconds,
    sampleOpsPerSec: parsed.sampleTotals.map((t) => t / SAMPLE_SECONDS),
    errors: parsed.errors,
    errorCount,
    deadThreads: parsed.deadThreads,
    exitStatus: parsed.exitStatus,
    exitText: parsed.exitText,
    wallSeconds,
    serverCpuSeconds,
    serverCores: serverCpuSeconds / wallSeconds,
    opsPerServerCpuSecond: serverCpuSeconds > 0 ? parsed.total / serverCpuSeconds : 0,
    ldcltCpuSeconds,
    machineCpuSeconds: machine1 - machine0,
    otherCpuSeconds: Math.max(0, machine1 - machine0 - serverCpuSeconds - (ldcltCpuSeconds ?? 0)),
    command,
    valid: problems.length === 0,
    problems,
  };
}
