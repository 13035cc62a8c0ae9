import { readFileSync } from 'node:fs';
/** The fuzz run's server: a fresh directory with a sandbox (ou=fuzz) and a few people, served on loopback. */
import { ADMIN_PASSWORD, importLdif, initData, removeData, startServer, type RunningServer } from '../helpers/server';
import { FUZZ_BASE, FUZZ_PEOPLE, fuzzPersonPassword } from './generator';
import { runFuzz, type FuzzOptions, type FuzzReport } from './driver';

function fuzzLdif(): string {
  const lines = [`dn: ou=fuzz,${FUZZ_BASE}`, 'objectClass: organizationalUnit', 'ou: fuzz', ''];
  for (let k = 0; k < FUZZ_PEOPLE; k++) {
    lines.push(
      `dn: uid=fuzzp${k},ou=people,${FUZZ_BASE}`,
      'objectClass: inetOrgPerson',
      `uid: fuzzp${k}`,
      `cn: Fuzz ${k}`,
      `sn: ${k}`,
      `mail: fuzzp${k}@example.com`,
      `userPassword: ${fuzzPersonPassword(k)}`,
      '',
    );
  }
  return lines.join('\n');
}

export interface FuzzServer {
  server: RunningServer;
  stop(): Promise<void>;
}

export async function startFuzzServer(env: NodeJS.ProcessEnv = {}): Promise<FuzzServer> {
  const data = initData();
  importLdif(data, fuzzLdif());
  const server = await startServer(data, env);
  return {
    server,
    stop: async () => {
      await server.stop();
      removeData(data);
    },
  };
}

/** Runs the fuzzer against `s`. A worker process that dies (the primary starts another) is a death too. */
export function fuzz(s: FuzzServer, o: Omit<FuzzOptions, 'port' | 'adminPassword' | 'isAlive'>): Promise<FuzzReport> {
  const p = s.server.process;
  // The log grows by megabytes: it is watched as it arrives (a chunk's start joined to the last one's
  // end), never searched again as a whole.
  const DIED = 'server worker ended unexpectedly';
  let tail = '';
  let died = false;
  const watch = (chunk: Buffer) => {
    const text = tail + chunk.toString('latin1');
    died ||= text.includes(DIED);
    tail = text.slice(-DIED.length);
  };
  p.stderr?.on('data', watch);
  const isAlive = () => p.exitCode === null && p.signalCode === null && !died;
  return runFuzz({ ...o, port: s.server.port, adminPassword: ADMIN_PASSWORD, isAlive }).finally(() => p.stderr?.off('data', watch));
}

/** Lines of the server's log at level error (an internal error, a handler failure) or naming an exception. */
export function serverErrorLines(log: string): string[] {
  return log.split('\n').filter((l) => /"level":"error"|handler failure|internal error|Uncaught|TypeError|RangeError|at .*\.js:\d+/.test(l));
}

/** The resident memory in bytes of a process and its children (the server's workers), from /proc. */
export function rssBytes(pid: number): number {
  let total = 0;
  const pids = [pid];
  while (pids.length > 0) {
    const p = pids.pop()!;
    try {
      const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
      const children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** The report as a few lines for people. */
export function formatReport(r: FuzzReport): string {
  const codes = Object.entries(r.codes)
    .map(([c, n]) => `${c}:${n}`)
    .join(' ');
  const notices = Object.entries(r.notices)
    .map(([c, n]) => `${c}:${n}`)
    .join(' ');
  const answered = Object.values(r.codes).reduce((a, b) => a + b, 0);
  return [
    `seed ${r.seed}: ${r.messages} messages (${r.mutated} damaged) in ${(r.ms / 1000).toFixed(1)} s, ${Math.round(r.messages / (r.ms / 1000))} messages/s`,
    `answers by resultCode: ${codes} (${answered} in all)`,
    `notices of disconnection: ${notices || 'none'}; server closes: ${r.closesByServer}; connections: ${r.connections}; batches: ${r.batches}; root DSE probes: ${r.probes}`,
    `deaths: ${r.deaths}, hangs: ${r.hangs}, resultCode 80: ${r.internal}, surprises: ${r.surprises}`,
    ...r.findings.map((f) => `  ${f.kind}: ${f.detail} [seed ${f.seed}, messages ${f.indices.join(',')}]\n    ${f.hex.join('\n    ')}`),
  ].join('\n');
}
