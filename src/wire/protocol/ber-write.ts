import { isRawBytes, valueByteLength, valueBytes } from '../../bytes';
/**
 * BER writing. Two layers:
 * - small value helpers (berSequence, berInteger, ...) returning Buffers, for control and
 *   extended-operation values, where convenience matters more than speed;
 * - TwoPassEncoder, used by encode.ts for whole responses: a description of the message is run once to
 *   measure every element and once to write it into a single exactly-sized Buffer.
 */

const MAX_LENGTH = 0xffffffff;

/** Octets needed for the length field of `len` content octets (short form, or long form up to 4 octets). */
export function lengthOfLength(len: number): number {
  if (len < 0x80) return 1;
  if (len < 0x100) return 2;
  if (len < 0x10000) return 3;
  if (len < 0x1000000) return 4;
  if (len <= MAX_LENGTH) return 5;
  throw new RangeError(`BER length ${len} exceeds 2^32-1`);
}

/** Writes the length field of `len` at `pos`; returns the position after it. */
export function writeLength(buf: Buffer, pos: number, len: number): number {
  if (len < 0x80) {
    buf[pos++] = len;
    return pos;
  }
  const n = lengthOfLength(len) - 1;
  buf[pos++] = 0x80 | n;
  for (let shift = (n - 1) * 8; shift >= 0; shift -= 8) buf[pos++] = (len >>> shift) & 0xff;
  return pos;
}

/** The length field alone, e.g. berLength(300) is 82 01 2c. */
export function berLength(len: number): Buffer {
  const out = Buffer.allocUnsafe(lengthOfLength(len));
  writeLength(out, 0, len);
  return out;
}

/** A TLV with the given tag and content. */
export function berTlv(tag: number, content: Buffer): Buffer {
  const out = Buffer.allocUnsafe(1 + lengthOfLength(content.length) + content.length);
  out[0] = tag;
  content.copy(out, writeLength(out, 1, content.length));
  return out;
}

/** A constructed element (SEQUENCE by default; 0x31 for SET, 0xa0.. for context tags) of already-encoded parts. */
export function berSequence(parts: readonly Buffer[], tag = 0x30): Buffer {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = Buffer.allocUnsafe(1 + lengthOfLength(len) + len);
  out[0] = tag;
  let pos = writeLength(out, 1, len);
  for (const p of parts) pos += p.copy(out, pos);
  return out;
}

/** Content octets of the minimal two's-complement encoding of a safe integer. */
function integerOctets(n: number): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`cannot BER-encode ${n} as an INTEGER`);
  let octets = 1;
  // Grow until the value fits in `octets` signed octets: -2^(8k-1) <= n < 2^(8k-1).
  let limit = 0x80;
  while (n >= limit || n < -limit) {
    octets++;
    limit *= 256;
  }
  return octets;
}

function writeIntegerContent(buf: Buffer, pos: number, n: number, octets: number): number {
  // Arithmetic instead of bit shifts so values beyond 32 bits stay correct.
  let v = n < 0 ? n + 2 ** (8 * octets) : n;
  for (let i = octets - 1; i >= 0; i--) {
    buf[pos + i] = v % 256;
    v = Math.floor(v / 256);
  }
  return pos + octets;
}

/** An INTEGER (or ENUMERATED / implicitly tagged integer) in minimal form. */
export function berInteger(n: number, tag = 0x02): Buffer {
  const octets = integerOctets(n);
  const out = Buffer.allocUnsafe(2 + octets);
  out[0] = tag;
  out[1] = octets;
  writeIntegerContent(out, 2, n, octets);
  return out;
}

export function berEnumerated(n: number, tag = 0x0a): Buffer {
  return berInteger(n, tag);
}

/** A BOOLEAN; TRUE is 0xFF as RFC 4511 section 5.1 requires. */
export function berBoolean(b: boolean, tag = 0x01): Buffer {
  return Buffer.from([tag, 1, b ? 0xff : 0x00]);
}

/** An OCTET STRING (or implicitly tagged one); a string is a value, written as its exact bytes (src/bytes.ts). */
export function berOctetString(s: string | Buffer, tag = 0x04): Buffer {
  const content = typeof s === 'string' ? valueBytes(s) : s;
  return berTlv(tag, content);
}

export function berNull(tag = 0x05): Buffer {
  return Buffer.from([tag, 0]);
}

