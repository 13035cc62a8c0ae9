/**
 * Clients that hold connections without authenticating (idle, trickling bytes, half messages) must not
 * lock honest clients out (issue 12, defect 4), and a process short of file descriptors says so instead
 * of dropping connections in silence (defect 5). One real `cairn serve` per group, with small limits; the
 * "attacker" connects from 127.0.0.2, the honest clients from 127.0.0.1.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { CAIRN, initData, removeData, startServer, TEST_ENV, type RunningServer } from '../helpers/server';
import { adminSearch, expectNotice, message, RawClient, simpleBind, TAG } from '../helpers/raw-ldap';

const ATTACKER = '127.0.0.2';
const HONEST = '127.0.0.1';

async function expectServed(port: number, from = HONEST) {
  const c = await RawClient.open(port, from);
  try {
    await c.bindAdmin(1);
    c.send(message(2, adminSearch()));
    const done = await c.result(2);
    expect(done.resultCode, done.diagnosticMessage).to.equal(0);
  } finally {
    c.destroy();
  }
}

/** The first bytes of a bind request: enough for the server to wait for the rest. */
const halfMessage = (bytes = 20) => message(1, simpleBind('uid=nobody,dc=example,dc=com', 'x'.repeat(200))).subarray(0, bytes);

describe('connections that never authenticate cannot crowd out the others', function () {
  this.timeout(60000);
  let data: string;
  let server: RunningServer;

  before(async () => {
    data = initData();
    server = await startServer(data, {
      CAIRN_SERVER_WORKERS: '1',
      CAIRN_SERVER_MAX_CONNECTIONS: '20',
      CAIRN_SERVER_MAX_UNAUTHENTICATED_PER_ADDRESS: '5',
      CAIRN_SERVER_MESSAGE_TIMEOUT_SECONDS: '0.5',
      CAIRN_SERVER_UNAUTHENTICATED_IDLE_SECONDS: '2',
      CAIRN_SERVER_UNAUTHENTICATED_BUFFER_BYTES: '1048576',
    });
  });

  after(async () => {
    if (server) await server.stop();
    if (data) removeData(data);
  });

  it('one address holds at most 5 unauthenticated connections: the 6th closes its oldest, and other addresses are untouched', async () => {
    const mine: RawClient[] = [];
    for (let i = 0; i < 5; i++) mine.push(await RawClient.open(server.port, ATTACKER));
    const other = await RawClient.open(server.port, '127.0.0.3');
    const sixth = await RawClient.open(server.port, ATTACKER);
    await mine[0].waitClosed();
    expectNotice(mine[0].messages[0], 51);
    expect(mine[0].messages[0].diagnosticMessage).to.match(/too many unauthenticated connections from your address/);
    for (const c of [...mine.slice(1), sixth, other]) expect(c.closed).to.equal(false);
    sixth.send(message(1, adminSearch()));
    expect((await sixth.result(1)).tag).to.equal(TAG.searchResultDone);
    other.send(message(1, adminSearch()));
    expect((await other.result(1)).tag).to.equal(TAG.searchResultDone);
    for (const c of [...mine, sixth, other]) c.destroy();
  });

  it('bound connections do not count against their address', async () => {
    const bound: RawClient[] = [];
    for (let i = 0; i < 8; i++) {
      const c = await RawClient.open(server.port, ATTACKER);
      await c.bindAdmin(1);
      bound.push(c);
    }
    await expectServed(server.port, ATTACKER);
    for (const c of bound) expect(c.closed).to.equal(false);
    for (const c of bound) c.destroy();
  });

  it('a full server closes its oldest unauthenticated connections for new clients; bound ones keep working', async () => {
    const bound = await RawClient.open(server.port, HONEST);
    await bound.bindAdmin(1);
    const idle: RawClient[] = [];
    // The server holds 20: the bound one and 19 others. Each newcomer past that closes the oldest unauthenticated one.
    for (let i = 0; i < 40; i++) idle.push(await RawClient.open(server.port, `127.0.1.${i + 1}`));
    for (const c of idle.slice(0, 15)) {
      await c.waitClosed();
      expectNotice(c.messages[0], 51);
      expect(c.messages[0].diagnosticMessage).to.match(/server is full/);
    }
    for (const c of idle.slice(25)) expect(c.closed).to.equal(false);
    await expectServed(server.port);
    bound.send(message(2, adminSearch()));
    expect((await bound.result(2)).resultCode).to.equal(0);
    for (const c of [bound, ...idle]) c.destroy();
  });

  it('a message that does not arrive whole within the deadline ends its connection; a slow honest client is not cut', async () => {
    const trickler = await RawClient.open(server.port, ATTACKER);
    const honest = await RawClient.open(server.port, HONEST);
    await honest.bindAdmin(1);
    const started = Date.now();
    let sent = 0;
    // One byte every 100 ms: the connection is never idle, but its message never completes.
    const drip = setInterval(() => trickler.send(halfMessage(40).subarray(sent, ++sent)), 100);
    try {
      await trickler.waitClosed(10000);
    } finally {
      clearInterval(drip);
    }
    expectNotice(trickler.messages[0], 2);
    expect(trickler.messages[0].diagnosticMessage).to.match(/must arrive whole within 0.5 seconds/);
    expect(Date.now() - started).to.be.below(5000);
    // The honest client sends whole messages with pauses between them: it stays.
    honest.send(message(2, adminSearch()));
    expect((await honest.result(2)).resultCode).to.equal(0);
    expect(honest.closed).to.equal(false);
    honest.destroy();
  });

  it('an idle unauthenticated connection is closed; an idle bound one is not', async () => {
    const anonymous = await RawClient.open(server.port, ATTACKER);
    const bound = await RawClient.open(server.port, HONEST);
    await bound.bindAdmin(1);
    await anonymous.waitClosed(10000);
    expectNotice(anonymous.messages[0], 51);
    expect(anonymous.messages[0].diagnosticMessage).to.match(/idle without authenticating/);
    expect(bound.closed).to.equal(false);
    bound.send(message(2, adminSearch()));
    expect((await bound.result(2)).resultCode).to.equal(0);
    bound.destroy();
  });

  it('the unfinished data of unauthenticated clients is bounded (1 MB here): past it they are let go, others are served', async () => {
    const holders: RawClient[] = [];
    // Five addresses, three connections each, each holding 200 KB of a 250 KB message: 3 MB wanted.
    const announce = Buffer.from([0x30, 0x83, 0x03, 0xd0, 0x90]); // a sequence of 250,000 bytes
    for (let a = 0; a < 5; a++) {
      for (let i = 0; i < 3; i++) {
        const c = await RawClient.open(server.port, `127.0.2.${a + 1}`);
        c.send(announce, Buffer.alloc(200_000, 0x41));
        holders.push(c);
      }
    }
    // Those under the bound are closed by the message deadline soon after: wait for all.
    await Promise.all(holders.map((c) => c.waitClosed(5000)));
    const let_go = holders.filter((c) => c.messages[0]?.diagnosticMessage?.match(/too much unfinished data/));
    expect(let_go.length, 'connections let go for holding too much').to.be.at.least(10);
    expect(holders.length - let_go.length, 'connections still holding').to.be.at.most(5);
    await expectServed(server.port);
    for (const c of holders) c.destroy();
  });

  it('connections let go are logged at warning level once, then summarised, not one line each', async () => {
    const log = server.stderr();
    expect(log).to.not.match(/uncaught|unhandled|TypeError|RangeError/i);
    const lines = log.split('\n').filter((l) => l.includes('closed to protect the others'));
    expect(lines.length, log).to.be.within(1, 3);
  });
});

