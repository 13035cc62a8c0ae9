import type { PasswordHasher } from '../../security/passwords';
import { checkQuality } from '../../security/policy/quality';
import { DEFAULT_POLICY, policyFromEntry } from '../../security/policy/policy';
import { PolicyError, type PasswordPolicy, type PersonalData, type PolicyResponse } from '../../security/policy/types';
import type { StoredEntry, WriteTx } from '../../store/types';
import { BindAttempts } from './bind-attempts';
import type { DirectoryContext } from '../context';
import { EntryView } from '../entry-view';
import { PolicyRefusal } from '../errors';
import { formatGeneralizedTime, parseGeneralizedTime } from '../matching';
import { ResultCode } from '../../ldap/result-codes';
import type { KeyedAttributes } from '../write/entry-attributes';
import { updateServerState, type SetValues } from '../server-state';

const violation = (message: string, error: number) => new PolicyRefusal(ResultCode.constraintViolation, message, error);

/** Who sets a password, which decides the rules that apply (as OpenLDAP's ppolicy overlay). */
export interface PasswordSetter {
  /** The person on their own entry (not an administrator acting on it). */
  self: boolean;
  /** The old password was given and verified (delete old + add new, or Password Modify's oldPasswd). */
  oldVerified: boolean;
  /** An administrator's reset that the person must follow with their own change (pwdReset). */
  reset: boolean;
}

/**
 * The password policy (draft-behera-ldap-password-policy), as a layer the directory consults: which policy
 * governs an entry, whether a new password may be set, and the policy state kept on the entry as
 * operational attributes (pwdChangedTime, pwdReset, pwdFailureTime, pwdAccountLockedTime).
 */
export class PasswordPolicyLayer {
  /** Password checks under way, counted against pwdMaxFailure before each slow comparison. */
  readonly attempts: BindAttempts;
  /** Each policy entry as read: the store hands out a new entry object whenever it reads the entry again. */
  private readonly parsed = new WeakMap<StoredEntry, PasswordPolicy>();

  constructor(
    private readonly ctx: DirectoryContext,
    readonly blocklist: ReadonlySet<string>,
  ) {
    this.attempts = new BindAttempts(ctx, this);
  }

  private get norm() {
    return this.ctx.norm;
  }

  /** The entry's policy: its pwdPolicySubentry, else cn=default,ou=policies, else Cairn's defaults. */
  async policyFor(entry: Pick<StoredEntry, 'dn' | 'attributes'>): Promise<PasswordPolicy> {
    const view = EntryView.of(entry, this.norm);
    const named = view.values('pwdpolicysubentry')[0];
    const dn = named ?? `cn=default,ou=policies,${this.ctx.namingContext}`;
    const policyEntry = await this.ctx.store.entryByNdn(this.norm.normalizeDN(dn).ndn);
    if (!policyEntry) return { dn, ...DEFAULT_POLICY };
    let policy = this.parsed.get(policyEntry);
    if (!policy) {
      const pv = EntryView.of(policyEntry, this.norm);
      policy = Object.freeze(policyFromEntry(policyEntry.dn, (k) => pv.values(k)[0]));
      this.parsed.set(policyEntry, policy);
    }
    return policy;
  }

  personalData(entry: Pick<StoredEntry, 'dn' | 'attributes'>): PersonalData {
    const v = EntryView.of(entry, this.norm);
    return {
      uid: v.values('uid')[0],
      givenName: v.values('givenname')[0],
      sn: v.values('sn')[0],
      mailNames: v.values('mail').map((m) => m.split('@')[0]),
    };
  }

  /**
   * Checks a cleartext password about to be set: who may change it, minimum age, quality, history.
   * Throws a PolicyRefusal naming the rule. Runs before the write transaction (history needs bcrypt).
   */
  async checkNewPassword(entry: StoredEntry, password: string, setter: PasswordSetter, hasher: PasswordHasher, currentHash?: string): Promise<PasswordPolicy> {
    const policy = await this.policyFor(entry);
    const view = EntryView.of(entry, this.norm);
    if (setter.self) {
      if (!policy.allowUserChange) {
        throw new PolicyRefusal(
          ResultCode.insufficientAccessRights,
          'you may not change your own password; ask an administrator',
          PolicyError.passwordModNotAllowed,
        );
      }
      if (policy.safeModify && !setter.oldVerified) {
        throw violation('must supply the old password to change it', PolicyError.mustSupplyOldPassword);
      }
      const changed = parseGeneralizedTime(view.values('pwdchangedtime')[0] ?? '');
      const reset = view.values('pwdreset')[0] === 'TRUE';
      if (policy.minAge > 0 && changed !== undefined && !reset && this.ctx.now() - changed < policy.minAge * 1000) {
        throw violation(`was changed too recently; it may be changed again after ${formatDuration(policy.minAge)}`, PolicyError.passwordTooYoung);
      }
    }
    const failure = checkQuality(password, policy, this.personalData(entry), this.blocklist);
    if (failure) throw violation(`the new password ${failure.message}`, failure.error);
    if (policy.inHistory > 0 && entry.id > 0) {
      const earlier = [...(currentHash ? [currentHash] : []), ...(await this.ctx.store.passwordHistory(entry.id, policy.inHistory))];
      for (const hash of earlier) {
        if (await hasher.verify(password, hash)) throw violation('the new password was used recently; choose another', PolicyError.passwordInHistory);
      }
    }
    return policy;
  }

