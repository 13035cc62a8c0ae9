/**
 * The base-64 alphabet of crypt(3) ("./0-9A-Za-z") and the two ways its hashes use it: the classic
 * 24-bit groups written low 6 bits first (md5-crypt, sha-crypt), and yescrypt's little-endian stream.
 */
export const CRYPT64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const INDEX = new Map([...CRYPT64].map((c, i) => [c, i]));

/** The value of one crypt64 character, or undefined when it is not one. */
export function crypt64Value(c: string): number | undefined {
  return INDEX.get(c);
}

/** The n characters of a 24-bit group (b2 b1 b0), low bits first: md5-crypt's and sha-crypt's to64. */
export function group24(b2: number, b1: number, b0: number, n: number): string {
  let w = (b2 << 16) | (b1 << 8) | b0;
  let out = '';
  for (let i = 0; i < n; i++, w >>>= 6) out += CRYPT64[w & 0x3f];
  return out;
}

/** Bytes as a stream of little-endian 24-bit groups (yescrypt's encode64). */
export function encodeLittleEndian64(src: Uint8Array): string {
  let out = '';
  for (let i = 0; i < src.length;) {
    let value = 0;
    let bits = 0;
    do {
      value |= src[i++] << bits;
      bits += 8;
    } while (bits < 24 && i < src.length);
    for (let b = 0; b < bits; b += 6, value >>>= 6) out += CRYPT64[value & 0x3f];
  }
  return out;
}

/** The inverse of encodeLittleEndian64 (yescrypt's decode64), or undefined for a malformed string. */
export function decodeLittleEndian64(s: string): Buffer | undefined {
  const out: number[] = [];
  let pos = 0;
  while (pos < s.length) {
    let value = 0;
    let bits = 0;
    while (pos < s.length && bits < 24) {
      const c = crypt64Value(s[pos]);
      if (c === undefined) return undefined;
      value += c * 2 ** bits;
      bits += 6;
      pos++;
    }
    if (bits < 12) return undefined; // at least one whole byte
    while (bits >= 8) {
      out.push(value & 0xff);
      value = Math.floor(value / 256);
      bits -= 8;
    }
    if (value !== 0) return undefined; // the 2 or 4 spare bits must be zero
  }
  return Buffer.from(out);
}
