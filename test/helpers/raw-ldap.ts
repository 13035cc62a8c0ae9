/**
 * A raw LDAP client for tests: writes whatever bytes it is given (whole, partial or malformed messages),
 * frames and parses whatever the server sends back, and sees Notices of Disconnection.
 */
import { expect } from 'chai';
import { connect, type Socket } from 'node:net';
import { ADMIN_DN, ADMIN_PASSWORD, BASE } from './server';
import { berBoolean, berEnumerated, berInteger, berOctetString, berSequence } from '../../src/wire/protocol/ber-write';
import { BerReader } from '../../src/wire/protocol/ber-read';
import { frameLength } from '../../src/wire/protocol/frame';

export const NOTICE_OF_DISCONNECTION = '1.3.6.1.4.1.1466.20036';

/** Response protocolOp tags (RFC 4511 Appendix B). */
export const TAG = {
  bindResponse: 0x61,
  searchResultEntry: 0x64,
  searchResultDone: 0x65,
  searchResultReference: 0x73,
  extendedResponse: 0x78,
} as const;
export const RESULT_TAGS = new Set([0x61, 0x65, 0x67, 0x69, 0x6b, 0x6d, 0x6f, 0x78]);

// ---------------------------------------------------------------------------------------------------
// Requests, built with Cairn's BER helpers.

export const SCOPE = { base: 0, one: 1, sub: 2 } as const;

export function control(oid: string, critical: boolean, value?: Buffer): Buffer {
  return berSequence([berOctetString(oid), ...(critical ? [berBoolean(true)] : []), ...(value ? [berOctetString(value)] : [])]);
}

export function message(id: number, op: Buffer, controls: Buffer[] = []): Buffer {
  return berSequence([berInteger(id), op, ...(controls.length ? [berSequence(controls, 0xa0)] : [])]);
}

export function simpleBind(dn: string, password: string, version = 3): Buffer {
  return berSequence([berInteger(version), berOctetString(dn), berOctetString(password, 0x80)], 0x60);
}

export function saslBind(mechanism: string, credentials?: Buffer): Buffer {
  const sasl = berSequence([berOctetString(mechanism), ...(credentials ? [berOctetString(credentials)] : [])], 0xa3);
  return berSequence([berInteger(3), berOctetString(''), sasl], 0x60);
}

export const equality = (attr: string, value: string) => berSequence([berOctetString(attr), berOctetString(value)], 0xa3);
export const present = (attr: string) => berOctetString(attr, 0x87);

export function search(o: { base: string; scope?: keyof typeof SCOPE; filter: Buffer; sizeLimit?: number; attributes?: string[] }): Buffer {
  return berSequence(
    [
      berOctetString(o.base),
      berEnumerated(SCOPE[o.scope ?? 'sub']),
      berEnumerated(0),
      berInteger(o.sizeLimit ?? 0),
      berInteger(0),
      berBoolean(false),
      o.filter,
      berSequence((o.attributes ?? []).map((a) => berOctetString(a))),
    ],
    0x63,
  );
}

export const adminSearch = () => search({ base: BASE, filter: equality('uid', 'admin') });
export const abandon = (id: number) => berInteger(id, 0x50);
export const unbind = () => Buffer.from([0x42, 0x00]);
export const extended = (oid: string, value?: Buffer) => berSequence([berOctetString(oid, 0x80), ...(value ? [berOctetString(value, 0x81)] : [])], 0x77);

// ---------------------------------------------------------------------------------------------------
// Responses, read with Cairn's BER reader.

export interface Msg {
  id: number;
  tag: number;
  resultCode?: number;
  matchedDN?: string;
  diagnosticMessage?: string;
  responseName?: string;
  responseValue?: Buffer;
  dn?: string;
  attributes?: Record<string, string[]>;
}

export function skip(r: BerReader, tag: number) {
  const len = r.readHeader(tag);
  r.offset += len;
}

