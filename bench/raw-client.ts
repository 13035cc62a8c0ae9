// A minimal LDAP client for the benchmarks and the crash test: one request at a time on a connection,
// each resolving with the result code of the response that ends it (or rejecting when the connection
// drops). Bind, a uid search, add and modify (replace) are all it speaks.
import { connect, type Socket } from 'net';
import { frameLength } from '../src/wire/protocol/frame';
import { berBoolean, berEnumerated, berInteger, berOctetString, berSequence } from '../src/wire/protocol/ber-write';

export class RawClient {
  private buf: Buffer = Buffer.alloc(0);
  private waiting?: { done: number; resolve: (code: number) => void; reject: (err: Error) => void };
  private id = 0;
  private closed = false;
  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      const w = this.waiting;
      this.waiting = undefined;
      w?.reject(new Error('connection closed'));
    });
  }

  static open(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host, localAddress }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private onData(d: Buffer) {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    for (;;) {
      const f = frameLength(this.buf, 0);
      if (f === 'incomplete' || 'error' in f) return;
      const total = f.headerLength + f.bodyLength;
      if (this.buf.length < total) return;
      const msg = this.buf.subarray(0, total);
      this.buf = this.buf.subarray(total);
      // LDAPMessage: 30 len 02 len id <op tag> len 0a 01 <code> ...
      const idLen = msg[f.headerLength + 1];
      const opAt = f.headerLength + 2 + idLen;
      const w = this.waiting;
      if (w && msg[opAt] === w.done) {
        this.waiting = undefined;
        const lenByte = msg[opAt + 1];
        const codeAt = opAt + 2 + (lenByte & 0x80 ? lenByte & 0x7f : 0) + 2;
        w.resolve(msg[codeAt]);
      }
    }
  }

  private request(op: Buffer, doneTag: number): Promise<number> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    const id = ++this.id;
    return new Promise((resolve, reject) => {
      this.waiting = { done: doneTag, resolve, reject };
      this.socket.write(berSequence([berInteger(id), op]));
    });
  }

  bind(dn: string, password: string): Promise<number> {
    return this.request(berSequence([berInteger(3), berOctetString(dn), berOctetString(password, 0x80)], 0x60), 0x61);
  }

  /** A subtree search for one uid, no attributes asked for; resolves with the searchResultDone code. */
  searchUid(base: string, uid: string): Promise<number> {
    const filter = berSequence([berOctetString('uid'), berOctetString(uid)], 0xa3);
    return this.request(
      berSequence([berOctetString(base), berEnumerated(2), berEnumerated(0), berInteger(0), berInteger(0), berBoolean(false), filter, berSequence([])], 0x63),
      0x65,
    );
  }

  add(dn: string, attributes: [string, string[]][]): Promise<number> {
    const attrs = attributes.map(([type, values]) =>
      berSequence([
        berOctetString(type),
        berSequence(
          values.map((v) => berOctetString(v)),
          0x31,
        ),
      ]),
    );
    return this.request(berSequence([berOctetString(dn), berSequence(attrs)], 0x68), 0x69);
  }

  /** A modify with one replace: what `ldapmodify` sends for `replace: type`. */
  replace(dn: string, type: string, values: string[]): Promise<number> {
    const change = berSequence([
      berEnumerated(2),
      berSequence([
        berOctetString(type),
        berSequence(
          values.map((v) => berOctetString(v)),
          0x31,
        ),
      ]),
    ]);
    return this.request(berSequence([berOctetString(dn), berSequence([change])], 0x66), 0x67);
  }

  close() {
    this.socket.destroy();
  }
}