  /** The policy state after a new password is stored: the time, the reset flag, failures and lock cleared. */
  applyNewPassword(
    tx: WriteTx,
    entryId: number,
    attrs: KeyedAttributes,
    policy: PasswordPolicy,
    setter: PasswordSetter,
    oldHash: string | undefined,
    now: number,
  ) {
    const set = (name: string, values: string[]) => this.setValues(attrs, name, values, false);
    set('pwdChangedTime', [formatGeneralizedTime(now)]);
    set('pwdReset', setter.reset && policy.mustChange ? ['TRUE'] : []);
    set('pwdFailureTime', []);
    set('pwdGraceUseTime', []);
    if (!setter.self) set('pwdAccountLockedTime', []);
    this.stampShadow(attrs, policy, now, false);
    if (oldHash && policy.inHistory > 0) tx.addPasswordHistory(entryId, oldHash, now, policy.inHistory);
  }

  /**
   * Shadow-based clients (nslcd, pam_unix-style expiry) compute expiry from shadowLastChange, shadowMax and
   * shadowWarning: keep them in step with the policy on shadowAccount entries. On an added entry
   * (keepExisting) migrated values win.
   */
  stampShadow(attrs: KeyedAttributes, policy: PasswordPolicy, changedAt: number, keepExisting: boolean) {
    const classes = (attrs.get('objectclass')?.values ?? []).map((c) => this.norm.schema.objectClass(c)?.key);
    if (!classes.includes('shadowaccount')) return;
    const set = (name: string, values: string[]) => this.setValues(attrs, name, values, keepExisting);
    const shadow = shadowValues(policy, changedAt);
    set('shadowLastChange', shadow.shadowLastChange);
    set('shadowMax', shadow.shadowMax);
    set('shadowWarning', shadow.shadowWarning);
  }

  /** Replaces an attribute's values (none: removes it), keeping the name as the entry spells it. */
  private setValues(attrs: KeyedAttributes, name: string, values: string[], keepExisting: boolean) {
    const info = this.norm.requireAttribute(name);
    if (keepExisting && attrs.get(info.key)?.values.length) return;
    if (values.length) attrs.set(info.key, { info, name: attrs.get(info.key)?.name ?? info.type.name, values });
    else attrs.delete(info.key);
  }

  private updateState(entryId: number, change: (view: EntryView, set: SetValues) => void, alongside?: (tx: WriteTx) => void) {
    return updateServerState(this.ctx, entryId, change, alongside);
  }

  /** Locked (pwdAccountLockedTime) and not yet released by pwdLockoutDuration; OpenLDAP's 000001010000Z locks for good. */
  isLocked(entry: Pick<StoredEntry, 'dn' | 'attributes'>, policy: PasswordPolicy, now = this.ctx.now()): boolean {
    return lockedIn(EntryView.of(entry, this.norm), policy, now);
  }

  /** Whether failed binds can lock this account (pwdLockout with a pwdMaxFailure). */
  locksOut(policy: PasswordPolicy): boolean {
    return policy.lockout && policy.maxFailure > 0;
  }

  /**
   * How many password checks may be under way at once for an account whose failures can lock it: the
   * failures left before the lock, so that however many binds arrive together no more than pwdMaxFailure
   * guesses are checked. At least one: after a lock ran out (or an administrator lifted it) with the
   * failures still counted, one check may run, and its failure locks again, as before.
   */
  checksAllowed(entry: Pick<StoredEntry, 'dn' | 'attributes'>, policy: PasswordPolicy, now = this.ctx.now()): number | 'locked' {
    const view = EntryView.of(entry, this.norm);
    if (lockedIn(view, policy, now)) return 'locked';
    return Math.max(1, policy.maxFailure - recentFailures(view, policy, now).length);
  }

  /**
   * A failed bind: one more pwdFailureTime (older ones past the interval forgotten); enough of them lock.
   * `attempt` ends in the same transaction: the check in flight becomes the failure it found.
   */
  async recordFailure(entry: StoredEntry, policy: PasswordPolicy, now = this.ctx.now(), attempt?: (tx: WriteTx) => void) {
    if (!policy.lockout && policy.maxFailure === 0) return;
    await this.updateState(
      entry.id,
      (view, set) => {
        const kept = recentFailures(view, policy, now);
        // pwdFailureTime values must differ: milliseconds, moved on by one where two failures share one.
        let at = now;
        while (kept.includes(formatGeneralizedTime(at, true))) at++;
        const failures = [...kept, formatGeneralizedTime(at, true)].slice(-Math.max(policy.maxFailure, 1));
        set('pwdFailureTime', failures);
        if (this.locksOut(policy) && failures.length >= policy.maxFailure && !lockedIn(view, policy, now)) {
          set('pwdAccountLockedTime', [formatGeneralizedTime(now)]);
        }
      },
      attempt,
    );
  }

