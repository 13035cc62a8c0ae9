/**
 * Robustness of the wire loop against one real `cairn serve`, spoken to with raw sockets: garbage,
 * malformed and oversized messages, pipelining, slow readers, abandon, unbind and many connections.
 * After every abuse a fresh connection must still bind and search, and the server process must be alive.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { ADMIN_DN, ADMIN_PASSWORD, BASE, importLdif, initData, peopleLdif, removeData, startServer, type RunningServer } from '../helpers/server';
import { berEnumerated, berOctetString, berSequence, berTlv } from '../../src/wire/protocol/ber-write';
import {
  abandon,
  adminSearch,
  control,
  equality,
  expectNotice,
  extended,
  message,
  present,
  RawClient,
  saslBind,
  search,
  simpleBind,
  TAG,
  unbind,
} from '../helpers/raw-ldap';

const PEOPLE = `ou=people,${BASE}`;
const PEOPLE_COUNT = 1000;
const allPeople = (sizeLimit = 0) => search({ base: PEOPLE, scope: 'one', filter: present('objectClass'), sizeLimit });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error('no VmRSS');
  return Number(m[1]) * 1024;
}

/**
 * People with a 1 KiB description each, so that one search of all of them is about 1.5 MB. Nobody binds
 * as them here: they have no password (a thousand bcrypt hashes would only slow the import).
 */
function bigPeopleLdif(n: number): string {
  const filler = 'x'.repeat(1024);
  return peopleLdif(n).replace(/^userPassword: .*$/gm, `description: ${filler}`);
}

// ---------------------------------------------------------------------------------------------------

