// The long fuzz run (npm run fuzz): by default 1,000,000 generated messages against one `cairn serve`,
// then counts per resultCode, disconnects, messages/s, deaths, hangs and answers with code 80. Exits 1
// on any of those, on a surprise, or on an error line in the server's log.
//   node dist/bench/fuzz.js [--messages N] [--seed S] [--connections C]
import { readFileSync } from 'node:fs';
import { formatReport, fuzz, rssBytes, serverErrorLines, startFuzzServer } from '../test/fuzz/setup';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a whole number`);
  return n;
}

/** User and system CPU seconds of a process and its children (the server's workers), from /proc. */
function cpuSeconds(pid: number): number {
  let total = 0;
  const pids = [pid];
  while (pids.length > 0) {
    const p = pids.pop()!;
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      total += (Number(fields[11]) + Number(fields[12])) / 100;
      const children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      if (children) pids.push(...children.split(/\s+/).map(Number));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

async function main() {
  const messages = option('messages', 1_000_000);
  const seed = option('seed', 20261130);
  const connections = option('connections', 48);
  const s = await startFuzzServer();
  const pid = s.server.process.pid!;
  const rssBefore = rssBytes(pid);
  console.log(`fuzzing cairn (pid ${pid}) with seed ${seed}: ${messages} messages on ${connections} connections`);
  let rssPeak = rssBefore;
  let failed: boolean;
  try {
    const report = await fuzz(s, {
      seed,
      messages,
      connections,
      progress: (r) => {
        const rss = rssBytes(pid);
        rssPeak = Math.max(rssPeak, rss);
        process.stderr.write(
          `\r${r.messages} messages, ${Math.round(r.messages / (r.ms / 1000))}/s, server RSS ${(rss / 1e6).toFixed(0)} MB, hangs ${r.hangs}, 80s ${r.internal}, surprises ${r.surprises}   `,
        );
      },
    });
    const rssAfter = s.server.process.exitCode === null ? rssBytes(pid) : 0;
    const serverCpu = s.server.process.exitCode === null ? cpuSeconds(pid) : 0;
    const own = process.cpuUsage();
    console.log(`CPU: server ${serverCpu.toFixed(1)} s, fuzzer ${((own.user + own.system) / 1e6).toFixed(1)} s`);
    process.stderr.write('\n');
    console.log(formatReport(report));
    console.log(
      `server memory (RSS): ${(rssBefore / 1e6).toFixed(0)} MB before, ${(rssPeak / 1e6).toFixed(0)} MB at most, ${(rssAfter / 1e6).toFixed(0)} MB after`,
    );
    const errors = serverErrorLines(s.server.stderr());
    console.log(`server log lines at level error: ${errors.length}`);
    for (const l of errors.slice(0, 20)) console.log(`  ${l.slice(0, 2000)}`);
    failed = report.deaths + report.hangs + report.internal + report.surprises + errors.length > 0;
  } finally {
    await s.stop();
  }
  console.log(failed ? 'FAILED' : 'OK');
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
