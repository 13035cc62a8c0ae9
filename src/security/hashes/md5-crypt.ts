import { createHash } from 'node:crypto';
import { valueBytes } from '../../bytes';
import { group24 } from './crypt64';

/**
 * md5-crypt (Poul-Henning Kamp's `$1$`) and Apache's `$apr1$`, which is the same function under another
 * magic string. The salt is at most 8 characters, up to the next `$`.
 */
export const MD5_CRYPT = /^(\$1\$|\$apr1\$)([^$]{0,8})\$[./0-9A-Za-z]{22}$/;

export function md5Crypt(password: Buffer, magic: string, salt: string): string {
  const s = valueBytes(salt);
  const alt = createHash('md5').update(password).update(s).update(password).digest();
  const ctx = createHash('md5').update(password).update(magic).update(s);
  for (let left = password.length; left > 0; left -= 16) ctx.update(alt.subarray(0, Math.min(16, left)));
  const first = Buffer.from([password[0] ?? 0]);
  for (let i = password.length; i; i >>>= 1) ctx.update(i & 1 ? Buffer.alloc(1) : first);
  let final = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const h = createHash('md5');
    h.update(i & 1 ? password : final);
    if (i % 3) h.update(s);
    if (i % 7) h.update(password);
    h.update(i & 1 ? final : password);
    final = h.digest();
  }
  const f = final;
  const text =
    group24(f[0], f[6], f[12], 4) +
    group24(f[1], f[7], f[13], 4) +
    group24(f[2], f[8], f[14], 4) +
    group24(f[3], f[9], f[15], 4) +
    group24(f[4], f[10], f[5], 4) +
    group24(0, 0, f[11], 2);
  return magic + salt + '$' + text;
}
