import type { DirectoryContext } from './context';
import { LdapError, PolicyRefusal } from './errors';
import type { PasswordPolicyLayer } from './password-policy';
import { PolicyError, type PolicyResponse } from '../security/policy/types';
import { ANONYMOUS, type Identity } from './identity';
import { ResultCode } from './result-codes';
import { isBcrypt } from '../security/passwords';
import type { StoredEntry } from '../store/types';
import { EntryView } from './entry-view';

const INVALID = () => new LdapError(ResultCode.invalidCredentials, 'invalid credentials');

/** The identity a bound entry gets: administrators are members of cn=admins, services live in ou=services. */
export function identityOf(ctx: DirectoryContext, entry: StoredEntry): Identity {
  const view = new EntryView(entry.dn, entry.attributes, ctx.norm);
  const adminsNdn = ctx.norm.normalizeDN(`cn=admins,ou=groups,${ctx.namingContext}`).ndn;
  const servicesNdn = ctx.norm.normalizeDN(`ou=services,${ctx.namingContext}`).ndn;
  const isAdmin = view.values('memberof').some((g) => ctx.norm.rule('distinguishedNameMatch')!(g) === adminsNdn);
  return { kind: 'user', dn: entry.dn, ndn: entry.ndn, entryId: entry.id, isAdmin, isService: entry.ndn.endsWith(',' + servicesNdn) };
}

/**
 * Simple bind (RFC 4513 section 5.1). An unknown DN and a wrong password both cost one bcrypt comparison
 * and get the same answer, so a client cannot tell which accounts exist.
 */
/** A successful bind: who, and what the password policy has to say (sent if the client asked for it). */
export interface BindOutcome {
  identity: Identity;
  policy?: PolicyResponse;
  /** Reset by an administrator: this connection may only change its password. */
  mustChange: boolean;
}

export async function simpleBind(ctx: DirectoryContext, policy: PasswordPolicyLayer, name: string, password: string): Promise<BindOutcome> {
  if (name.trim() === '') {
    if (password === '') return { identity: ANONYMOUS, mustChange: false };
    throw INVALID();
  }
  if (password === '') {
    throw new LdapError(ResultCode.unwillingToPerform, 'unauthenticated bind (DN with no password) disallowed');
  }
  const dn = ctx.norm.normalizeDN(name);
  const entry = await ctx.store.entryByNdn(dn.ndn);
  const credential = entry && (await ctx.store.credential(entry.id));
  if (!entry || !credential) {
    await ctx.hasher.verifyNothing(password);
    throw INVALID();
  }
  const rules = await policy.policyFor(entry);
  if (policy.isLocked(entry, rules)) {
    await ctx.hasher.verifyNothing(password);
    throw new PolicyRefusal(ResultCode.invalidCredentials, 'invalid credentials', PolicyError.accountLocked);
  }
  if (!(await ctx.hasher.verify(password, credential.hash))) {
    await policy.recordFailure(entry, rules);
    ctx.log.info('bind failed: wrong password', { dn: entry.dn });
    throw INVALID();
  }
  await policy.recordSuccess(entry);
  const state = await policy.afterCorrectPassword(entry, rules, credential.changedAt);
  if (!isBcrypt(credential.hash)) {
    // A migrated {SSHA}/{SHA} hash: replace it with bcrypt now that the password is known to be right.
    const upgraded = await ctx.hasher.hash(password);
    await ctx.store.write((tx) => {
      if (tx.credential(entry.id)?.hash === credential.hash) tx.setCredential(entry.id, upgraded, credential.changedAt);
    });
    ctx.log.info('password hash upgraded to bcrypt', { dn: entry.dn });
  }
  return { identity: identityOf(ctx, entry), policy: state.response, mustChange: state.mustChange };
}
