/**
 * The protocol fuzzer, bounded (issue 12): a fixed seed, a few thousand generated messages (valid
 * requests of every operation, then damaged ones: lengths, tags, types, truncation, deep and wide
 * filters, invalid UTF-8) over several connections to one real `cairn serve`. The server must never
 * die, never hang, never answer 80, and never do what the batch model rules out. A failure prints the
 * seed, the message indices and their octets: `node dist/bench/fuzz.js --seed S --messages N` runs it
 * again. The long run (1,000,000 messages) is `npm run fuzz`.
 */
import { expect } from 'chai';
import { formatReport, fuzz, serverErrorLines, startFuzzServer, type FuzzServer } from '../fuzz/setup';

const SEED = 20261130;
const MESSAGES = 6000;

describe('protocol fuzzer (bounded, seeded)', function () {
  this.timeout(120000);
  let s: FuzzServer;

  before(async () => {
    // One worker process, logging at info: a crash is the process's exit, and every log line is built.
    s = await startFuzzServer({ CAIRN_SERVER_WORKERS: '1', CAIRN_LOG_LEVEL: 'info' });
  });

  after(async () => {
    if (s) await s.stop();
  });

  it(`${MESSAGES} messages of seed ${SEED}: no death, no hang, no resultCode 80, nothing the model rules out`, async () => {
    const report = await fuzz(s, { seed: SEED, messages: MESSAGES, connections: 12 });
    const summary = formatReport(report);
    expect(report.messages, summary).to.equal(MESSAGES);
    expect(report.deaths, summary).to.equal(0);
    expect(report.hangs, summary).to.equal(0);
    expect(report.internal, summary).to.equal(0);
    expect(report.surprises, summary).to.equal(0);
    // Many kinds of answers and of disconnects were really exercised.
    expect(Object.keys(report.codes).length, summary).to.be.greaterThan(10);
    expect(report.notices[2] ?? 0, summary).to.be.greaterThan(MESSAGES / 10);
    const errors = serverErrorLines(s.server.stderr());
    expect(errors, `server log lines at level error (seed ${SEED}):\n${errors.slice(0, 10).join('\n')}`).to.deep.equal([]);
    expect(s.server.process.exitCode, 'server still running').to.equal(null);
  });
});