/**
 * Encodes a message described by a function that calls start/end/string/bytes/integer/boolean.
 * The description runs twice: in the measuring pass every element's length is recorded in pre-order
 * (container lengths are filled in when the container ends); the writing pass consumes them in the
 * same order, so strings are measured once and containers never need back-patching.
 * Not re-entrant: one instance must not be used by nested encodes.
 */
export class TwoPassEncoder {
  private measuring = true;
  /** Lengths in pre-order of the elements they belong to. */
  private lengths: number[] = [];
  private cursor = 0;
  /** For open containers while measuring: slot in `lengths`, and `size` when the container began. */
  private openSlots: number[] = [];
  private openSizes: number[] = [];
  private size = 0;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  encode<T>(describe: (e: TwoPassEncoder, value: T) => void, value: T): Buffer {
    this.measuring = true;
    this.lengths.length = 0;
    this.openSlots.length = 0;
    this.openSizes.length = 0;
    this.size = 0;
    describe(this, value);
    if (this.openSlots.length !== 0) throw new Error('TwoPassEncoder: unbalanced start/end');
    this.measuring = false;
    this.cursor = 0;
    this.pos = 0;
    const out = Buffer.allocUnsafe(this.size);
    this.buf = out;
    describe(this, value);
    this.buf = Buffer.alloc(0);
    // allocUnsafe memory must be fully overwritten; a mismatch would be an encoder bug, never input.
    if (this.pos !== out.length || this.cursor !== this.lengths.length) throw new Error('TwoPassEncoder: passes disagree');
    return out;
  }

  /** Opens a constructed element. */
  start(tag: number): void {
    if (this.measuring) {
      this.openSlots.push(this.lengths.length);
      this.openSizes.push(this.size);
      this.lengths.push(0);
      return;
    }
    this.header(tag, this.lengths[this.cursor++]);
  }

  /** Closes the element opened last. */
  end(): void {
    if (!this.measuring) return;
    const slot = this.openSlots.pop();
    const began = this.openSizes.pop();
    if (slot === undefined || began === undefined) throw new Error('TwoPassEncoder: end without start');
    const len = this.size - began;
    this.lengths[slot] = len;
    this.size += 1 + lengthOfLength(len);
  }

  /** An OCTET STRING (or implicitly tagged one) holding the value `s` as its exact bytes (src/bytes.ts). */
  string(tag: number, s: string): void {
    if (this.measuring) {
      const len = s.length === 0 ? 0 : valueByteLength(s);
      this.lengths.push(len);
      this.size += 1 + lengthOfLength(len) + len;
      return;
    }
    const len = this.lengths[this.cursor++];
    this.header(tag, len);
    const buf = this.buf;
    let pos = this.pos;
    if (len === s.length && len <= 24) {
      // Byte length equals char length only for ASCII and escaped bytes (U+DC80..U+DCFF, src/bytes.ts),
      // whose low 8 bits are the byte: copy them, cheaper than a native call.
      for (let i = 0; i < len; i++) buf[pos++] = s.charCodeAt(i) & 0xff;
      this.pos = pos;
    } else if (isRawBytes(s)) {
      this.pos = pos + valueBytes(s).copy(buf, pos);
    } else {
      this.pos = pos + buf.write(s, pos, len, 'utf8');
    }
  }

  bytes(tag: number, b: Buffer): void {
    const len = b.length;
    if (this.measuring) {
      this.size += 1 + lengthOfLength(len) + len;
      return;
    }
    this.header(tag, len);
    this.pos += b.copy(this.buf, this.pos);
  }

  integer(tag: number, n: number): void {
    const octets = integerOctets(n);
    if (this.measuring) {
      this.size += 2 + octets;
      return;
    }
    const buf = this.buf;
    buf[this.pos++] = tag;
    buf[this.pos++] = octets;
    this.pos = writeIntegerContent(buf, this.pos, n, octets);
  }

  boolean(tag: number, b: boolean): void {
    if (this.measuring) {
      this.size += 3;
      return;
    }
    const buf = this.buf;
    buf[this.pos++] = tag;
    buf[this.pos++] = 1;
    buf[this.pos++] = b ? 0xff : 0x00;
  }

  private header(tag: number, len: number): void {
    this.buf[this.pos] = tag;
    this.pos = writeLength(this.buf, this.pos + 1, len);
  }
}
