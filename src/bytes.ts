import { isUtf8 } from 'node:buffer';

/**
 * Values are bytes. Cairn carries an attribute value, a DN or a password as a JS string, losslessly:
 * bytes that are valid UTF-8 become their characters, and every byte that is not part of a valid UTF-8
 * sequence becomes the lone surrogate U+DC80..U+DCFF for that byte (Python's "surrogateescape", PEP 383).
 * No valid UTF-8 text decodes to a lone surrogate, so the mapping is one to one: `valueBytes` gives back
 * exactly the bytes `valueFromBytes` was given. Use these two wherever a value meets bytes (the wire,
 * LDIF, hashing, files); never `Buffer#toString('utf8')`, which turns bad bytes into U+FFFD.
 */

const ESCAPE_BASE = 0xdc00;
/** A low surrogate in the escape range that is not the second half of a pair. */
const LONE_ESCAPE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** The value of some bytes: their text where they are UTF-8, escaped bytes where they are not. */
export function valueFromBytes(buf: Uint8Array, start = 0, end = buf.length): string {
  const view = start === 0 && end === buf.length ? buf : buf.subarray(start, end);
  const b = Buffer.isBuffer(view) ? view : Buffer.from(view.buffer, view.byteOffset, view.byteLength);
  if (isUtf8(b)) return b.toString('utf8');
  return decodeEscaping(b);
}

/** The exact bytes of a value (see valueFromBytes). One pass, in JS: a photo is mostly escaped bytes. */
export function valueBytes(value: string): Buffer {
  if (!LONE_ESCAPE.test(value)) return Buffer.from(value, 'utf8');
  const n = value.length;
  const out = Buffer.allocUnsafe(n * 3);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) out[pos++] = c;
    else if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      const cp = 0x10000 + ((c - 0xd800) << 10) + (value.charCodeAt(++i) - 0xdc00);
      out[pos++] = 0xf0 | (cp >> 18);
      out[pos++] = 0x80 | ((cp >> 12) & 0x3f);
      out[pos++] = 0x80 | ((cp >> 6) & 0x3f);
      out[pos++] = 0x80 | (cp & 0x3f);
    } else if (c >= 0xdc80 && c <= 0xdcff) {
      out[pos++] = c - ESCAPE_BASE; // a lone escape: the second half of a pair was taken above
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out[pos++] = 0xef; // any other lone surrogate: U+FFFD, as Buffer.from writes it
      out[pos++] = 0xbf;
      out[pos++] = 0xbd;
    } else {
      out[pos++] = 0xe0 | (c >> 12);
      out[pos++] = 0x80 | ((c >> 6) & 0x3f);
      out[pos++] = 0x80 | (c & 0x3f);
    }
  }
  return Buffer.from(out.subarray(0, pos));
}

/** The length of a value in bytes. */
export function valueByteLength(value: string): number {
  return LONE_ESCAPE.test(value) ? valueBytes(value).length : Buffer.byteLength(value, 'utf8');
}

/** True when a value's bytes are not valid UTF-8 (it holds escaped bytes). */
export function isRawBytes(value: string): boolean {
  return LONE_ESCAPE.test(value);
}

/** A value as text for people (logs, messages): escaped bytes shown as \xNN. Never for storage. */
export function printableValue(value: string): string {
  if (!LONE_ESCAPE.test(value)) return value;
  return value.replace(/(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g, (c) => '\\x' + (c.charCodeAt(0) - ESCAPE_BASE).toString(16).padStart(2, '0'));
}

function decodeEscaping(b: Buffer): string {
  let out = '';
  const codes: number[] = [];
  let i = 0;
  while (i < b.length) {
    const n = validSequenceLength(b, i);
    const c = b[i];
    if (n === 1) codes.push(c);
    else if (n === 2) codes.push(((c & 0x1f) << 6) | (b[i + 1] & 0x3f));
    else if (n === 3) codes.push(((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f));
    else if (n === 4) {
      const cp = (((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f)) - 0x10000;
      codes.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else codes.push(ESCAPE_BASE + c);
    i += n || 1;
    if (codes.length >= 8192) {
      out += String.fromCharCode(...codes);
      codes.length = 0;
    }
  }
  return out + String.fromCharCode(...codes);
}

/** The length of the well-formed UTF-8 sequence at i (RFC 3629 table), or 0 where there is none. */
function validSequenceLength(b: Buffer, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