describe('robustness of the wire loop (raw sockets against cairn serve)', function () {
  this.timeout(120000);
  let data: string;
  let server: RunningServer;
  let port: number;

  before(async () => {
    data = initData();
    importLdif(data, bigPeopleLdif(PEOPLE_COUNT));
    server = await startServer(data);
    port = server.port;
  });

  after(async () => {
    if (server) await server.stop();
    if (data) removeData(data);
  });

  function expectAlive() {
    expect(server.process.exitCode, `server exited; stderr:\n${server.stderr()}`).to.equal(null);
    expect(server.process.signalCode).to.equal(null);
    expect(() => process.kill(server.process.pid!, 0)).to.not.throw();
  }

  /** A brand-new connection binds as admin and finds uid=admin. */
  async function expectServerAnswers() {
    expectAlive();
    const c = await RawClient.open(port);
    try {
      await c.bindAdmin(1);
      c.send(message(2, adminSearch()));
      const done = await c.result(2);
      expect(done.tag).to.equal(TAG.searchResultDone);
      expect(done.resultCode, done.diagnosticMessage).to.equal(0);
      expect(c.entries(2).map((e) => e.dn)).to.deep.equal([ADMIN_DN]);
      c.send(message(3, unbind()));
    } finally {
      c.destroy();
    }
    expectAlive();
  }

  it('answers a normal search before any abuse', async () => {
    await expectServerAnswers();
  });

  describe('garbage and malformed messages', () => {
    it('an HTTP request: Notice of Disconnection (protocolError), then close', async () => {
      const c = await RawClient.open(port);
      c.send(Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: curl/8.0\r\nAccept: */*\r\n\r\n'));
      await c.waitClosed();
      expectNotice(c.messages[0]);
      expect(c.messages).to.have.length(1);
      await expectServerAnswers();
    });

    it('an RDP connection request: Notice of Disconnection, then close', async () => {
      const c = await RawClient.open(port);
      // TPKT + X.224 Connection Request with an RDP negotiation request.
      c.send(Buffer.from('0300002b26e00000000000436f6f6b69653a206d737473686173683d61646d696e0d0a0100080003000000', 'hex'));
      await c.waitClosed();
      expectNotice(c.messages[0]);
      await expectServerAnswers();
    });

    it('a TLS ClientHello on the plain port: Notice of Disconnection, then close', async () => {
      const c = await RawClient.open(port);
      c.send(Buffer.from('160301002e0100002a0303' + '00'.repeat(32) + '000002002f0100', 'hex'));
      await c.waitClosed();
      expectNotice(c.messages[0]);
      await expectServerAnswers();
    });

    it('random bytes (seeded), then half-close: the connection ends and the server survives', async () => {
      let seed = 0x1234567;
      const rnd = () => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed >> 16;
      };
      for (let round = 0; round < 20; round++) {
        const c = await RawClient.open(port);
        const junk = Buffer.alloc(1 + (rnd() % 2000));
        for (let i = 0; i < junk.length; i++) junk[i] = rnd() & 0xff;
        if (round % 2 === 0) junk[0] = 0x30; // half of them look like the start of an LDAPMessage
        c.send(junk);
        c.socket.end();
        await c.waitClosed();
        // Whatever came back must be well-formed; a notice, if any, must say protocolError.
        for (const m of c.messages) if (m.id === 0) expectNotice(m);
      }
      await expectServerAnswers();
    });

    it('a valid header with an unknown protocolOp tag: Notice of Disconnection (protocolError), then close', async () => {
      const c = await RawClient.open(port);
      // messageID 1, [APPLICATION 25] primitive, empty: not a request (30 05 02 01 01 59 00).
      c.send(message(1, berTlv(0x59, Buffer.alloc(0))));
      await c.waitClosed();
      expectNotice(c.messages[0]);
      expect(
        c.messages.filter((m) => m.id !== 0),
        'no response for the bad message',
      ).to.deep.equal([]);
      await expectServerAnswers();
    });

    const undecodable: [what: string, bytes: Buffer][] = [
      ['a response tag sent as a request (searchResultDone)', message(1, berSequence([berEnumerated(0), berOctetString(''), berOctetString('')], 0x65))],
      // SEQUENCE of 7 octets holding messageID 1 and a search request claiming 200 octets.
      ['an inner length that runs past the LDAPMessage', Buffer.from([0x30, 0x07, 0x02, 0x01, 0x01, 0x63, 0x81, 0xc8, 0x04])],
      ['an indefinite-length LDAPMessage', Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01, 0x42, 0x00, 0x00, 0x00])],
    ];
    for (const [what, bytes] of undecodable) {
      it(`${what}: Notice of Disconnection, then close`, async () => {
        const c = await RawClient.open(port);
        c.send(bytes);
        await c.waitClosed();
        expectNotice(c.messages[0]);
        await expectServerAnswers();
      });
    }

    it('an LDAPMessage whose length runs past what was sent, then the client closes: no crash', async () => {
      for (const how of ['end', 'destroy'] as const) {
        const c = await RawClient.open(port);
        const full = message(1, simpleBind(ADMIN_DN, ADMIN_PASSWORD));
        // Announce 300 octets of content but send only a valid-looking prefix.
        const head = Buffer.from([0x30, 0x82, 0x01, 0x2c]);
        c.send(head, full.subarray(2, 20));
        await sleep(50);
        if (how === 'end') {
          c.socket.end();
          await c.waitClosed();
        } else {
          c.destroy();
        }
        expect(c.messages, 'nothing answered for an incomplete message').to.deep.equal([]);
      }
      await sleep(100);
      await expectServerAnswers();
    });

    it('a complete message split into one-octet writes is answered', async () => {
      const c = await RawClient.open(port);
      const bind = message(1, simpleBind(ADMIN_DN, ADMIN_PASSWORD));
      for (const octet of bind) {
        c.send(Buffer.from([octet]));
        await sleep(1);
      }
      expect((await c.result(1)).resultCode).to.equal(0);
      c.destroy();
      await expectServerAnswers();
    });
  });

  describe('message size limits', () => {
    it('an anonymous client announcing 100 MiB gets a Notice of Disconnection at once and is closed', async () => {
      const c = await RawClient.open(port);
      const started = Date.now();
      // 30 84 06400000: an LDAPMessage of 100 MiB, followed by the start of a search.
      c.send(Buffer.from([0x30, 0x84, 0x06, 0x40, 0x00, 0x00, 0x02, 0x01, 0x01, 0x63, 0x84, 0x06, 0x3f, 0xff, 0xf0]));
      await c.waitClosed(5000);
      expect(Date.now() - started, 'disconnected without waiting for the body').to.be.below(3000);
      expectNotice(c.messages[0]);
      expect(c.messages[0].diagnosticMessage).to.be.a('string').and.not.equal('');
      await expectServerAnswers();
    });

    it('an anonymous client sending 1 MiB slowly is disconnected once the header is read', async () => {
      const c = await RawClient.open(port);
      c.send(Buffer.from([0x30, 0x83, 0x10, 0x00, 0x00])); // 1 MiB announced
      let sent = 5;
      const chunk = Buffer.alloc(2048, 0x04);
      while (sent < 300 * 1024 && !c.closed && c.messages.length === 0) {
        await sleep(5);
        if (c.messages.length || c.closed) break;
        c.send(chunk);
        sent += chunk.length;
      }
      const sentWhenAnswered = sent;
      await c.waitClosed(5000);
      expectNotice(c.messages[0]);
      // 256 KiB is the anonymous limit: a server that buffered up to it before deciding would be late.
      expect(sentWhenAnswered, 'octets sent before the notice').to.be.below(64 * 1024);
      await expectServerAnswers();
    });

    it('an anonymous message just over 256 KiB is refused, a bound client may send 1 MiB', async () => {
      const big = 'a'.repeat(1024 * 1024);
      const anon = await RawClient.open(port);
      anon.send(message(1, search({ base: BASE, filter: equality('description', 'a'.repeat(256 * 1024)) })));
      await anon.waitClosed();
      expectNotice(anon.messages[0]);

      const bound = await RawClient.open(port);
      await bound.bindAdmin(1);
      bound.send(message(2, search({ base: BASE, filter: equality('description', big) })));
      const done = await bound.result(2);
      expect(done.tag).to.equal(TAG.searchResultDone);
      expect(done.resultCode, done.diagnosticMessage).to.equal(0);
      expect(bound.entries(2)).to.have.length(0);
      bound.destroy();
      await expectServerAnswers();
    });

    it('a bound client announcing 100 MiB (over the 8 MiB limit) gets a Notice of Disconnection', async () => {
      const c = await RawClient.open(port);
      await c.bindAdmin(1);
      c.send(Buffer.from([0x30, 0x84, 0x06, 0x40, 0x00, 0x00, 0x02, 0x01, 0x02]));
      await c.waitClosed(5000);
      const notice = c.messages.find((m) => m.id === 0);
      expectNotice(notice);
      await expectServerAnswers();
    });
  });

  describe('operations a client may get wrong', () => {
    it('a SASL bind gets authMethodNotSupported (7) and the connection stays usable', async () => {
      const c = await RawClient.open(port);
      c.send(message(1, saslBind('EXTERNAL')));
      const r = await c.result(1);
      expect(r.tag).to.equal(TAG.bindResponse);
      expect(r.resultCode).to.equal(7);
      c.send(message(2, saslBind('DIGEST-MD5', Buffer.from('junk'))));
      expect((await c.result(2)).resultCode).to.equal(7);
      await c.bindAdmin(3);
      c.send(message(4, adminSearch()));
      const done = await c.result(4);
      expect(done.resultCode).to.equal(0);
      expect(c.entries(4)).to.have.length(1);
      c.destroy();
      await expectServerAnswers();
    });

    it('an unknown critical control on a search gets unavailableCriticalExtension (12)', async () => {
      const c = await RawClient.open(port);
      await c.bindAdmin(1);
      c.send(message(2, adminSearch(), [control('1.3.6.1.4.1.99999.1.2.3', true)]));
      const done = await c.result(2);
      expect(done.tag).to.equal(TAG.searchResultDone);
      expect(done.resultCode).to.equal(12);
      expect(c.entries(2)).to.have.length(0);
      c.destroy();
      await expectServerAnswers();
    });

    it('an unknown non-critical control on a search is ignored', async () => {
      const c = await RawClient.open(port);
      await c.bindAdmin(1);
      c.send(message(2, adminSearch(), [control('1.3.6.1.4.1.99999.1.2.3', false, Buffer.from('whatever'))]));
      const done = await c.result(2);
      expect(done.resultCode, done.diagnosticMessage).to.equal(0);
      expect(c.entries(2).map((e) => e.dn)).to.deep.equal([ADMIN_DN]);
      c.destroy();
      await expectServerAnswers();
    });

    it('a bind with version 2 gets protocolError (2)', async () => {
      const c = await RawClient.open(port);
      c.send(message(1, simpleBind(ADMIN_DN, ADMIN_PASSWORD, 2)));
      const r = await c.result(1);
      expect(r.tag).to.equal(TAG.bindResponse);
      expect(r.resultCode).to.equal(2);
      // Not bound: a search is refused.
      c.send(message(2, adminSearch()));
      const done = await c.result(2);
      expect(done.resultCode).to.equal(50);
      c.destroy();
      await expectServerAnswers();
    });

    it('an unsupported extended operation gets protocolError (2) with a diagnosticMessage', async () => {
      const c = await RawClient.open(port);
      await c.bindAdmin(1);
      c.send(message(2, extended('1.3.6.1.4.1.99999.9.9', berSequence([]))));
      const r = await c.result(2);
      expect(r.tag).to.equal(TAG.extendedResponse);
      expect(r.resultCode).to.equal(2);
      expect(r.diagnosticMessage).to.be.a('string').and.not.equal('');
      // The connection is still usable.
      c.send(message(3, adminSearch()));
      expect((await c.result(3)).resultCode).to.equal(0);
      c.destroy();
      await expectServerAnswers();
    });

    it('unbind closes the connection without a response', async () => {
      const c = await RawClient.open(port);
      await c.bindAdmin(1);
      c.send(message(2, unbind()));
      await c.waitClosed(5000);
      expect(c.messages.filter((m) => m.id === 2)).to.deep.equal([]);
      await expectServerAnswers();
    });

    it('requests after an unbind in the same write are not answered', async () => {
      const c = await RawClient.open(port);
      await c.bindAdmin(1);
      c.send(message(2, unbind()), message(3, adminSearch()));
      await c.waitClosed(5000);
      expect(c.messages.filter((m) => m.id === 3)).to.deep.equal([]);
      await expectServerAnswers();
    });
  });

  describe('load', () => {
    it('5,000 pipelined searches in one write: 5,000 SearchResultDone, each msgid once, each with its entry', async () => {
      const c = await RawClient.open(port);
      await c.bindAdmin(1);
      const N = 5000;
      const requests: Buffer[] = [];
      for (let id = 2; id < N + 2; id++) requests.push(message(id, adminSearch()));
      c.send(Buffer.concat(requests));
      const dones = () => c.messages.filter((m) => m.tag === TAG.searchResultDone);
      await c.until(() => dones().length >= N || c.closed, `${N} SearchResultDone`, 60000);
      const done = dones();
      expect(done).to.have.length(N);
      const ids = new Set(done.map((m) => m.id));
      expect(ids.size, 'each msgid once').to.equal(N);
      for (let id = 2; id < N + 2; id++) expect(ids.has(id), `msgid ${id}`).to.equal(true);
      expect(
        done.every((m) => m.resultCode === 0),
        'all succeed',
      ).to.equal(true);
      const entries = c.messages.filter((m) => m.tag === TAG.searchResultEntry);
      expect(entries).to.have.length(N);
      const perId = new Map<number, number>();
      for (const e of entries) {
        expect(e.dn).to.equal(ADMIN_DN);
        perId.set(e.id, (perId.get(e.id) ?? 0) + 1);
      }
      for (let id = 2; id < N + 2; id++) expect(perId.get(id), `entries for msgid ${id}`).to.equal(1);
      // Each entry comes before its own SearchResultDone.
      const doneAt = new Map<number, number>();
      c.messages.forEach((m, i) => m.tag === TAG.searchResultDone && doneAt.set(m.id, i));
      c.messages.forEach((m, i) => {
        if (m.tag === TAG.searchResultEntry) expect(i).to.be.below(doneAt.get(m.id)!);
      });
      expect(c.closed).to.equal(false);
      c.destroy();
      await expectServerAnswers();
    });

    it('an Abandon pipelined right behind a big search: no entries after it, no SearchResultDone', async () => {
      const c = await RawClient.open(port);
      await c.bindAdmin(1);
      c.send(message(2, allPeople(0)), message(3, abandon(2)));
      // A later search on the same connection is a barrier: its response comes after anything search 2 wrote.
      c.send(message(4, adminSearch()));
      expect((await c.result(4, 30000)).resultCode).to.equal(0);
      await sleep(200);
      expect(c.entries(2).length, 'entries of the abandoned search').to.be.below(PEOPLE_COUNT);
      expect(
        c.messages.filter((m) => m.id === 2 && m.tag === TAG.searchResultDone),
        'no response to an abandoned search',
      ).to.deep.equal([]);
      expect(
        c.messages.filter((m) => m.id === 3),
        'Abandon has no response',
      ).to.deep.equal([]);
      c.destroy();
      await expectServerAnswers();
    });

    // The search yields to the event loop between pages, so an Abandon that arrives while it streams stops it.
    it('Abandon stops a running search of all people: fewer entries, and no SearchResultDone for it', async () => {
      const c = await RawClient.open(port);
      await c.bindAdmin(1);
      // The search is running once its first entry arrives: abandon it then.
      const abandoned = c.until(() => c.entries(2).length > 0, 'the first entry').then(() => c.send(message(3, abandon(2))));
      c.send(message(2, allPeople(0)));
      await abandoned;
      await sleep(500);
      // A later search on the same connection is a barrier: its response comes after anything search 2 wrote.
      c.send(message(4, adminSearch()));
      expect((await c.result(4, 30000)).resultCode).to.equal(0);
      await sleep(200);
      expect(c.entries(2).length, 'entries of the abandoned search').to.be.below(PEOPLE_COUNT);
      expect(
        c.messages.filter((m) => m.id === 2 && m.tag === TAG.searchResultDone),
        'no response to an abandoned search',
      ).to.deep.equal([]);
      expect(
        c.messages.filter((m) => m.id === 3),
        'Abandon has no response',
      ).to.deep.equal([]);
      c.destroy();
      await expectServerAnswers();
    });

    // Between pages of one client's big search, other clients are served.
    it("another client is answered while one client's big search is still streaming", async () => {
      const big = await RawClient.open(port);
      const other = await RawClient.open(port);
      await big.bindAdmin(1);
      await other.bindAdmin(1);
      const asked = big.until(() => big.entries(2).length > 0, 'the first entry').then(() => other.send(message(2, adminSearch())));
      big.send(message(2, allPeople(0)));
      await asked;
      await other.result(2);
      const otherAnsweredAfterEntries = big.entries(2).length;
      const bigDone = big.messages.some((m) => m.id === 2 && m.tag === TAG.searchResultDone);
      await big.result(2, 30000);
      big.destroy();
      other.destroy();
      expect(bigDone, `the other client was answered only after the big search ended (${otherAnsweredAfterEntries} entries in)`).to.equal(false);
    });

    it('the same search, not abandoned, returns all 1,000 people (admin has no size limit)', async () => {
      const c = await RawClient.open(port);
      await c.bindAdmin(1);
      c.send(message(2, allPeople(0)));
      const done = await c.result(2, 30000);
      expect(done.resultCode, done.diagnosticMessage).to.equal(0);
      // ou=people holds the imported people and the admin.
      expect(c.entries(2)).to.have.length(PEOPLE_COUNT + 1);
      c.destroy();
    });

    it('200 connections at once: each binds, searches and closes, all answered', async () => {
      const N = 200;
      const run = async (i: number) => {
        const c = await RawClient.open(port);
        try {
          await c.bindAdmin(1);
          c.send(message(2, search({ base: PEOPLE, filter: equality('uid', `user${String(i).padStart(4, '0')}`) })));
          const done = await c.result(2, 30000);
          expect(done.resultCode).to.equal(0);
          expect(c.entries(2).map((e) => e.dn)).to.deep.equal([`uid=user${String(i).padStart(4, '0')},${PEOPLE}`]);
          c.send(message(3, unbind()));
          await c.waitClosed();
        } finally {
          c.destroy();
        }
      };
      const results = await Promise.allSettled(Array.from({ length: N }, (_, i) => run(i)));
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(failed.map((f) => String(f.reason)).slice(0, 5), `${failed.length} of ${N} failed`).to.deep.equal([]);
      await expectServerAnswers();
    });

    it('a client that sends 2,000 big searches and never reads: memory stays bounded, others are served', async () => {
      const pid = server.process.pid!;
      const baseline = rssBytes(pid);
      const hog = await RawClient.open(port);
      await hog.bindAdmin(1);
      hog.socket.pause(); // never read again
      const requests: Buffer[] = [];
      for (let id = 2; id < 2002; id++) requests.push(message(id, allPeople(0)));
      hog.send(Buffer.concat(requests));

      let peak = baseline;
      const deadline = Date.now() + 4000;
      let served = 0;
      while (Date.now() < deadline) {
        await sleep(250);
        peak = Math.max(peak, rssBytes(pid));
        const started = Date.now();
        await expectServerAnswers();
        expect(Date.now() - started, 'another client is answered promptly').to.be.below(5000);
        served++;
        peak = Math.max(peak, rssBytes(pid));
      }
      if (process.env.CAIRN_TEST_VERBOSE) console.log(`      peak RSS ${Math.round(peak / 1048576)} MiB, baseline ${Math.round(baseline / 1048576)} MiB`);
      expect(served).to.be.greaterThan(3);
      expect(peak, `peak RSS ${Math.round(peak / 1048576)} MiB (baseline ${Math.round(baseline / 1048576)} MiB)`).to.be.below(300 * 1024 * 1024);
      hog.destroy();
      await sleep(500);
      await expectServerAnswers();
      // After the hog is gone its searches stop: memory does not keep climbing.
      await sleep(1000);
      expect(rssBytes(pid)).to.be.below(300 * 1024 * 1024);
    });
  });

  describe('at the end', () => {
    it('the server is still alive and its stderr shows no crash', async () => {
      await expectServerAnswers();
      expect(server.stderr()).to.not.match(/uncaught|unhandled|RangeError|TypeError/i);
    });
  });
});

describe('connection limit and idle timeout (cairn serve with small limits)', function () {
  this.timeout(60000);
  let data: string;
  let server: RunningServer;

  before(async () => {
    data = initData();
    server = await startServer(data, { CAIRN_SERVER_MAX_CONNECTIONS: '5', CAIRN_SERVER_IDLE_TIMEOUT_SECONDS: '2', CAIRN_SERVER_WORKERS: '1' });
  });

  after(async () => {
    if (server) await server.stop();
    if (data) removeData(data);
  });

  async function searchOn(c: RawClient, id: number) {
    c.send(message(id, adminSearch()));
    const done = await c.result(id);
    expect(done.resultCode, done.diagnosticMessage).to.equal(0);
    expect(c.entries(id)).to.have.length(1);
  }

  it('the connection over the limit gets a Notice of Disconnection with busy (51); a freed slot is reused', async () => {
    const held: RawClient[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await RawClient.open(server.port);
      await c.bindAdmin(1);
      held.push(c);
    }
    const extra = await RawClient.open(server.port);
    await extra.waitClosed();
    expectNotice(extra.messages[0], 51);
    // The five held connections still work.
    for (const c of held) await searchOn(c, 2);
    held.pop()!.destroy();
    await sleep(200);
    const again = await RawClient.open(server.port);
    await again.bindAdmin(1);
    await searchOn(again, 2);
    for (const c of [...held, again]) c.destroy();
    await sleep(200);
  });

  it('an idle connection is closed after the idle timeout; an active one is not', async () => {
    const idle = await RawClient.open(server.port);
    await idle.bindAdmin(1);
    const active = await RawClient.open(server.port);
    await active.bindAdmin(1);
    const started = Date.now();
    let id = 2;
    while (!idle.closed && Date.now() - started < 6000) {
      await searchOn(active, id++);
      await sleep(500);
    }
    expect(idle.closed, 'the idle connection was closed').to.equal(true);
    const after = Date.now() - started;
    expect(after).to.be.at.least(1500);
    expect(after).to.be.below(5000);
    expect(active.closed, 'the active connection stays open').to.equal(false);
    await searchOn(active, id);
    active.destroy();
  });
});
