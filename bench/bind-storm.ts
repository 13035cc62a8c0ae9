// Search latency while a storm of binds runs (issue: "a storm of binds must not stall searches"):
// one client searches in a loop and records each search's latency, first alone, then while 50
// connections bind in a loop as random users with their real passwords (bcrypt in worker threads).
import { randomBytes } from 'crypto';
import { mkdirSync } from 'fs';
import { connect, type Socket } from 'net';
import { join } from 'path';
import { frameLength } from '../src/wire/protocol/frame';
import { berBoolean, berEnumerated, berInteger, berOctetString, berSequence } from '../src/wire/protocol/ber-write';
import { prepareCairn, startCairn } from './cairn';
import { digitsFor, generateLdif, passwordOf, uidOf, userDn } from './ldif';
import { log } from './proc';

/** A minimal LDAP client: one request at a time, resolves on the response that ends it. */
class RawClient {
  private buf = Buffer.alloc(0);
  private waiting?: { id: number; done: number; resolve: (code: number) => void };
  private id = 0;
  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => undefined);
  }
  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }
  private onData(d: Buffer) {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const f = frameLength(this.buf, 0);
      if (f === 'incomplete' || 'error' in f) return;
      const total = f.headerLength + f.bodyLength;
      if (this.buf.length < total) return;
      const msg = this.buf.subarray(0, total);
      this.buf = this.buf.subarray(total);
      // LDAPMessage: 30 len 02 len id <op tag> ... ; the result code follows the op header.
      const idLen = msg[f.headerLength + 1];
      const opAt = f.headerLength + 2 + idLen;
      const tag = msg[opAt];
      const w = this.waiting;
      if (w && tag === w.done) {
        this.waiting = undefined;
        const lenByte = msg[opAt + 1];
        const codeAt = opAt + 2 + (lenByte & 0x80 ? lenByte & 0x7f : 0) + 2;
        w.resolve(msg[codeAt]);
      }
    }
  }
  private request(op: Buffer, doneTag: number): Promise<number> {
    const id = ++this.id;
    return new Promise((resolve) => {
      this.waiting = { id, done: doneTag, resolve };
      this.socket.write(berSequence([berInteger(id), op]));
    });
  }
  bind(dn: string, password: string) {
    return this.request(berSequence([berInteger(3), berOctetString(dn), berOctetString(password, 0x80)], 0x60), 0x61);
  }
  searchUid(base: string, uid: string) {
    const filter = berSequence([berOctetString('uid'), berOctetString(uid)], 0xa3);
    return this.request(
      berSequence([berOctetString(base), berEnumerated(2), berEnumerated(0), berInteger(0), berInteger(0), berBoolean(false), filter, berSequence([])], 0x63),
      0x65,
    );
  }
  close() {
    this.socket.destroy();
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function phase(port: number, users: number, seconds: number, stormConnections: number, bind: { dn: string; pw: string }) {
  const digits = digitsFor(users);
  const until = Date.now() + seconds * 1000;
  let binds = 0;
  let bindFailures = 0;
  const storm = Array.from({ length: stormConnections }, async () => {
    const c = await RawClient.open(port);
    while (Date.now() < until) {
      const i = Math.floor(Math.random() * users);
      const code = await c.bind(userDn(i, digits), passwordOf(i, digits));
      if (code === 0) binds++;
      else bindFailures++;
    }
    c.close();
  });
  const searcher = (async () => {
    const c = await RawClient.open(port);
    await c.bind(bind.dn, bind.pw);
    const latencies: number[] = [];
    while (Date.now() < until) {
      const t = process.hrtime.bigint();
      await c.searchUid(`ou=people,dc=example,dc=com`, uidOf(Math.floor(Math.random() * users), digits));
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    c.close();
    return latencies.sort((a, b) => a - b);
  })();
  const [latencies] = await Promise.all([searcher, ...storm]);
  return { searches: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1], binds, bindFailures };
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string, def: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : def;
  };
  const users = opt('--users', 2000);
  const seconds = opt('--seconds', 15);
  const connections = opt('--connections', 50);
  const root = join(__dirname, '..', '..');
  const workDir = join(root, '.bench', `storm-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(workDir, { recursive: true });
  const servicePassword = randomBytes(12).toString('hex');
  const adminPassword = randomBytes(12).toString('hex');
  const files = await generateLdif(users, servicePassword, join(workDir, 'slapd.ldif'), join(workDir, 'cairn.ldif'));
  const data = await prepareCairn(root, workDir, files.cairn, users, adminPassword, servicePassword);
  const target = await startCairn(root, workDir, data, 'warn');
  try {
    const bind = { dn: data.searchBindDn, pw: data.searchBindPassword };
    log(`storm: ${seconds} s of searches alone`);
    const alone = await phase(target.port, users, seconds, 0, bind);
    log(`storm: ${seconds} s of searches while ${connections} connections bind in a loop`);
    const storm = await phase(target.port, users, seconds, connections, bind);
    const row = (name: string, r: typeof alone) =>
      `${name.padEnd(34)} ${String(r.searches).padStart(8)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${r.max.toFixed(1).padStart(8)} ${(r.binds / seconds).toFixed(1).padStart(8)} ${String(r.bindFailures).padStart(6)}`;
    console.log(`\n${'one searching client'.padEnd(34)} ${'searches'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'binds/s'.padStart(8)} ${'failed'.padStart(6)}`);
    console.log(row('alone', alone));
    console.log(row(`during ${connections} binding connections`, storm));
    console.log(`\n${users} people, bcrypt cost 10 (their migrated {SSHA} is upgraded at the first bind), ${seconds} s per phase.`);
  } finally {
    await target.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`bind-storm FAILED: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
