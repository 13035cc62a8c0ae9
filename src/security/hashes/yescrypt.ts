import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { crypt64Value, decodeLittleEndian64, encodeLittleEndian64 } from './crypt64';
import { PwxformContext, S_WORDS } from './pwxform';

/**
 * yescrypt ($y$, libxcrypt's default on current Linux distributions), written from the algorithm of the
 * reference implementation (yescrypt-ref.c and yescrypt-common.c). Verification only needs the hash
 * function itself; the modes a `$y$` string can name are classic scrypt (flavor 0), WORM (flavor 1) and
 * the RW flavor every tool writes (YESCRYPT_DEFAULTS: 6 rounds, gather 4, simple 2, 12 KiB S-boxes).
 * A shared ROM (NROM) and hash upgrades (g) are not supported: such a string is not well-formed here.
 */

const RW = 2;
const DEFAULTS = 0xb6; // RW | ROUNDS_6 | GATHER_4 | SIMPLE_2 | SBOX_12K
const PREHASH = 0x10000000;

/** The most memory (128 * r * N bytes) a stored hash may ask Cairn to spend on one verification. */
export const MAX_YESCRYPT_BYTES = 1 << 30;

export interface YescryptParams {
  flags: number;
  N: number;
  r: number;
  p: number;
  t: number;
}

export interface YescryptSetting {
  params: YescryptParams;
  /** The setting up to and including the salt: what the hash is appended to. */
  prefix: string;
  salt: Buffer;
  /** The 43 characters of the hash. */
  hash: string;
}

/** yescrypt's variable-length number (decode64_uint32): returns [value, next position], or undefined. */
function readNumber(s: string, pos: number, min: number): [number, number] | undefined {
  let c = crypt64Value(s[pos++] ?? '');
  if (c === undefined) return undefined;
  let start = 0;
  let end = 47;
  let chars = 1;
  let bits = 0;
  let value = min;
  while (c > end) {
    value += (end + 1 - start) * 2 ** bits;
    start = end + 1;
    end = start + Math.floor((62 - end) / 2);
    chars++;
    bits += 6;
  }
  value += (c - start) * 2 ** bits;
  while (--chars) {
    c = crypt64Value(s[pos++] ?? '');
    if (c === undefined) return undefined;
    bits -= 6;
    value += c * 2 ** bits;
  }
  return [value, pos];
}

/** Parses a `$y$` string (without `{CRYPT}`); undefined when it is malformed or names something unsupported. */
export function parseYescrypt(s: string): YescryptSetting | undefined {
  if (!s.startsWith('$y$')) return undefined;
  let pos = 3;
  const next = (min: number): number | undefined => {
    const got = readNumber(s, pos, min);
    if (!got) return undefined;
    pos = got[1];
    return got[0];
  };
  const flavor = next(0);
  if (flavor === undefined) return undefined;
  let flags: number;
  if (flavor < RW) flags = flavor;
  else if (flavor <= RW + (0x3fc >> 2)) flags = RW + (flavor - RW) * 4;
  else return undefined;
  if (flags >= RW && flags !== DEFAULTS) return undefined;
  const logN = next(1);
  const r = next(1);
  if (logN === undefined || r === undefined || logN > 63) return undefined;
  const params: YescryptParams = { flags, N: 2 ** logN, r, p: 1, t: 0 };
  if (s[pos] !== '$') {
    const have = next(1);
    if (have === undefined || have > 15) return undefined;
    if (have & 1) {
      const p = next(2);
      if (p === undefined) return undefined;
      params.p = p;
    }
    if (have & 2) {
      const t = next(1);
      if (t === undefined) return undefined;
      params.t = t;
    }
    if (have & 4 || have & 8) return undefined; // hash upgrades, shared ROM
  }
  if (s[pos++] !== '$') return undefined;
  const last = s.lastIndexOf('$');
  if (last < pos) return undefined;
  const salt = decodeLittleEndian64(s.slice(pos, last));
  const hash = s.slice(last + 1);
  if (!salt || salt.length > 64 || !/^[./0-9A-Za-z]{43}$/.test(hash) || !decodeLittleEndian64(hash)) return undefined;
  if (!paramsUsable(params)) return undefined;
  return { params, prefix: s.slice(0, last), salt, hash };
}

