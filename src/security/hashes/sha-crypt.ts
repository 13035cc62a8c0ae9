import { createHash } from 'node:crypto';
import { valueBytes } from '../../bytes';
import { group24 } from './crypt64';

/**
 * sha-crypt (Ulrich Drepper's `$5$` SHA-256 and `$6$` SHA-512, glibc and libxcrypt), with the optional
 * `rounds=N$`. As in glibc, rounds are clamped to 1000..999999999 and the salt is at most 16 characters.
 */
export const SHA_CRYPT = /^\$([56])\$(rounds=([0-9]{1,9})\$)?([^$]{0,16})\$([./0-9A-Za-z]{43}|[./0-9A-Za-z]{86})$/;

/** More rounds than this are refused: one bind must not hold a worker thread for minutes. */
export const MAX_SHA_CRYPT_ROUNDS = 10_000_000;

const ORDER_256: [number, number, number][] = [
  [0, 10, 20],
  [21, 1, 11],
  [12, 22, 2],
  [3, 13, 23],
  [24, 4, 14],
  [15, 25, 5],
  [6, 16, 26],
  [27, 7, 17],
  [18, 28, 8],
  [9, 19, 29],
];
const ORDER_512: [number, number, number][] = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
];

/** True when a `$5$`/`$6$` string is well-formed and its hash length fits its algorithm. */
export function isShaCrypt(s: string): boolean {
  const m = SHA_CRYPT.exec(s);
  if (!m) return false;
  // glibc writes rounds=N only for 1000..999999999, without leading zeros; anything else was not made by it
  if (m[3] !== undefined && (Number(m[3]) < 1000 || Number(m[3]) > MAX_SHA_CRYPT_ROUNDS || m[3].startsWith('0'))) return false;
  return m[5].length === (m[1] === '5' ? 43 : 86);
}

export function shaCrypt(password: Buffer, id: '5' | '6', rounds: number | undefined, salt: string): string {
  const algorithm = id === '5' ? 'sha256' : 'sha512';
  const size = id === '5' ? 32 : 64;
  const H = () => createHash(algorithm);
  const S = valueBytes(salt);
  const n = rounds === undefined ? 5000 : Math.min(999_999_999, Math.max(1000, rounds));
  const P = password;

  const B = H().update(P).update(S).update(P).digest();
  const a = H().update(P).update(S);
  let left = P.length;
  for (; left > size; left -= size) a.update(B);
  a.update(B.subarray(0, left));
  for (let i = P.length; i > 0; i >>>= 1) a.update(i & 1 ? B : P);
  let A = a.digest();

  const dp = H();
  for (let i = 0; i < P.length; i++) dp.update(P);
  const DP = dp.digest();
  const Pseq = repeatTo(DP, P.length);
  const ds = H();
  for (let i = 0; i < 16 + A[0]; i++) ds.update(S);
  const Sseq = repeatTo(ds.digest(), S.length);

  for (let i = 0; i < n; i++) {
    const c = H();
    c.update(i & 1 ? Pseq : A);
    if (i % 3) c.update(Sseq);
    if (i % 7) c.update(Pseq);
    c.update(i & 1 ? A : Pseq);
    A = c.digest();
  }

  let text = '';
  for (const [x, y, z] of id === '5' ? ORDER_256 : ORDER_512) text += group24(A[x], A[y], A[z], 4);
  text += id === '5' ? group24(0, A[31], A[30], 3) : group24(0, 0, A[63], 2);
  return `$${id}$` + (rounds === undefined ? '' : `rounds=${n}$`) + salt + '$' + text;
}

function repeatTo(block: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += block.length) block.copy(out, i, 0, Math.min(block.length, length - i));
  return out;
}