export function parseMessage(buf: Buffer): Msg {
  const r = new BerReader(buf);
  r.enter(0x30);
  const id = r.readInteger();
  const tag = r.peekTag();
  r.enter(tag);
  const m: Msg = { id, tag };
  if (tag === TAG.searchResultEntry) {
    m.dn = r.readString();
    m.attributes = {};
    r.enter(0x30);
    while (!r.atEnd()) {
      const outer = r.enter(0x30);
      const type = r.readString();
      const set = r.enter(0x31);
      const values: string[] = [];
      while (!r.atEnd()) values.push(r.readString());
      r.leave(set);
      r.leave(outer);
      m.attributes[type] = values;
    }
  } else if (RESULT_TAGS.has(tag)) {
    m.resultCode = r.readEnumerated();
    m.matchedDN = r.readString();
    m.diagnosticMessage = r.readString();
    if (r.peekTag() === 0xa3) skip(r, 0xa3);
    if (tag === TAG.extendedResponse) {
      if (r.peekTag() === 0x8a) m.responseName = r.readString(0x8a);
      if (r.peekTag() === 0x8b) m.responseValue = r.readBytes(0x8b);
    }
  }
  return m;
}

/** A raw LDAP client: writes whatever it is given, frames and parses whatever comes back. */
export class RawClient {
  readonly messages: Msg[] = [];
  closed = false;
  bytesReceived = 0;
  private pending: Buffer = Buffer.alloc(0);
  private listeners = new Set<() => void>();
  parseError?: Error;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined); // ECONNRESET/EPIPE after the server hangs up are expected
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  /** `from` is the client's own address (any of 127.0.0.0/8), to act as different clients. */
  static open(port: number, from?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port, localAddress: from }, () => {
        s.off('error', reject);
        resolve(new RawClient(s));
      });
      s.once('error', reject);
    });
  }

  private onData(chunk: Buffer) {
    this.bytesReceived += chunk.length;
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let offset = 0;
    while (true) {
      const f = frameLength(this.pending, offset);
      if (f === 'incomplete') break;
      if ('error' in f) {
        this.parseError = new Error(`server sent unframeable data: ${f.error}`);
        break;
      }
      const total = f.headerLength + f.bodyLength;
      if (this.pending.length - offset < total) break;
      try {
        this.messages.push(parseMessage(this.pending.subarray(offset, offset + total)));
      } catch (err) {
        this.parseError = err as Error;
      }
      offset += total;
    }
    this.pending = offset === this.pending.length ? Buffer.alloc(0) : Buffer.from(this.pending.subarray(offset));
    this.notify();
  }

  private notify() {
    for (const l of [...this.listeners]) l();
  }

  send(...parts: Buffer[]) {
    if (!this.socket.destroyed) this.socket.write(parts.length === 1 ? parts[0] : Buffer.concat(parts));
  }

  /** Resolves once `pred` holds, checked after each message and on close; rejects after `ms`. */
  until(pred: () => boolean, what: string, ms = 10000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.parseError) {
          done();
          reject(this.parseError);
        } else if (pred()) {
          done();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${ms} ms waiting for ${what} (${this.messages.length} messages, closed: ${this.closed})`));
      }, ms);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** The final response (one carrying an LDAPResult) for `id`. */
  async result(id: number, ms = 10000): Promise<Msg> {
    const find = () => this.messages.find((m) => m.id === id && RESULT_TAGS.has(m.tag));
    await this.until(() => find() !== undefined, `the response to message ${id}`, ms);
    return find()!;
  }

  entries(id: number): Msg[] {
    return this.messages.filter((m) => m.id === id && m.tag === TAG.searchResultEntry);
  }

  async waitClosed(ms = 5000) {
    await this.until(() => this.closed, 'the server to close the connection', ms);
  }

  async bindAdmin(id = 1) {
    this.send(message(id, simpleBind(ADMIN_DN, ADMIN_PASSWORD)));
    const r = await this.result(id);
    expect(r.tag, 'bindResponse').to.equal(TAG.bindResponse);
    expect(r.resultCode, `bind: ${r.diagnosticMessage}`).to.equal(0);
  }

  destroy() {
    this.socket.destroy();
  }
}

export function expectNotice(m: Msg | undefined, resultCode = 2) {
  expect(m, 'a Notice of Disconnection').to.not.equal(undefined);
  expect(m!.id, 'notice messageID').to.equal(0);
  expect(m!.tag, 'notice is an extendedResponse').to.equal(TAG.extendedResponse);
  expect(m!.responseName).to.equal(NOTICE_OF_DISCONNECTION);
  expect(m!.resultCode).to.equal(resultCode);
}