  /** Failures or a lock recorded on the entry: what a successful bind clears. */
  hasFailures(entry: Pick<StoredEntry, 'dn' | 'attributes'>): boolean {
    const view = EntryView.of(entry, this.norm);
    return view.values('pwdfailuretime').length > 0 || view.values('pwdaccountlockedtime').length > 0;
  }

  /** A successful bind resets the failure count, and a lock whose duration has passed; `attempt` ends with it. */
  async recordSuccess(entry: StoredEntry, attempt?: (tx: WriteTx) => void) {
    if (!this.hasFailures(entry)) {
      // Nothing to clear: only the check ends, which need not wait for the disk.
      if (attempt)
        await this.ctx.store
          .write(attempt, { durable: false })
          .catch((err: unknown) => this.ctx.log.error('bind attempt not released', { dn: entry.dn, error: String(err) }));
      return;
    }
    await this.updateState(
      entry.id,
      (_view, set) => {
        set('pwdFailureTime', []);
        set('pwdAccountLockedTime', []);
      },
      attempt,
    );
  }

  /**
   * After a correct password: expiry (with grace logins), the expiry warning, and the must-change state
   * after an administrator's reset. Throws passwordExpired when no grace login is left.
   */
  async afterCorrectPassword(
    entry: StoredEntry,
    policy: PasswordPolicy,
    now = this.ctx.now(),
    /** false for an app password: the person's grace logins are theirs to spend, and the app is refused meanwhile. */
    spendGrace = true,
  ): Promise<{ response?: PolicyResponse; mustChange: boolean }> {
    const view = EntryView.of(entry, this.norm);
    // As slapd's ppolicy: a password without pwdChangedTime (migrated from a directory that kept none) does
    // not expire until it is next changed. Counting from the import instead would expire everyone at once.
    const changed = parseGeneralizedTime(view.values('pwdchangedtime')[0] ?? '');
    let response: PolicyResponse | undefined;
    if (policy.maxAge > 0 && changed !== undefined) {
      const expiresAt = changed + policy.maxAge * 1000;
      if (now >= expiresAt) {
        const used = view.values('pwdgraceusetime').length;
        const withinGraceExpiry = policy.graceExpiry === 0 || now < expiresAt + policy.graceExpiry * 1000;
        if (spendGrace && used < policy.graceAuthNLimit && withinGraceExpiry) {
          await this.updateState(entry.id, (v, set) => set('pwdGraceUseTime', [...v.values('pwdgraceusetime'), formatGeneralizedTime(now + used, true)]));
          response = { warning: { graceAuthNsRemaining: policy.graceAuthNLimit - used - 1 } };
        } else {
          throw new PolicyRefusal(ResultCode.invalidCredentials, 'your password has expired; change it now', PolicyError.passwordExpired);
        }
      } else if (policy.expireWarning > 0 && expiresAt - now <= policy.expireWarning * 1000) {
        response = { warning: { timeBeforeExpiration: Math.max(0, Math.floor((expiresAt - now) / 1000)) } };
      }
    }
    const mustChange = policy.mustChange && view.values('pwdreset')[0] === 'TRUE';
    if (mustChange) response = { ...response, error: PolicyError.changeAfterReset };
    return { response, mustChange };
  }
}

/** PasswordPolicyLayer.isLocked, on a view of the entry as it is now. */
function lockedIn(view: EntryView, policy: PasswordPolicy, now: number): boolean {
  const raw = view.values('pwdaccountlockedtime')[0];
  if (raw === undefined) return false;
  if (raw.startsWith('00000101')) return true;
  const lockedAt = parseGeneralizedTime(raw);
  if (lockedAt === undefined) return true;
  return policy.lockoutDuration === 0 || now < lockedAt + policy.lockoutDuration * 1000;
}

/** The pwdFailureTime values within pwdFailureCountInterval (all of them when it is 0). */
function recentFailures(view: EntryView, policy: PasswordPolicy, now: number): string[] {
  const window = policy.failureCountInterval * 1000;
  return view.values('pwdfailuretime').filter((t) => window === 0 || (parseGeneralizedTime(t) ?? 0) > now - window);
}

/**
 * The shadow attributes (days since 1970) for a password changed at changedAt under this policy; [] means
 * none. A policy with grace logins publishes no shadowMax: shadow cannot count grace logins, and nslcd,
 * which checks shadow after a successful bind, would turn away a person who still has some (and hide the
 * grace message the password-policy control gave it), which OpenLDAP, whose ppolicy never writes shadow,
 * does not do.
 */
export function shadowValues(policy: PasswordPolicy, changedAt: number): { shadowLastChange: string[]; shadowMax: string[]; shadowWarning: string[] } {
  const expires = policy.maxAge > 0 && policy.graceAuthNLimit === 0;
  return {
    shadowLastChange: [String(Math.floor(changedAt / 86400000))],
    shadowMax: expires ? [String(Math.ceil(policy.maxAge / 86400))] : [],
    shadowWarning: expires && policy.expireWarning > 0 ? [String(Math.ceil(policy.expireWarning / 86400))] : [],
  };
}

function formatDuration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} seconds`;
}
