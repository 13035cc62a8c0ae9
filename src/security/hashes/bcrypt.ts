/**
 * bcrypt over the password's exact bytes (bcryptjs takes a string and would re-encode a non-UTF-8
 * password). Like every bcrypt, only the first 72 bytes count.
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

/**
 * @node-rs/bcrypt: native code that runs on libuv's thread pool, so a hash or a verify leaves the event loop
 * without a worker thread of ours (no isolate of ~10 MB per process), and takes the password's bytes as
 * they are. Measured on this 2-core machine at cost 10: 64 ms a verify against 72 ms for hash-wasm's
 * WebAssembly bcrypt (the previous choice) and 115 ms for bcryptjs; 29.4 verifies/s with two at once
 * against 27.4/s and 19.8/s. Hashes are the same either way (checked both ways, with NUL and high bytes).
 */
export async function bcryptHash(password: Uint8Array, cost: number): Promise<string> {
  const { hash } = await import('@node-rs/bcrypt');
  return hash(password.subarray(0, MAX_BYTES), { cost, version: '2b' });
}

export async function bcryptCheck(password: Uint8Array, stored: string): Promise<boolean> {
  const { verify } = await import('@node-rs/bcrypt');
  return verify(password.subarray(0, MAX_BYTES), stored);
}
