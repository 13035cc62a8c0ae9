/**
 * OpenLDAP's pw-argon2 `{ARGON2}` scheme: the PHC string of libargon2 or libsodium,
 * `$argon2i$v=19$m=4096,t=3,p=1$<salt>$<hash>` (also argon2d, argon2id), base64 without padding.
 */
const FORM = /^\$argon2(id|i|d)\$v=19\$m=([0-9]{1,8}),t=([0-9]{1,4}),p=([0-9]{1,3})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{6,})$/;

/** The most memory (KiB) a stored hash may ask one verification to spend. */
export const MAX_ARGON2_KIB = 1 << 20;

export function isArgon2(s: string): boolean {
  const m = FORM.exec(s);
  if (!m) return false;
  const [m_, t, p] = [Number(m[2]), Number(m[3]), Number(m[4])];
  return m_ >= 8 * p && m_ <= MAX_ARGON2_KIB && t >= 1 && t <= 1000 && p >= 1 && p <= 255 && m[5].length % 4 !== 1 && m[6].length % 4 !== 1;
}

export async function argon2Check(password: Uint8Array, s: string): Promise<boolean> {
  const { argon2Verify } = await import('hash-wasm/dist/argon2.umd.min.js');
  return argon2Verify({ password, hash: s });
}
