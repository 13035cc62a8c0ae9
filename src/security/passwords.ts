import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { HashPool } from './hash-pool';

/**
 * Password hashes as Cairn stores them: `{CRYPT}` bcrypt for everything Cairn hashes itself, and the
 * `{SSHA}`, `{SHA}`, `{SSHA256}`, `{SSHA512}` schemes of other directories, kept as imported and verified
 * until the first successful bind replaces them with bcrypt.
 */
const SCHEME = /^\{([A-Z0-9-]+)\}(.*)$/is;
const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;
const DIGESTS: Record<string, { algorithm: string; length: number; salted: boolean }> = {
  SHA: { algorithm: 'sha1', length: 20, salted: false },
  SSHA: { algorithm: 'sha1', length: 20, salted: true },
  SHA256: { algorithm: 'sha256', length: 32, salted: false },
  SSHA256: { algorithm: 'sha256', length: 32, salted: true },
  SHA512: { algorithm: 'sha512', length: 64, salted: false },
  SSHA512: { algorithm: 'sha512', length: 64, salted: true },
};

/** True when a userPassword value is already a hash Cairn can verify (and must not hash again). */
export function isSupportedHash(value: string): boolean {
  const m = SCHEME.exec(value);
  if (!m) return false;
  const scheme = m[1].toUpperCase();
  if (scheme === 'CRYPT') return BCRYPT.test(m[2]);
  const d = DIGESTS[scheme];
  if (!d) return false;
  const raw = Buffer.from(m[2], 'base64');
  return d.salted ? raw.length > d.length : raw.length === d.length;
}

/** True when a value looks like a `{SCHEME}` hash Cairn cannot verify: refuse it rather than store it as text. */
export function looksLikeUnsupportedHash(value: string): boolean {
  return SCHEME.test(value) && !isSupportedHash(value);
}

export function isBcrypt(stored: string): boolean {
  return /^\{CRYPT\}/i.test(stored) && BCRYPT.test(stored.slice(7));
}

export class PasswordHasher {
  /** Compared against when the account does not exist, so that a miss costs the same as a hit. */
  private dummy?: Promise<string>;

  constructor(
    private readonly pool: HashPool,
    readonly cost: number,
  ) {}

  async hash(password: string): Promise<string> {
    return '{CRYPT}' + (await this.pool.hash(password, this.cost));
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const m = SCHEME.exec(stored);
    if (!m) return false;
    const scheme = m[1].toUpperCase();
    if (scheme === 'CRYPT') return BCRYPT.test(m[2]) && this.pool.compare(password, m[2]);
    const d = DIGESTS[scheme];
    if (!d) return false;
    const raw = Buffer.from(m[2], 'base64');
    const digest = raw.subarray(0, d.length);
    const salt = raw.subarray(d.length);
    const computed = createHash(d.algorithm).update(password, 'utf8').update(salt).digest();
    return computed.length === digest.length && timingSafeEqual(computed, digest);
  }

  /** Spends the same work as verifying a real bcrypt hash, and fails. */
  async verifyNothing(password: string): Promise<false> {
    this.dummy ??= this.pool.hash(randomBytes(16).toString('hex'), this.cost);
    await this.pool.compare(password, await this.dummy);
    return false;
  }
}
