// The human-readable result table (stdout).
import { isBind, Kind, KINDS, Measurement, REPEATED_BINDERS } from './ldclt';
import type { SizeMeasure } from './sizes';

const KIND_LABEL: Record<Kind, string> = {
  search: 'uid= search',
  memberUid: 'posixGroup memberUid=',
  member: 'groupOfNames member=DN',
  bind: 'simple bind',
  rebind: `repeated bind (${REPEATED_BINDERS} people)`,
};

function pad(s: string, width: number, right = false): string {
  return right ? s.padStart(width) : s.padEnd(width);
}

function num(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function renderTable(ms: Measurement[], servers: { label: string; passwordScheme: string; notes: string[] }[], cpuCount: number): string {
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
      const scheme = isBind(kind) ? ` (${servers.find((s) => s.label === m.server)?.passwordScheme ?? '?'})` : '';
      const min = Math.min(...m.sampleOpsPerSec);
      const max = Math.max(...m.sampleOpsPerSec);
      rows.push([
        i === 0 ? KIND_LABEL[kind] : '',
        `${m.server}${scheme}`,
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
      'all attributes; one connection and one bind per thread.',
  );
  lines.push(
    'simple bind: ldclt -e bindeach,bindonly,randombinddn: each op = new TCP connection + simple bind as a ' + 'random user with the real password + unbind.',
  );
  lines.push(
    `repeated bind: the same, as ${REPEATED_BINDERS} people binding again and again (sssd, a Wi-Fi controller re-authenticating); ` +
      "Cairn's first bind of each (a bcrypt upgrade) falls in the warm-up, then its verified-credential cache answers.",
  );
  lines.push(
    '  Bind numbers are not like for like: slapd verifies {SSHA} (one SHA-1); Cairn verifies the migrated {SSHA} ' +
      'and then replaces it with bcrypt cost 10 (deliberately slow), so each first bind of a user costs one bcrypt hash.',
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
  for (const s of servers) lines.push(`${s.label}: ${s.notes.join('; ')}`);
  for (const m of ms.filter((x) => !x.valid)) lines.push(`INVALID ${m.server} ${m.kind}: ${m.problems.join('; ')}`);
  lines.push('');
  return lines.join('\n');
}

/** The once-per-server measures (sizes.ts), each server against slapd: lower is better for every one. */
export function renderSizes(ms: SizeMeasure[]): string {
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
    'load: slapadd for slapd, cairn import for Cairn. memory: the server and its workers right after start, RSS summed ' +
      "(Node's shared code counted once per process) and PSS (each shared page counted once). " +
      'paged enumeration: ldapsearch -E pr=500 (objectClass=posixAccount) under ou=people, all attributes, best of 3. ' +
      'vs slapd: times slapd (lower is better).',
    '',
  ].join('\n');
}
