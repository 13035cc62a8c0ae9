import { valueFromBytes } from '../../bytes';
/**
 * A small, strict BER reader for LDAP (RFC 4511 section 5.1 restrictions of X.690 BER):
 * single-octet tags only, definite lengths of at most 4 length octets, primitive OCTET STRINGs.
 * Every malformation is reported as a ProtocolError; nothing else is ever thrown for bad input.
 */

/** A malformed LDAP PDU. messageId and opTag are set when they had been read before the fault. */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly messageId?: number,
    readonly opTag?: number,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}

export class BerReader {
  /** Absolute position of the next unread octet in `buf`. */
  offset: number;
  /** Absolute end of the innermost container being read (exclusive). */
  end: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    end = buf.length,
  ) {
    if (offset < 0 || end > buf.length || offset > end) throw new RangeError('BerReader: bad bounds');
    this.offset = offset;
    this.end = end;
  }

  /** True when the innermost container has no more octets. */
  atEnd(): boolean {
    return this.offset >= this.end;
  }

  /** The next tag octet, or -1 at the end of the current container. */
  peekTag(): number {
    return this.offset < this.end ? this.buf[this.offset] : -1;
  }

  /** Reads tag and length of the next element, which must carry `tag`; returns the content length. */
  readHeader(tag: number): number {
    const buf = this.buf;
    let pos = this.offset;
    if (pos >= this.end) throw new ProtocolError(`expected tag 0x${hex(tag)}, found end of data`);
    const found = buf[pos++];
    if (found !== tag) throw new ProtocolError(`expected tag 0x${hex(tag)}, found 0x${hex(found)}`);
    if (pos >= this.end) throw new ProtocolError('truncated length');
    let len = buf[pos++];
    if (len >= 0x80) {
      const n = len & 0x7f;
      if (n === 0) throw new ProtocolError('indefinite length is not allowed in LDAP');
      if (n > 4) throw new ProtocolError('length has more than 4 octets');
      if (pos + n > this.end) throw new ProtocolError('truncated length');
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + buf[pos++];
    }
    if (len > this.end - pos) throw new ProtocolError(`length ${len} runs past its container`);
    this.offset = pos;
    return len;
  }

  /**
   * Enters a constructed element with `tag`: afterwards reads are bounded by its content.
   * Returns the enclosing bound, which must be handed back to `leave`.
   */
  enter(tag: number): number {
    const len = this.readHeader(tag);
    const outer = this.end;
    this.end = this.offset + len;
    return outer;
  }

  /** Leaves the container entered last; its content must have been read completely. */
  leave(outer: number): void {
    if (this.offset !== this.end) throw new ProtocolError('unexpected data at end of element');
    this.end = outer;
  }

  /** An INTEGER (or ENUMERATED, or implicitly tagged INTEGER) of 1 to 4 content octets, two's complement. */
  readInteger(tag = 0x02): number {
    const len = this.readHeader(tag);
    if (len === 0) throw new ProtocolError('empty integer');
    if (len > 4) throw new ProtocolError('integer longer than 4 octets');
    const buf = this.buf;
    let pos = this.offset;
    let value = (buf[pos++] << 24) >> 24; // sign-extend the first octet
    for (let i = 1; i < len; i++) value = (value << 8) | buf[pos++];
    this.offset = pos;
    return value;
  }

  /** An ENUMERATED value. */
  readEnumerated(tag = 0x0a): number {
    return this.readInteger(tag);
  }

  /** A BOOLEAN; one content octet, where any non-zero octet is TRUE (X.690 8.2.2, as slapd reads it). */
  readBoolean(tag = 0x01): boolean {
    const len = this.readHeader(tag);
    if (len !== 1) throw new ProtocolError('boolean must have exactly one content octet');
    return this.buf[this.offset++] !== 0;
  }

  /** An OCTET STRING (or implicitly tagged one) as a value: its exact bytes, in the form of src/bytes.ts. */
  readString(tag = 0x04): string {
    const len = this.readHeader(tag);
    const start = this.offset;
    this.offset = start + len;
    return utf8(this.buf, start, start + len);
  }

  /** An OCTET STRING (or implicitly tagged one) as a copy of its octets, safe to keep after `buf` is reused. */
  readBytes(tag = 0x04): Buffer {
    const len = this.readHeader(tag);
    const start = this.offset;
    this.offset = start + len;
    return Buffer.from(this.buf.subarray(start, start + len));
  }

  /** A NULL (or implicitly tagged NULL): no content octets. */
  readNull(tag = 0x05): void {
    if (this.readHeader(tag) !== 0) throw new ProtocolError('NULL must have no content');
  }

  /** The string at `tag` if it is the next element, otherwise undefined. */
  readOptionalString(tag: number): string | undefined {
    return this.peekTag() === tag ? this.readString(tag) : undefined;
  }

  /** The octets at `tag` if it is the next element, otherwise undefined. */
  readOptionalBytes(tag: number): Buffer | undefined {
    return this.peekTag() === tag ? this.readBytes(tag) : undefined;
  }

  /** Throws unless every octet of the current container has been read. */
  expectEnd(): void {
    if (this.offset !== this.end) throw new ProtocolError('unexpected data at end of element');
  }
}

/**
 * A value from its bytes (src/bytes.ts: text where they are UTF-8, escaped bytes where not). Very short
 * ASCII strings (attribute names, small values) are built in JS, which measured faster than the native
 * call up to about 10 octets.
 */
function utf8(buf: Buffer, start: number, end: number): string {
  if (end - start <= 10) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c >= 0x80) return valueFromBytes(buf, start, end);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return valueFromBytes(buf, start, end);
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