function paramsUsable({ flags, N, r, p, t }: YescryptParams): boolean {
  if (N < 2 || r < 1 || p < 1 || r * p >= 2 ** 30) return false;
  if (128 * r * N > MAX_YESCRYPT_BYTES || 128 * r * p > MAX_YESCRYPT_BYTES || t > 1024) return false;
  if (flags & RW && (N / p <= 1 || r < 1)) return false;
  if (flags === 0 && t !== 0) return false;
  return true;
}

/** The full `$y$…` string yescrypt computes for a password over a parsed setting. */
export function yescryptHash(password: Uint8Array, setting: YescryptSetting): string {
  const dk = yescryptKdf(Buffer.from(password), setting.salt, setting.params);
  return setting.prefix + '$' + encodeLittleEndian64(dk);
}

/** yescrypt_kdf with a 32-byte output. */
export function yescryptKdf(password: Buffer, salt: Buffer, params: YescryptParams): Buffer {
  const { flags, N, r, p } = params;
  if (flags & RW && N / p >= 0x100 && (N / p) * r >= 0x20000) {
    password = kdfBody(password, salt, flags | PREHASH, N / 64, r, p, 0);
  }
  return kdfBody(password, salt, flags, N, r, p, params.t);
}

function kdfBody(password: Buffer, salt: Buffer, flags: number, N: number, r: number, p: number, t: number): Buffer {
  const s = 32 * r;
  if (flags)
    password = createHmac('sha256', flags & PREHASH ? 'yescrypt-prehash' : 'yescrypt')
      .update(password)
      .digest();
  const Bbytes = pbkdf2Sync(password, salt, 1, 128 * r * p, 'sha256');
  const B = new Uint32Array(s * p);
  for (let i = 0; i < B.length; i++) B[i] = Bbytes.readUInt32LE(i * 4);
  if (flags) password = Bbytes.subarray(0, 32);
  const V = new Uint32Array(s * N);
  const XY = new Uint32Array(2 * s);
  if (flags & RW) {
    password = smixRW(B, r, N, p, t, flags, V, XY, Buffer.from(password));
  } else {
    for (let i = 0; i < p; i++) smix(B.subarray(i * s, (i + 1) * s), r, N, 1, t, flags, V, XY);
  }
  const out = Buffer.alloc(B.length * 4);
  for (let i = 0; i < B.length; i++) out.writeUInt32LE(B[i], i * 4);
  const dk = pbkdf2Sync(password, out, 1, 32, 'sha256');
  if (!flags || flags & PREHASH) return dk;
  const clientKey = createHmac('sha256', dk).update('Client Key').digest();
  return createHash('sha256').update(clientKey).digest();
}

// ---- Salsa20 and the scrypt block mix ----

const x = new Uint32Array(16);