describe('open-file limits', function () {
  this.timeout(60000);

  /** `cairn serve` under prlimit, with the soft and hard limits given. */
  async function serveUnder(soft: number, hard: number, data: string) {
    const child = spawn(
      'prlimit',
      [`--nofile=${soft}:${hard}`, process.execPath, CAIRN, '--data', data, 'serve', '--listen', '127.0.0.1:0', '--ldaps', 'none'],
      {
        env: { ...TEST_ENV, CAIRN_SERVER_WORKERS: '1', CAIRN_LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /ldap:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`exit ${code}: ${err}`)));
    });
    const logSays = async (re: RegExp) => {
      for (let i = 0; i < 100 && !re.test(err); i++) await new Promise((r) => setTimeout(r, 50));
      expect(err).to.match(re);
    };
    return { child, port, log: () => err, logSays, stop: () => new Promise<void>((r) => (child.once('exit', () => r()), child.kill('SIGTERM'))) };
  }

  it('the soft limit is the hard limit once started (Node raises it)', async () => {
    const data = initData();
    const s = await serveUnder(256, 4096, data);
    try {
      const limits = readFileSync(`/proc/${s.child.pid}/limits`, 'utf8');
      expect(limits).to.match(/Max open files\s+4096\s+4096/);
    } finally {
      await s.stop();
      removeData(data);
    }
  });

  it('with only 200 descriptors: the connection limit shrinks to fit what is left, a warning says so, and every connection over it is answered busy', async () => {
    const data = initData();
    const s = await serveUnder(200, 200, data);
    const clients: RawClient[] = [];
    try {
      await s.logSays(/^(?=.*fewer connections than configured)(?=.*"openFileLimit":200)/m);
      // What is left once the server's own files and a margin for refusals are counted: about 130.
      const canHold = Number(/"canHold":(\d+)/.exec(s.log())![1]);
      expect(canHold).to.be.within(100, 160);
      // Bound connections are never evicted: with that many of them, every newcomer must be refused out loud.
      for (let i = 0; i < canHold; i++) {
        const c = await RawClient.open(s.port, `127.0.3.${(i % 250) + 1}`);
        await c.bindAdmin(1);
        clients.push(c);
      }
      const late: RawClient[] = [];
      // In groups of 10: a refused connection holds a descriptor until its notice is out and it is closed.
      for (let i = 0; i < 300 - canHold; i += 10) {
        const group = await Promise.all(Array.from({ length: 10 }, (_, k) => RawClient.open(s.port, `127.0.4.${((i + k) % 250) + 1}`)));
        for (const c of group) {
          await c.waitClosed();
          expectNotice(c.messages[0], 51);
          expect(c.messages[0].diagnosticMessage).to.match(/too many connections/);
        }
        late.push(...group);
      }
      clients.push(...late);
      for (const c of clients.slice(0, canHold)) expect(c.closed).to.equal(false);
      await s.logSays(/connection refused/);
      expect(s.child.exitCode).to.equal(null);
    } finally {
      for (const c of clients) c.destroy();
      await s.stop();
      removeData(data);
    }
  });
});
