// The human-readable result tables (stdout), one set per directory size.
import type { StormMeasure } from './bind-storm';
import { Kind, KINDS, Measurement, REPEATED_BINDERS } from './ldclt';
import type { SizeMeasure } from './sizes';

export interface ServerInfo {
  label: string;
  passwordScheme: string;
  notes: string[];
}

/** Everything measured at one directory size. */
export interface SizeRun {
  users: number;
  bcryptPeople: number;
  measurements: Measurement[];
  sizes: SizeMeasure[];
  storms: StormMeasure[];
  servers: ServerInfo[];
}

const KIND_LABEL: Record<Kind, string> = {
  search: 'uid= search',
  coldSearch: 'uid= search, cold page cache',
  memberUid: 'posixGroup memberUid=',
  member: 'groupOfNames member=DN',
  bind: 'cold bind (bcrypt-10)',
  rebind: `repeated bind (${REPEATED_BINDERS} people)`,
};

function pad(s: string, width: number, right = false): string {
  return right ? s.padStart(width) : s.padEnd(width);
}

function num(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function renderTable(ms: Measurement[], servers: ServerInfo[], cpuCount: number): string {
  const first = ms[0];
  const lines: string[] = [];
  lines.push('');
  lines.push(
    `ldclt ${first.threads} threads, ${first.seconds} s per measurement; ${cpuCount} CPUs shared by the server ` + 'and ldclt; servers measured one at a time',
  );
  const header = [
    'measurement',
    'server',
    'ops/s',
    'vs slapd',
    'min..max ops/s (10 s)',
    'srv CPU-s',
    'srv cores',
    'ops/srv-CPU-s',
    'ldclt CPU-s',
    'other CPU-s',
    'errors',
  ];
  const rows: string[][] = [];
  for (const kind of KINDS) {
    const ofKind = ms.filter((m) => m.kind === kind);
    const slapd = ofKind.find((m) => m.server === 'slapd');
    ofKind.forEach((m, i) => {
      const min = Math.min(...m.sampleOpsPerSec);
      const max = Math.max(...m.sampleOpsPerSec);
      rows.push([
        i === 0 ? KIND_LABEL[kind] : '',
        m.server,
        num(m.opsPerSec),
        slapd && slapd.opsPerSec > 0 ? `${(m.opsPerSec / slapd.opsPerSec).toFixed(3)}x` : '-',
        m.sampleOpsPerSec.length > 0 ? `${num(min, 0)}..${num(max, 0)}` : '-',
        num(m.serverCpuSeconds),
        num(m.serverCores, 2),
        num(m.opsPerServerCpuSecond, 0),
        m.ldcltCpuSeconds === undefined ? '?' : num(m.ldcltCpuSeconds),
        num(m.otherCpuSeconds),
        m.valid ? String(m.errorCount) : `${m.errorCount} INVALID`,
      ]);
    });
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = (c: number): boolean => c >= 2;
  const fmt = (r: string[]): string => r.map((cell, c) => pad(cell, widths[c], numeric(c))).join('  ');
  lines.push('');
  lines.push(fmt(header));
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) lines.push(fmt(r));
  lines.push('');
  lines.push(
    'uid= search: ldclt -e esearch,random, filter (uid=userNNNNN) over all users, subtree under ou=people, ' +
      'all attributes; one connection and one bind per thread. cold page cache: the first measurement after the ' +
      "server started and its database files were dropped from the kernel's page cache (no warm-up).",
  );
  lines.push(
    'cold bind: ldclt -e bindeach,bindonly,randombinddn: each op = new TCP connection + simple bind as a ' +
      'random person of the bcrypt pool with the real password + unbind; both servers verify the same {CRYPT}$2b$10$ hash ' +
      '(slapd with libxcrypt, Cairn with its own bcrypt and its verified-credential cache off).',
  );
  lines.push(
    `repeated bind: the same, as ${REPEATED_BINDERS} people binding again and again (sssd, a Wi-Fi controller re-authenticating); ` +
      "slapd verifies bcrypt every time, Cairn's verified-credential cache answers after each person's first bind (in the warm-up).",
  );
  lines.push('vs slapd = ops/s relative to slapd; srv cores = server CPU-seconds per wall second; ' + 'ops/srv-CPU-s = operations per server CPU-second.');
  lines.push(
    'other CPU-s = machine-wide busy CPU-seconds that were neither the server nor ldclt (other processes); ' +
      'the machine has ' +
      `${cpuCount} CPUs x ${first.seconds} s = ${cpuCount * first.seconds} CPU-s per measurement.`,
  );
  const noisy = ms.filter((m) => m.otherCpuSeconds / m.wallSeconds > 0.25);
  if (noisy.length > 0) {
    lines.push(
      `WARNING: the machine was not idle during ${noisy.map((m) => `${m.server} ${m.kind}`).join(', ')} ` +
        '(other processes used > 0.25 core on average); treat those numbers as noisy and re-run on a quiet machine.',
    );
  }
  for (const s of servers) lines.push(`${s.label}: passwords ${s.passwordScheme}; ${s.notes.join('; ')}`);
  for (const m of ms.filter((x) => !x.valid)) lines.push(`INVALID ${m.server} ${m.kind}: ${m.problems.join('; ')}`);
  lines.push('');
  return lines.join('\n');
}

/** The once-per-server measures (sizes.ts), each server against slapd: lower is better for every one. */
function renderSizes(ms: SizeMeasure[]): string {
  const header = ['measurement', 'server', 'value', 'vs slapd'];
  const rows: string[][] = [];
  for (const measure of [...new Set(ms.map((m) => m.measure))]) {
    const ofMeasure = ms.filter((m) => m.measure === measure);
    const slapd = ofMeasure.find((m) => m.server === 'slapd');
    ofMeasure.forEach((m, i) =>
      rows.push([i === 0 ? measure : '', m.server, num(m.value, 2), slapd && slapd.value > 0 ? `${(m.value / slapd.value).toFixed(2)}x` : '-']),
    );
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const fmt = (r: string[]): string => r.map((cell, c) => pad(cell, widths[c], c >= 2)).join('  ');
  return [
    '',
    fmt(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(fmt),
    '',
    'load: slapadd for slapd, cairn import for Cairn, and its peak RSS. memory: the server and its workers right after start, RSS summed ' +
      "(Node's shared code counted once per process) and PSS (each shared page counted once). " +
      'paged enumeration: ldapsearch -E pr=500 (objectClass=posixAccount) under ou=people, all attributes, best of 3. ' +
      'vs slapd: times slapd (lower is better).',
    '',
  ].join('\n');
}

function renderStorms(storms: StormMeasure[]): string {
  if (storms.length === 0) return '';
  const header = ['server', 'searches', 'failed', 'p50 ms', 'p99 ms', 'vs slapd p99', 'max ms', 'binds/s', 'failed binds'];
  const slapd = storms.find((s) => s.server === 'slapd');
  const rows = storms.map((s) => [
    s.server,
    String(s.searches),
    String(s.failedSearches),
    num(s.p50Ms, 2),
    num(s.p99Ms, 2),
    slapd && slapd.p99Ms > 0 ? `${(s.p99Ms / slapd.p99Ms).toFixed(3)}x` : '-',
    num(s.maxMs, 1),
    num(s.bindsPerSec, 1),
    String(s.failedBinds),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const fmt = (r: string[]): string => r.map((cell, c) => pad(cell, widths[c], c >= 1)).join('  ');
  const first = storms[0];
  return [
    '',
    `search latency during a bind storm: one connection searches uid= in a loop while ${first.connections} connections bind in a loop ` +
      `as random people of the bcrypt pool, ${first.seconds} s`,
    '',
    fmt(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(fmt),
    '',
  ].join('\n');
}

/** The targets that are ratios within Cairn: its default log level against warn, and cold binds against the hash limit. */
function renderCairnRatios(ms: Measurement[], cpuCount: number, bcrypt: { perSecond: number; verifyMs: number }): string {
  const lines: string[] = [''];
  const at = (server: string, kind: Kind) => ms.find((m) => m.server === server && m.kind === kind);
  const info = 'cairn[log=default]';
  const warn = 'cairn[log=warn]';
  const logged = (['search', 'memberUid', 'member'] as const).flatMap((kind) => {
    const a = at(info, kind);
    const b = at(warn, kind);
    return a && b && b.opsPerSec > 0 ? [`${KIND_LABEL[kind]} ${(a.opsPerSec / b.opsPerSec).toFixed(3)}x`] : [];
  });
  if (logged.length > 0) lines.push(`Cairn at its default log level (info, one JSON line per operation) against warn: ${logged.join(', ')}`);
  const limit = bcrypt.perSecond;
  const cold = ms.find((m) => m.kind === 'bind' && m.server.startsWith('cairn'));
  lines.push(
    `hash limit: Cairn's bcrypt cost 10, one thread per core on all ${cpuCount} cores, verifies ${limit.toFixed(1)}/s ` +
      `(${bcrypt.verifyMs.toFixed(1)} ms each)` +
      (cold ? `; Cairn's cold binds ${cold.opsPerSec.toFixed(1)}/s = ${(cold.opsPerSec / limit).toFixed(3)}x the limit` : ''),
  );
  lines.push('');
  return lines.join('\n');
}

export function renderSizeRun(run: SizeRun, machine: { cpus: number; bcrypt: { perSecond: number; verifyMs: number } }): string {
  const title = `${run.users.toLocaleString('en-US')} people (${run.bcryptPeople.toLocaleString('en-US')} of them with bcrypt hashes)`;
  return [
    '',
    `=== ${title} ${'='.repeat(Math.max(3, 100 - title.length))}`,
    run.measurements.length > 0 ? renderTable(run.measurements, run.servers, machine.cpus) : '',
    renderStorms(run.storms),
    run.sizes.length > 0 ? renderSizes(run.sizes) : '',
    renderCairnRatios(run.measurements, machine.cpus, machine.bcrypt),
  ].join('');
}
