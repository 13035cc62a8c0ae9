// Honest clients while one address holds thousands of connections open without authenticating (issue 12,
// defect 4): idle ones, ones trickling a byte at a time, and ones holding half of a 250 KB message. The
// attacker (127.0.0.2) reconnects whatever the server closes, so the pressure never lets up; honest
// clients (127.0.0.1) open a connection, bind, search and close, in a loop. Reports the honest clients'
// latency (p50/p99/max) alone and under attack, and the server's resident memory (all its processes).
import { randomBytes } from 'crypto';
import { mkdirSync } from 'fs';
import { connect, type Socket } from 'net';
import { join } from 'path';
import { RawClient } from './raw-client';
import { prepareCairn, startCairn } from './cairn';
import { digitsFor, generateLdif, passwordOf, uidOf, userDn } from './ldif';
import { log, rssBytes } from './proc';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ATTACKER = '127.0.0.2';
const HONEST = '127.0.0.1';

interface Attack {
  stop(): void;
  held(): number;
  opened(): number;
}

/** Keeps `count` connections from the attacker's address: a third idle, a third trickling, a third holding 250 KB halves. */
function attack(port: number, count: number, reconnectsPerSecond: number): Attack {
  const sockets = new Set<Socket>();
  let opened = 0;
  let stopped = false;
  let budget = 0;
  const half = Buffer.concat([Buffer.from([0x30, 0x83, 0x03, 0xd0, 0x90]), Buffer.alloc(200_000, 0x41)]);
  const open = (kind: number) => {
    const s = connect({ port, host: '127.0.0.1', localAddress: ATTACKER });
    opened++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('data', () => undefined);
    s.on('close', () => {
      sockets.delete(s);
      if (!stopped) pending.push(kind);
    });
    s.on('connect', () => {
      if (kind === 2) s.write(half);
      if (kind === 1) s.write(Buffer.from([0x30]));
    });
    (s as Socket & { kind?: number }).kind = kind;
  };
  const pending: number[] = Array.from({ length: count }, (_, i) => i % 3);
  const refill = setInterval(() => {
    budget = Math.min(budget + reconnectsPerSecond / 20, reconnectsPerSecond);
    while (budget >= 1 && pending.length > 0) {
      budget--;
      open(pending.shift()!);
    }
  }, 50);
  const trickle = setInterval(() => {
    for (const s of sockets) if ((s as Socket & { kind?: number }).kind === 1 && !s.destroyed && s.writable) s.write(Buffer.from([0x84]));
  }, 1000);
  return {
    stop() {
      stopped = true;
      clearInterval(refill);
      clearInterval(trickle);
      for (const s of sockets) s.destroy();
    },
    held: () => sockets.size,
    opened: () => opened,
  };
}

/** Honest clients: connect, bind as a person, search one uid, close; latency of the whole, per round. */
async function honest(port: number, users: number, clients: number, seconds: number, bind = true) {
  const digits = digitsFor(users);
  const until = Date.now() + seconds * 1000;
  const latencies: number[] = [];
  let failures = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const t = process.hrtime.bigint();
        try {
          const c = await RawClient.open(port, '127.0.0.1', HONEST);
          const i = Math.floor(Math.random() * users);
          const bound = bind ? await c.bind(userDn(i, digits), passwordOf(i, digits)) : 0;
          const found = await c.searchUid('ou=people,dc=example,dc=com', uidOf(i, digits));
          c.close();
          // Anonymous clients may not read people (50), but they are answered: that is what is timed.
          if (bound !== 0 || (found !== 0 && !(found === 50 && !bind))) failures++;
          else latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        } catch {
          failures++;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { rounds: latencies.length, failures, p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] };
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string, def: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : def;
  };
  const users = opt('--users', 1000);
  const seconds = opt('--seconds', 30);
  const held = opt('--connections', 10000);
  const clients = opt('--clients', 4);
  const root = join(__dirname, '..', '..');
  const workDir = join(root, '.bench', `hostile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(workDir, { recursive: true });
  const files = await generateLdif(users, randomBytes(12).toString('hex'), join(workDir, 'slapd.ldif'), join(workDir, 'cairn.ldif'), []);
  const data = await prepareCairn(root, workDir, files.cairn, users, randomBytes(12).toString('hex'), randomBytes(12).toString('hex'));
  const target = await startCairn(root, workDir, data, 'warn');
  try {
    // Every person binds once first, so that their migrated hash is bcrypt when measured.
    log('warming up: one bind per person');
    await honest(target.port, users, clients, Math.max(5, users / 100));
    const rssBefore = rssBytes(target.pid);
    log(`${seconds} s of honest clients alone`);
    const alone = await honest(target.port, users, clients, seconds);
    const aloneAnon = await honest(target.port, users, clients, seconds / 2, false);
    log(`${seconds} s of honest clients while ${ATTACKER} holds ${held} connections`);
    const a = attack(target.port, held, 2000);
    let rssMax = 0;
    let heldMin = Infinity;
    const sampler = setInterval(() => {
      rssMax = Math.max(rssMax, rssBytes(target.pid));
    }, 500);
    await new Promise((r) => setTimeout(r, Math.min(10, held / 2000 + 2) * 1000));
    const sampleHeld = setInterval(() => (heldMin = Math.min(heldMin, a.held())), 500);
    const attacked = await honest(target.port, users, clients, seconds);
    const attackedAnon = await honest(target.port, users, clients, seconds / 2, false);
    clearInterval(sampler);
    clearInterval(sampleHeld);
    const opened = a.opened();
    a.stop();
    await new Promise((r) => setTimeout(r, 3000));
    const rssAfter = rssBytes(target.pid);
    const row = (name: string, r: Awaited<ReturnType<typeof honest>>) =>
      `${name.padEnd(40)} ${String(r.rounds).padStart(7)} ${String(r.failures).padStart(8)} ${r.p50.toFixed(1).padStart(7)} ${r.p99.toFixed(1).padStart(7)} ${r.max.toFixed(1).padStart(7)}`;
    console.log(
      `\n${'honest clients (connect+bind+search)'.padEnd(40)} ${'rounds'.padStart(7)} ${'failures'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)}`,
    );
    console.log(row('alone', alone));
    console.log(row(`while ${held} held from one address`, attacked));
    console.log(row('connect+search (no bind), alone', aloneAnon));
    console.log(row(`connect+search, while ${held} held`, attackedAnon));
    const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
    console.log(
      `\nattacker: ${opened} connections opened, at least ${heldMin === Infinity ? 0 : heldMin} open at any sample (the rest refused or closed by the server and reopened)`,
    );
    console.log(`server RSS (all processes): ${mb(rssBefore)} before, ${mb(rssMax)} at most under attack, ${mb(rssAfter)} 3 s after`);
    console.log(`${users} people, bcrypt cost 10, ${clients} honest clients, ${seconds} s per phase.`);
  } finally {
    await target.stop();
  }
}

main().catch((err: unknown) => {
  console.error(`hostile-connections FAILED: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
