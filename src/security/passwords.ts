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

/** The longest password Cairn hashes or verifies, in bytes (far above any passphrase; bcrypt reads 72). */
export const MAX_PASSWORD_BYTES = 4096;

export class PasswordHasher {
  /** Compared against when the account does not exist, so that a miss costs the same as a hit. */
  private dummy?: Promise<string>;
  private dummyCost?: number;

  constructor(
    private readonly pool: HashPool,
    /** The bcrypt cost of new hashes; may change while serving (SIGHUP). */
    public cost: number,
  ) {}

  async hash(password: string): Promise<string> {
    const bytes = valueBytes(password);
    if (bytes.length > MAX_PASSWORD_BYTES) throw new RangeError(`a password may be at most ${MAX_PASSWORD_BYTES} bytes`);
    return '{CRYPT}' + (await this.pool.hash(bytes, this.cost));
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const bytes = valueBytes(password);
    // sha-crypt's work grows with the square of the password's length: a 256 KiB password would hold a
    // worker for minutes. Nobody types more than MAX_PASSWORD_BYTES; such a password matches nothing.
    if (bytes.length > MAX_PASSWORD_BYTES) return this.verifyNothing(password.slice(0, MAX_PASSWORD_BYTES));
    if (!verifiesInline(stored)) return this.pool.verify(bytes, stored);
    // A single digest answers in microseconds: a failure spends what a bcrypt costs, so that an account
    // still on a migrated fast hash cannot be told apart by timing from one that does not exist.
    return (await verifyHash(bytes, stored)) || this.verifyNothing(password);
  }

  /** Spends the same work as verifying a real bcrypt hash, and fails. */
  async verifyNothing(password: string): Promise<false> {
    // A new cost (SIGHUP) makes a new dummy, so that a miss keeps costing what a hit does.
    if (this.dummy === undefined || this.dummyCost !== this.cost) {
      this.dummyCost = this.cost;
      this.dummy = this.hash(randomBytes(16).toString('hex'));
    }
    await this.pool.verify(valueBytes(password), await this.dummy);
    return false;
  }
}
