/**
 * Reads what the server sends: frames LDAPMessages and takes messageID, protocolOp tag, the resultCode
 * (the first ENUMERATED of an LDAPResult) and, for an ExtendedResponse, its responseName.
 */
import { BerReader } from '../../src/wire/protocol/ber-read';
import { frameLength } from '../../src/wire/protocol/frame';

export const NOTICE_OF_DISCONNECTION = '1.3.6.1.4.1.1466.20036';
/** protocolOps that carry an LDAPResult and end an operation. */
export const RESULT_TAGS = new Set([0x61, 0x65, 0x67, 0x69, 0x6b, 0x6d, 0x6f, 0x78]);
const ENTRY_TAGS = new Set([0x64, 0x73, 0x79]);

export interface Response {
  id: number;
  tag: number;
  /** Set for final responses. */
  resultCode?: number;
  notice: boolean;
}

export class ResponseReader {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds octets; returns the whole messages they complete. Throws on what no LDAP server may send. */
  feed(chunk: Buffer): Response[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Response[] = [];
    let offset = 0;
    for (;;) {
      const f = frameLength(this.buf, offset);
      if (f === 'incomplete') break;
      if ('error' in f) throw new Error(`unframeable response: ${f.error}`);
      const total = f.headerLength + f.bodyLength;
      if (this.buf.length - offset < total) break;
      out.push(parse(this.buf.subarray(offset, offset + total)));
      offset += total;
    }
    this.buf = offset === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(offset);
    return out;
  }
}

function parse(msg: Buffer): Response {
  const r = new BerReader(msg);
  r.enter(0x30);
  const id = r.readInteger();
  const tag = r.peekTag();
  if (ENTRY_TAGS.has(tag)) return { id, tag, notice: false };
  if (!RESULT_TAGS.has(tag)) throw new Error(`unexpected response tag 0x${tag.toString(16)}`);
  r.enter(tag);
  const resultCode = r.readEnumerated();
  let notice = false;
  if (tag === 0x78 && id === 0) {
    r.readString();
    r.readString();
    if (r.peekTag() === 0xa3) r.offset += r.readHeader(0xa3);
    notice = r.peekTag() === 0x8a && r.readString(0x8a) === NOTICE_OF_DISCONNECTION;
  }
  return { id, tag, resultCode, notice };
}