/** The Salsa20 core over a block kept in yescrypt's "SIMD-shuffled" word order. */
function salsa20(B: Uint32Array, off: number, rounds: number): void {
  for (let i = 0; i < 16; i++) x[(i * 5) % 16] = B[off + i];
  for (let i = 0; i < rounds; i += 2) {
    x[4] ^= rotl(x[0] + x[12], 7);
    x[8] ^= rotl(x[4] + x[0], 9);
    x[12] ^= rotl(x[8] + x[4], 13);
    x[0] ^= rotl(x[12] + x[8], 18);
    x[9] ^= rotl(x[5] + x[1], 7);
    x[13] ^= rotl(x[9] + x[5], 9);
    x[1] ^= rotl(x[13] + x[9], 13);
    x[5] ^= rotl(x[1] + x[13], 18);
    x[14] ^= rotl(x[10] + x[6], 7);
    x[2] ^= rotl(x[14] + x[10], 9);
    x[6] ^= rotl(x[2] + x[14], 13);
    x[10] ^= rotl(x[6] + x[2], 18);
    x[3] ^= rotl(x[15] + x[11], 7);
    x[7] ^= rotl(x[3] + x[15], 9);
    x[11] ^= rotl(x[7] + x[3], 13);
    x[15] ^= rotl(x[11] + x[7], 18);
    x[1] ^= rotl(x[0] + x[3], 7);
    x[2] ^= rotl(x[1] + x[0], 9);
    x[3] ^= rotl(x[2] + x[1], 13);
    x[0] ^= rotl(x[3] + x[2], 18);
    x[6] ^= rotl(x[5] + x[4], 7);
    x[7] ^= rotl(x[6] + x[5], 9);
    x[4] ^= rotl(x[7] + x[6], 13);
    x[5] ^= rotl(x[4] + x[7], 18);
    x[11] ^= rotl(x[10] + x[9], 7);
    x[8] ^= rotl(x[11] + x[10], 9);
    x[9] ^= rotl(x[8] + x[11], 13);
    x[10] ^= rotl(x[9] + x[8], 18);
    x[12] ^= rotl(x[15] + x[14], 7);
    x[13] ^= rotl(x[12] + x[15], 9);
    x[14] ^= rotl(x[13] + x[12], 13);
    x[15] ^= rotl(x[14] + x[13], 18);
  }
  for (let i = 0; i < 16; i++) B[off + i] += x[(i * 5) % 16];
}

function rotl(a: number, b: number): number {
  return (a << b) | (a >>> (32 - b));
}

function blockmixSalsa8(B: Uint32Array, Y: Uint32Array, r: number): void {
  const X = new Uint32Array(16);
  X.set(B.subarray((2 * r - 1) * 16, 2 * r * 16));
  for (let i = 0; i < 2 * r; i++) {
    for (let k = 0; k < 16; k++) X[k] ^= B[i * 16 + k];
    salsa20(X, 0, 8);
    Y.set(X, i * 16);
  }
  for (let i = 0; i < r; i++) B.set(Y.subarray(i * 2 * 16, (i * 2 + 1) * 16), i * 16);
  for (let i = 0; i < r; i++) B.set(Y.subarray((i * 2 + 1) * 16, (i * 2 + 2) * 16), (i + r) * 16);
}

// ---- BlockMix_pwxform (PWXsimple 2, PWXgather 4, PWXrounds 6, Swidth 8) ----

/** BlockMix_pwxform of a context's block X: pwxform of its 2r sub-blocks (pwxform.wasm), then Salsa20/2 of the last. */
function blockmixPwxform(ctx: PwxformContext, r: number): void {
  ctx.transform(2 * r); // 128r / PWXbytes
  salsa20(ctx.X, (2 * r - 1) * 16, 2);
}

// ---- SMix ----

/** The low 32 bits of Integerify: every N here is below 2^32, so the high word never matters. */
function integerify(X: Uint32Array, r: number): number {
  return X[(2 * r - 1) * 16];
}

function p2floor(x: number): number {
  return 2 ** Math.floor(Math.log2(x));
}

function wrap(x: number, i: number): number {
  const n = p2floor(i);
  return (x & (n - 1)) + (i - n);
}

/** BlockMix of X: with pwxform when there is a context (X is then the context's block), else scrypt's Salsa20/8. */
function mix(X: Uint32Array, Y: Uint32Array, r: number, ctx: PwxformContext | undefined): void {
  if (ctx) blockmixPwxform(ctx, r);
  else blockmixSalsa8(X, Y, r);
}

function load(B: Uint32Array, X: Uint32Array, r: number): void {
  for (let k = 0; k < 2 * r; k++) for (let i = 0; i < 16; i++) X[k * 16 + i] = B[k * 16 + ((i * 5) % 16)];
}

function store(X: Uint32Array, B: Uint32Array, r: number): void {
  for (let k = 0; k < 2 * r; k++) for (let i = 0; i < 16; i++) B[k * 16 + ((i * 5) % 16)] = X[k * 16 + i];
}

