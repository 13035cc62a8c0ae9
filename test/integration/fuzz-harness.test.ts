/**
 * The fuzzer finds what it is there to find: against stand-in servers (in this process, on loopback)
 * that never answer, or answer everything with 80, it reports hangs and internal errors with the seed,
 * the message indices and their octets.
 */
import { expect } from 'chai';
import { createServer, type Server, type Socket } from 'node:net';
import { runFuzz } from '../fuzz/driver';
import { frameLength } from '../../src/wire/protocol/frame';
import { BerReader } from '../../src/wire/protocol/ber-read';
import { berEnumerated, berInteger, berOctetString, berSequence } from '../../src/wire/protocol/ber-write';

function standIn(onSocket: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer(onSocket);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

/** Answers every readable message with searchResultDone 80; closes on anything else. */
function answers80(s: Socket) {
  let buf = Buffer.alloc(0);
  s.on('error', () => undefined);
  s.on('end', () => s.end());
  s.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      const f = frameLength(buf, 0);
      if (f === 'incomplete') return;
      if ('error' in f) return void s.destroy();
      const n = f.headerLength + f.bodyLength;
      if (buf.length < n) return;
      let id: number;
      try {
        const r = new BerReader(buf.subarray(0, n));
        r.enter(0x30);
        id = r.readInteger();
      } catch {
        return void s.destroy();
      }
      buf = buf.subarray(n);
      s.write(berSequence([berInteger(id), berSequence([berEnumerated(80), berOctetString(''), berOctetString('')], 0x65)]));
    }
  });
}

describe('protocol fuzzer: its checks', function () {
  this.timeout(30000);

  it('a server that never answers: hangs, with seed, indices and octets', async () => {
    const { server, port } = await standIn((s) => s.on('error', () => undefined));
    try {
      const report = await runFuzz({ port, seed: 9, messages: 20, connections: 2, deadlineMs: 300, adminPassword: 'x', isAlive: () => true });
      expect(report.hangs).to.be.greaterThan(0);
      const hang = report.findings.find((f) => f.kind === 'hang' && f.indices.length > 0)!;
      expect(hang.seed).to.equal(9);
      expect(hang.hex[0]).to.match(/^30/);
    } finally {
      server.close();
    }
  });

  it('a server that answers 80: internal errors, naming the message that got it', async () => {
    const sockets: Socket[] = [];
    const { server, port } = await standIn((s) => {
      sockets.push(s);
      answers80(s);
    });
    try {
      const report = await runFuzz({ port, seed: 9, messages: 40, connections: 2, deadlineMs: 500, adminPassword: 'x', isAlive: () => true });
      expect(report.internal).to.be.greaterThan(0);
      expect(report.codes[80]).to.be.greaterThan(0);
      const f = report.findings.find((x) => x.kind === 'internal')!;
      expect(f.detail).to.match(/resultCode 80 for messageID \d+/);
      expect(f.indices.length).to.be.greaterThan(0);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });
});
