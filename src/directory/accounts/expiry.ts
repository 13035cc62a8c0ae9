import type { PasswordPolicy } from '../../security/policy/types';
import type { DirectoryContext } from '../context';
import { EntryView } from '../entry-view';
import { SYSTEM } from '../identity';
import { serviceAccountTest } from '../layout';
import { parseGeneralizedTime } from '../matching';
import { runSearch } from '../search/run-search';
import type { PasswordPolicyLayer } from './password-policy';

/** An account whose password expires under its policy, with what a reminder needs to know. */
export interface ExpiringPassword {
  dn: string;
  uid?: string;
  mail?: string;
  /** displayName, else cn. */
  name?: string;
  policy: PasswordPolicy;
  /** pwdChangedTime as stored: reminders are kept per password. */
  changed: string;
  expiresAt: number;
  isService: boolean;
  lockedAt(now: number): boolean;
  /** Whether this reminder ("14", "expired"…) was sent already for this password. */
  reminderSent(reminder: string): Promise<boolean>;
  recordReminders(reminders: string[], now: number): Promise<void>;
}

/** Every account with a pwdChangedTime whose policy has a pwdMaxAge (without pwdChangedTime nothing expires). */
export async function expiringPasswords(ctx: DirectoryContext, policy: PasswordPolicyLayer): Promise<ExpiringPassword[]> {
  const isService = serviceAccountTest(ctx.norm, ctx.namingContext);
  const candidates: string[] = [];
  await runSearch(
    ctx,
    SYSTEM,
    {
      baseDN: ctx.namingContext,
      scope: 'sub',
      filter: { type: 'present', attribute: 'pwdChangedTime' },
      attributes: ['1.1'],
      typesOnly: false,
      sizeLimit: 0,
      timeLimit: 0,
    },
    { send: (e) => void candidates.push(e.dn), isAbandoned: () => false },
  );
  const found: ExpiringPassword[] = [];
  for (const dn of candidates) {
    const entry = await ctx.store.entryByNdn(ctx.norm.normalizeDN(dn).ndn);
    if (!entry) continue;
    const view = EntryView.of(entry, ctx.norm);
    const rules = await policy.policyFor(entry);
    if (rules.maxAge <= 0) continue;
    const changed = view.values('pwdchangedtime')[0];
    const changedAt = parseGeneralizedTime(changed ?? '');
    if (changed === undefined || changedAt === undefined) continue;
    found.push({
      dn: entry.dn,
      uid: view.values('uid')[0],
      mail: view.values('mail')[0],
      name: view.values('displayname')[0] ?? view.values('cn')[0],
      policy: rules,
      changed,
      expiresAt: changedAt + rules.maxAge * 1000,
      isService: isService(entry.ndn),
      lockedAt: (now) => policy.isLocked(entry, rules, now),
      reminderSent: (reminder) => ctx.store.reminderSent(entry.id, changed, reminder),
      recordReminders: (reminders, now) => ctx.store.recordReminders(entry.id, changed, reminders, now),
    });
  }
  return found;
}

/** When one person's password expires, and whether the warning period (pwdExpireWarning) has begun. */
export interface PasswordExpiry {
  /** Milliseconds since 1970; undefined: it never expires (no pwdMaxAge, or no pwdChangedTime). */
  expiresAt?: number;
  warn: boolean;
}

export async function passwordExpiryOf(ctx: DirectoryContext, policy: PasswordPolicyLayer, dn: string): Promise<PasswordExpiry> {
  const entry = await ctx.store.entryByNdn(ctx.norm.normalizeDN(dn).ndn);
  if (!entry) return { warn: false };
  const rules = await policy.policyFor(entry);
  const changedAt = parseGeneralizedTime(EntryView.of(entry, ctx.norm).values('pwdchangedtime')[0] ?? '');
  if (rules.maxAge <= 0 || changedAt === undefined) return { warn: false };
  const expiresAt = changedAt + rules.maxAge * 1000;
  return { expiresAt, warn: rules.expireWarning > 0 && ctx.now() >= expiresAt - rules.expireWarning * 1000 };
}