function smix1(B: Uint32Array, r: number, N: number, flags: number, V: Uint32Array, XY: Uint32Array, ctx: PwxformContext | undefined): void {
  const s = 32 * r;
  const X = ctx ? ctx.X : XY.subarray(0, s);
  const Y = XY.subarray(s, 2 * s);
  load(B, X, r);
  for (let i = 0; i < N; i++) {
    V.set(X, i * s);
    if (flags & RW && i > 1) {
      const j = wrap(integerify(X, r), i);
      for (let k = 0; k < s; k++) X[k] ^= V[j * s + k];
    }
    mix(X, Y, r, ctx);
  }
  store(X, B, r);
}

function smix2(B: Uint32Array, r: number, N: number, Nloop: number, flags: number, V: Uint32Array, XY: Uint32Array, ctx: PwxformContext | undefined): void {
  const s = 32 * r;
  const X = ctx ? ctx.X : XY.subarray(0, s);
  const Y = XY.subarray(s, 2 * s);
  load(B, X, r);
  for (let i = 0; i < Nloop; i++) {
    const j = integerify(X, r) & (N - 1);
    for (let k = 0; k < s; k++) X[k] ^= V[j * s + k];
    if (flags & RW) V.set(X, j * s);
    mix(X, Y, r, ctx);
  }
  store(X, B, r);
}

function loops(N: number, p: number, t: number, flags: number): { Nchunk: number; all: number; rw: number } {
  const Nchunk = Math.floor(N / p);
  let all = Nchunk;
  if (flags & RW) {
    if (t <= 1) {
      if (t) all *= 2;
      all = Math.floor((all + 2) / 3);
    } else all *= t - 1;
  } else if (t) {
    if (t === 1) all += Math.floor((all + 1) / 2);
    all *= t;
  }
  const rw = flags & RW ? Math.floor(all / p) : 0;
  const even = (n: number) => n + (n % 2);
  return { Nchunk: Nchunk - (Nchunk % 2), all: even(all), rw: even(rw) };
}

/** SMix without pwxform (classic scrypt and WORM), for one B_i. */
function smix(B: Uint32Array, r: number, N: number, p: number, t: number, flags: number, V: Uint32Array, XY: Uint32Array): void {
  const { all, rw } = loops(N, p, t, flags);
  smix1(B, r, N, flags, V, XY, undefined);
  smix2(B, r, p2floor(N), rw, flags, V, XY, undefined);
  smix2(B, r, N, all - rw, flags, V, XY, undefined);
}

/** SMix in the RW mode, over all of B; returns the password the final PBKDF2 uses. */
function smixRW(B: Uint32Array, r: number, N: number, p: number, t: number, flags: number, V: Uint32Array, XY: Uint32Array, password: Buffer): Buffer {
  const s = 32 * r;
  const { Nchunk, all, rw } = loops(N, p, t, flags);
  const contexts: PwxformContext[] = [];
  for (let i = 0, Vchunk = 0; i < p; i++, Vchunk += Nchunk) {
    const Np = i < p - 1 ? Nchunk : N - Vchunk;
    const Bp = B.subarray(i * s, (i + 1) * s);
    const Vp = V.subarray(Vchunk * s);
    const ctx = new PwxformContext(s);
    contexts.push(ctx);
    smix1(Bp, 1, S_WORDS / 32, 0, ctx.S, XY, undefined);
    if (i === 0) {
      const key = Buffer.alloc(64);
      for (let k = 0; k < 16; k++) key.writeUInt32LE(Bp[s - 16 + k], k * 4);
      password = createHmac('sha256', key).update(password).digest();
    }
    smix1(Bp, r, Np, flags, Vp, XY, ctx);
    smix2(Bp, r, p2floor(Np), rw, flags, Vp, XY, ctx);
  }
  for (let i = 0; i < p; i++) {
    smix2(B.subarray(i * s, (i + 1) * s), r, N, all - rw, flags & ~RW, V, XY, contexts[i]);
  }
  return password;
}
