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

/** The exact bytes of a value (see valueFromBytes). */
export function valueBytes(value: string): Buffer {
  if (!LONE_ESCAPE.test(value)) return Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  let text = '';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const prev = i > 0 ? value.charCodeAt(i - 1) : 0;
    const isEscape = c >= 0xdc80 && c <= 0xdcff && !(prev >= 0xd800 && prev <= 0xdbff);
    if (isEscape) {
      if (text) parts.push(Buffer.from(text, 'utf8'));
      text = '';
      parts.push(Buffer.from([c - ESCAPE_BASE]));
    } else text += value[i];
  }
  if (text) parts.push(Buffer.from(text, 'utf8'));
  return Buffer.concat(parts);
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
  let i = 0;
  while (i < b.length) {
    const n = validSequenceLength(b, i);
    if (n > 0) {
      out += b.toString('utf8', i, i + n);
      i += n;
    } else {
      out += String.fromCharCode(ESCAPE_BASE + b[i]);
      i++;
    }
  }
  return out;
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
