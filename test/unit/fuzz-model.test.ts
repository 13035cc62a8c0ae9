/**
 * The fuzzer's own parts: messages are the same for the same seed and index, and the batch model
 * predicts what the connection loop does with the octets it is sent.
 */
import { expect } from 'chai';
import { generateMessage } from '../fuzz/generator';
import { BatchModel } from '../fuzz/predict';
import { bool, cons, encodeNode, int, seq, str } from '../fuzz/ber-tree';
import { messageSeed, Rng } from '../fuzz/prng';

const whoami = (id: number) => encodeNode(seq([int(id), cons(0x77, [str('1.3.6.1.4.1.4203.1.11.3', 0x80)])]));
const search = (id: number) =>
  encodeNode(seq([int(id), cons(0x63, [str(''), int(0, 0x0a), int(0, 0x0a), int(0), int(0), bool(false), str('objectClass', 0x87), seq([])])]));

function model(...messages: Buffer[]): BatchModel {
  const m = new BatchModel();
  messages.forEach((b, i) => m.add(i, b));
  m.finish();
  return m;
}

describe('fuzzer: generator and batch model', () => {
  it('the PRNG and the generator reproduce from the seed alone', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    for (let i = 0; i < 100; i++) expect(a.next()).to.equal(b.next());
    expect(messageSeed(1, 2)).to.not.equal(messageSeed(1, 3));
    for (const i of [0, 1, 77, 5000]) expect(generateMessage(7, i).bytes.equals(generateMessage(7, i).bytes)).to.equal(true);
    const distinct = new Set(Array.from({ length: 200 }, (_, i) => generateMessage(7, i).bytes.toString('hex')));
    expect(distinct.size).to.be.greaterThan(190);
  });

  it('generates every operation, damaged about half the time', () => {
    const ops = new Map<string, number>();
    let mutated = 0;
    for (let i = 0; i < 2000; i++) {
      const m = generateMessage(1, i);
      ops.set(m.op, (ops.get(m.op) ?? 0) + 1);
      if (m.mutated) mutated++;
    }
    expect([...ops.keys()].sort()).to.deep.equal(['abandon', 'add', 'bind', 'compare', 'delete', 'extended', 'modify', 'modifyDN', 'search', 'unbind']);
    expect(mutated).to.be.within(800, 1200);
  });

  it('readable requests are owed one answer each, by messageID', () => {
    const m = model(whoami(5), search(6), whoami(5));
    expect(m.terminal).to.equal(undefined);
    expect([...m.owed]).to.deep.equal([
      [5, 2],
      [6, 1],
    ]);
  });

  it('an unreadable message: disconnect, and nothing after it counts', () => {
    const bad = Buffer.from([0x30, 0x03, 0x02, 0x01, 0xff]); // messageID -1
    const m = model(whoami(1), bad, whoami(2));
    expect(m.terminal).to.equal('disconnect');
    expect(m.terminalIndex).to.equal(1);
    expect(m.owed.has(2)).to.equal(false);
    expect(model(Buffer.from('GET / HTTP/1.1\r\n')).terminal).to.equal('disconnect');
  });

  it('an incomplete message: the client must half-close; a frame too large is refused', () => {
    expect(model(whoami(1).subarray(0, 7)).terminal).to.equal('halfClose');
    expect(model(Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xf0])).terminal).to.equal('disconnect');
    expect(model(Buffer.from([0x30, 0x83, 0x10, 0x00, 0x00, 0x02])).terminal).to.equal('halfClose');
  });

  it('unbind and StartTLS end the batch; abandon makes its target optional', () => {
    expect(model(whoami(1), encodeNode(seq([int(2), str('', 0x42)]))).terminal).to.equal('unbind');
    const tls = model(encodeNode(seq([int(3), cons(0x77, [str('1.3.6.1.4.1.1466.20037', 0x80)])])));
    expect(tls.terminal).to.equal('startTLS');
    expect(tls.startTLSId).to.equal(3);
    const ab = model(search(4), encodeNode(seq([int(5), int(4, 0x50)])));
    expect(ab.terminal).to.equal(undefined);
    expect(ab.owed.has(4)).to.equal(false);
  });
});
