import { randomBytes } from 'node:crypto';

/**
 * bcrypt over the password's exact bytes (hash-wasm's WebAssembly bcrypt takes bytes; bcryptjs takes a
 * string and would re-encode a non-UTF-8 password). Like every bcrypt, only the first 72 bytes count.
 * `$2a$`, `$2b$` and `$2y$` are one function for passwords of at most 72 bytes.
 */
export const BCRYPT = /^\$2[aby]\$(0[4-9]|1[0-9]|2[0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

/** A higher cost is refused: cost 17 is already about a minute per bind on a small machine. */
export const MAX_BCRYPT_COST = 16;

export function isBcryptHash(s: string): boolean {
  const m = BCRYPT.exec(s);
  return m !== null && Number(m[1]) <= MAX_BCRYPT_COST;
}

const MAX_BYTES = 72;

// hash-wasm's bcrypt build (28 KB) is loaded at the first hash: recognising a stored hash (every process)
// needs only the pattern. Its index (284 KB) would load every algorithm hash-wasm has.
export async function bcryptHash(password: Uint8Array, cost: number): Promise<string> {
  const { bcrypt } = await import('hash-wasm/dist/bcrypt.umd.min.js');
  const encoded = await bcrypt({ password: password.subarray(0, MAX_BYTES), salt: randomBytes(16), costFactor: cost, outputType: 'encoded' });
  return '$2b$' + encoded.slice(4);
}

export async function bcryptCheck(password: Uint8Array, hash: string): Promise<boolean> {
  const { bcryptVerify } = await import('hash-wasm/dist/bcrypt.umd.min.js');
  return bcryptVerify({ password: password.subarray(0, MAX_BYTES), hash: '$2a$' + hash.slice(4) });
}
