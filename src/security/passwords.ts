import { randomBytes } from 'node:crypto';
import { valueBytes } from '../bytes';
import type { HashPool } from './hash-pool';
import { verifiesInline, verifyHash } from './hash-schemes';

/**
 * Password hashes as Cairn stores them: `{CRYPT}` bcrypt for everything Cairn hashes itself, and every
 * scheme hash-schemes.ts knows from other directories, kept as imported and verified until the first
 * successful bind replaces it with bcrypt. A password is bytes: each scheme is computed over
 * `valueBytes(password)`. Slow schemes run on the worker threads, single digests inline.
 */
export { hashScheme, isBcrypt, isSupportedHash, looksLikeUnsupportedHash } from './hash-schemes';

export class PasswordHasher {
  /** Compared against when the account does not exist, so that a miss costs the same as a hit. */
  private dummy?: Promise<string>;

  constructor(
    private readonly pool: HashPool,
    readonly cost: number,
  ) {}

  async hash(password: string): Promise<string> {
    return '{CRYPT}' + (await this.pool.hash(valueBytes(password), this.cost));
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const bytes = valueBytes(password);
    return verifiesInline(stored) ? verifyHash(bytes, stored) : this.pool.verify(bytes, stored);
  }

  /** Spends the same work as verifying a real bcrypt hash, and fails. */
  async verifyNothing(password: string): Promise<false> {
    this.dummy ??= this.hash(randomBytes(16).toString('hex'));
    await this.pool.verify(valueBytes(password), await this.dummy);
    return false;
  }
}

