import type { PasswordPolicy } from '../../security/policy/types';
import type { StoredEntry, WriteTx } from '../../store/types';
import type { DirectoryContext } from '../context';

/** What the lockout part of the password policy (password-policy.ts) answers and records for the attempts. */
export interface LockoutRules {
  isLocked(entry: Pick<StoredEntry, 'dn' | 'attributes'>, policy: PasswordPolicy, now: number): boolean;
  locksOut(policy: PasswordPolicy): boolean;
  checksAllowed(entry: Pick<StoredEntry, 'dn' | 'attributes'>, policy: PasswordPolicy, now: number): number | 'locked';
  recordFailure(entry: StoredEntry, policy: PasswordPolicy, now: number, attempt?: (tx: WriteTx) => void): Promise<void>;
  recordSuccess(entry: StoredEntry, attempt?: (tx: WriteTx) => void): Promise<void>;
  /** Failures or a lock recorded on the entry: what a success clears. */
  hasFailures(entry: Pick<StoredEntry, 'dn' | 'attributes'>): boolean;
}

/** A check still recorded after this long was abandoned (its process died): it no longer counts. */
export const ABANDONED_AFTER_MS = 60_000;
/** The longest a bind waits for a turn to be checked before it is refused as locked. */
const MAX_WAIT_MS = 10_000;
/** How often the first bind waiting in this process looks again (checks ending here wake it at once). */
const POLL_MS = 20;

/** The outcome of a password check: a failure counts towards the lock, a success clears the count. */
export type CheckOutcome = 'success' | 'failure' | 'neither';

/** A reserved password check, to be ended exactly once with what it found. */
export interface BindAttempt {
  end(outcome: CheckOutcome): Promise<void>;
}

export type Reservation = { kind: 'granted'; attempt: BindAttempt } | { kind: 'locked' } | { kind: 'gone' };

/**
 * Password checks per account, so that no more than pwdMaxFailure guesses are ever compared before the
 * account locks, however many binds arrive together and on whichever worker process. Before its slow
 * comparison a bind reserves a check in one write transaction (which SQLite serialises across processes):
 * refused when the account is locked, granted while failures recorded plus checks under way stay below
 * pwdMaxFailure, otherwise it waits its turn. The check ends as a recorded failure or a success, in one
 * transaction with its release. Binds waiting in this process queue per account and only the first looks.
 */
export class BindAttempts {
  private readonly lines = new Map<number, Promise<void>>();
  private readonly wakers = new Map<number, () => void>();

  constructor(
    private readonly ctx: DirectoryContext,
    private readonly policy: LockoutRules,
  ) {}

  private now(): number {
    return this.ctx.now();
  }

  async reserve(entry: StoredEntry, rules: PasswordPolicy): Promise<Reservation> {
    // Locked as last read (reads see other processes' writes at once): refused without a write, which
    // keeps a flood of binds against a locked account off the write lock.
    if (this.policy.isLocked(entry, rules, this.now())) return { kind: 'locked' };
    // Failures never lock: nothing to count ahead.
    if (!this.policy.locksOut(rules)) return { kind: 'granted', attempt: this.attempt(entry, rules, undefined) };
    const first = await this.tryReserve(entry, rules);
    if (first !== 'wait') return first;
    // The wait is real time (timers), whatever the clock the rules read.
    return this.waitInLine(entry, rules, Date.now() + MAX_WAIT_MS);
  }

  /**
   * For a password the verified-credential cache knows (its check is a lookup, not a hash): whether the check
   * may go ahead with nothing written, because reserve() would grant it at once and its success would have
   * nothing to clear. The same rule as tryReserve, read instead of written: the checks under way are counted
   * before the entry is read again, so a check that ends as a failure meanwhile is seen in the entry.
   * Undefined: take reserve()'s path (a lock, a wait, failures to clear, a renamed entry).
   */
  async grantKnown(entry: StoredEntry, rules: PasswordPolicy): Promise<Reservation | undefined> {
    const now = this.now();
    if (!this.policy.locksOut(rules) || this.policy.isLocked(entry, rules, now)) return undefined;
    const inFlight = await this.ctx.store.bindAttemptsInFlight(entry.id, now - ABANDONED_AFTER_MS);
    const current = await this.ctx.store.entryByNdn(entry.ndn);
    if (current?.id !== entry.id || this.policy.hasFailures(current)) return undefined;
    const allowed = this.policy.checksAllowed(current, rules, now);
    return allowed !== 'locked' && inFlight < allowed ? { kind: 'granted', attempt: this.attempt(entry, rules, undefined) } : undefined;
  }

  private tryReserve(entry: StoredEntry, rules: PasswordPolicy): Promise<Reservation | 'wait'> {
    const now = this.now();
    // Not durable: a reservation lost in a power cut costs nothing, and a bind must not wait for the disk.
    return this.ctx.store.write(
      (tx): Reservation | 'wait' => {
        const current = tx.entryById(entry.id);
        if (!current) return { kind: 'gone' };
        const allowed = this.policy.checksAllowed(current, rules, now);
        if (allowed === 'locked') return { kind: 'locked' };
        if (tx.bindAttemptsInFlight(entry.id, now - ABANDONED_AFTER_MS) >= allowed) return 'wait';
        return { kind: 'granted', attempt: this.attempt(entry, rules, tx.startBindAttempt(entry.id, now)) };
      },
      { durable: false },
    );
  }

  /** Waits behind the binds for this account already waiting in this process, then until a check is free. */
  private async waitInLine(entry: StoredEntry, rules: PasswordPolicy, deadline: number): Promise<Reservation> {
    const before = this.lines.get(entry.id) ?? Promise.resolve();
    let leave!: () => void;
    const tail = before.then(() => new Promise<void>((resolve) => (leave = resolve)));
    this.lines.set(entry.id, tail);
    await before;
    try {
      for (;;) {
        const r = await this.tryReserve(entry, rules);
        if (r !== 'wait') return r;
        if (Date.now() >= deadline) {
          this.ctx.log.info('bind refused: too many password checks at once for this account', { dn: entry.dn });
          return { kind: 'locked' };
        }
        await this.pause(entry.id);
      }
    } finally {
      leave();
      if (this.lines.get(entry.id) === tail) this.lines.delete(entry.id);
    }
  }

  private pause(entryId: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakers.get(entryId) === done) this.wakers.delete(entryId);
        resolve();
      };
      const timer = setTimeout(done, POLL_MS);
      this.wakers.set(entryId, done);
    });
  }

  private attempt(entry: StoredEntry, rules: PasswordPolicy, id: number | undefined): BindAttempt {
    let ended = false;
    const release = id === undefined ? undefined : (tx: WriteTx) => tx.endBindAttempt(id, this.now() - ABANDONED_AFTER_MS);
    return {
      end: async (outcome) => {
        if (ended) return;
        ended = true;
        try {
          if (outcome === 'failure') await this.policy.recordFailure(entry, rules, this.now(), release);
          else if (outcome === 'success') await this.policy.recordSuccess(entry, release);
          else if (release)
            await this.ctx.store
              .write(release, { durable: false })
              .catch((err: unknown) => this.ctx.log.error('bind attempt not released', { dn: entry.dn, error: String(err) }));
        } finally {
          this.wakers.get(entry.id)?.();
        }
      },
    };
  }
}
