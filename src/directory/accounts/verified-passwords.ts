import { createHmac, randomBytes } from 'node:crypto';
import { valueBytes } from '../../bytes';
import { countBindCacheHit } from '../../metrics/counts';
import type { DirectoryContext } from '../context';

/** The most passwords kept verified at once; the oldest go first. */
export const MAX_VERIFIED = 10000;

/**
 * The verified-credential cache (security.bindCacheSeconds; 0: off). After a password was verified against
 * a stored hash, an HMAC of (entry, stored hash, password) under a key that lives only in this process is
 * kept for that long, so the same person binding again with the same password (sssd, a Wi-Fi controller,
 * an application's pool) costs microseconds instead of a bcrypt.
 *
 * It holds no rule of its own: only the comparison is skipped. The stored hash is in the key, so a changed
 * or reset password never matches what was kept, in any worker; a lock, an expiry, a policy change, MFA
 * (the code is checked and spent on every bind) and a deleted entry are decided on every bind as before.
 * A wrong password is never kept, and still counts toward the lockout.
 */
export class VerifiedPasswords {
  private readonly key = randomBytes(32);
  /** HMAC → when it was verified (ms, the directory's clock); insertion order is age order. */
  private readonly verified = new Map<string, number>();

  constructor(private readonly ctx: DirectoryContext) {}

  private idOf(entryId: number, typed: string, stored: string): string {
    return createHmac('sha256', this.key).update(`${entryId}\0${stored}\0`).update(valueBytes(typed)).digest('base64');
  }

  private fresh(at: number | undefined, now: number): at is number {
    return at !== undefined && now - at < this.ctx.config.security.bindCacheSeconds * 1000 && now >= at;
  }

  /** Whether `typed` is kept as the password of the stored hash, still fresh (nothing counted, nothing hashed). */
  knows(entryId: number, typed: string, stored: string): boolean {
    return this.ctx.config.security.bindCacheSeconds > 0 && this.fresh(this.verified.get(this.idOf(entryId, typed, stored)), this.ctx.now());
  }

  /** Whether `typed` is the password of the stored hash: from the cache while it is fresh, else verified. */
  async verify(entryId: number, typed: string, stored: string): Promise<boolean> {
    const seconds = this.ctx.config.security.bindCacheSeconds;
    if (seconds <= 0) return this.ctx.hasher.verify(typed, stored);
    const id = this.idOf(entryId, typed, stored);
    const now = this.ctx.now();
    const at = this.verified.get(id);
    if (this.fresh(at, now)) {
      countBindCacheHit();
      return true;
    }
    if (at !== undefined) this.verified.delete(id);
    if (!(await this.ctx.hasher.verify(typed, stored))) return false;
    this.verified.set(id, now);
    if (this.verified.size > MAX_VERIFIED) this.verified.delete(this.verified.keys().next().value!);
    return true;
  }
}

const caches = new WeakMap<DirectoryContext, VerifiedPasswords>();

/** The directory's cache (one per directory context, which lives as long as the open directory). */
export function verifiedPasswords(ctx: DirectoryContext): VerifiedPasswords {
  let cache = caches.get(ctx);
  if (!cache) {
    cache = new VerifiedPasswords(ctx);
    caches.set(ctx, cache);
  }
  return cache;
}
