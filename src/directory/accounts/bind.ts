import type { DirectoryContext } from '../context';
import { LdapError, MfaEnrolmentRequired, PolicyRefusal } from '../errors';
import type { PasswordPolicyLayer } from './password-policy';
import { reuseClient, type BindOrigin, type MfaLayer } from './mfa';
import { PolicyError, type PasswordPolicy, type PolicyResponse } from '../../security/policy/types';
import { ANONYMOUS, type Identity, type UserIdentity } from '../identity';
import { adminsGroupDN, deviceCredentialTest, serviceAccountTest } from '../layout';
import { ResultCode } from '../../ldap/result-codes';
import { hashScheme, isBcrypt } from '../../security/passwords';
import type { StoredEntry } from '../../store/types';
import { EntryView } from '../entry-view';
import { splitCode } from './typed-password';
import { restrict, type SessionRestriction } from './restriction';
import type { CheckOutcome } from './bind-attempts';
import { countBind, type BindResult } from '../../metrics/counts';
import type { DeviceCredentials } from './devices';
import type { AppPasswords } from './app-passwords';
import { verifiedPasswords } from './verified-passwords';

const INVALID = () => new LdapError(ResultCode.invalidCredentials, 'invalid credentials');

/** The identity a bound entry gets: administrators are members of cn=admins, services live in ou=services. */
export function identityOf(ctx: DirectoryContext, entry: StoredEntry): UserIdentity {
  const view = EntryView.of(entry, ctx.norm);
  const adminsNdn = ctx.norm.normalizeDN(adminsGroupDN(ctx.namingContext)).ndn;
  const isAdmin = view.values('memberof').some((g) => ctx.norm.rule('distinguishedNameMatch')!(g) === adminsNdn);
  const isDevice = deviceCredentialTest(ctx.norm, ctx.namingContext)(entry.ndn);
  return {
    kind: 'user',
    dn: entry.dn,
    ndn: entry.ndn,
    entryId: entry.id,
    isAdmin: isAdmin && !isDevice,
    isService: serviceAccountTest(ctx.norm, ctx.namingContext)(entry.ndn),
    ...(isDevice ? { isDevice } : {}),
  };
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
  restriction?: SessionRestriction;
}

export async function simpleBind(
  ctx: DirectoryContext,
  policy: PasswordPolicyLayer,
  mfa: MfaLayer,
  name: string,
  password: string,
  origin?: BindOrigin,
  /** The portal's other second factor: a recovery code in place of the app's code (never on LDAP). */
  recoveryCode?: string,
  /** Device credentials: usable only while their owner is (not locked, in a Wi-Fi group). */
  devices?: DeviceCredentials,
  /** App passwords: tried (LDAP binds only) when the login password does not match and the bind fits a scope. */
  apps?: AppPasswords,
): Promise<BindOutcome> {
  if (name.trim() === '') {
    if (password === '') return { identity: ANONYMOUS };
    throw INVALID();
  }
  if (password === '') {
    throw new LdapError(ResultCode.unwillingToPerform, 'unauthenticated bind (DN with no password) disallowed');
  }
  // How the bind ended, counted once (metrics) whichever way it leaves; an internal error counts nothing.
  let result: BindResult | undefined;
  try {
    const dn = ctx.norm.normalizeDN(name);
    const entry = await ctx.store.entryByNdn(dn.ndn);
    const credential = entry && (await ctx.store.credential(entry.id));
    if (!entry || !credential) {
      result = 'unknown_dn';
      await ctx.hasher.verifyNothing(password);
      throw INVALID();
    }
    const rules = await policy.policyFor(entry);
    // The lock is decided before the slow comparison, and a check is reserved for it, so that binds arriving
    // together cannot all be compared while the failures that would lock the account are still being found.
    // A password the verified-credential cache knows needs no reserved check when nothing stands in its way.
    const known = recoveryCode === undefined && verifiedPasswords(ctx).knows(entry.id, password, credential.hash);
    const reservation = (known ? await policy.attempts.grantKnown(entry, rules) : undefined) ?? (await policy.attempts.reserve(entry, rules));
    if (reservation.kind !== 'granted') {
      result = reservation.kind === 'gone' ? 'unknown_dn' : 'locked';
      await ctx.hasher.verifyNothing(password);
      if (reservation.kind === 'gone') throw INVALID();
      throw new PolicyRefusal(ResultCode.invalidCredentials, 'invalid credentials', PolicyError.accountLocked);
    }
    let outcome: CheckOutcome = 'neither';
    let appPassword: string | undefined;
    try {
      const check = await checkPassword(ctx, mfa, entry, credential.hash, password, reuseClient(origin, entry.ndn), recoveryCode);
      if (check !== 'ok' && apps && !devices?.isDeviceEntry(entry)) appPassword = await apps.match(entry, password, origin);
      const ok = check === 'ok' || appPassword !== undefined;
      result = ok ? undefined : check;
      outcome = ok ? 'success' : 'failure';
    } catch (err) {
      if (err instanceof LdapError) result = 'mfa_missing';
      throw err;
    } finally {
      await reservation.attempt.end(outcome);
    }
    if (outcome === 'failure') throw INVALID();
    if (devices?.isDeviceEntry(entry)) {
      if (!(await devices.usable(entry))) {
        result = 'locked';
        ctx.log.info("bind refused: the device credential's owner is locked, gone, or in no Wi-Fi group", { dn: entry.dn });
        throw INVALID();
      }
      await devices.used(entry);
    }
    let done: BindOutcome;
    try {
      done = await afterCorrectPassword(ctx, policy, entry, rules, credential, appPassword === undefined ? password : undefined);
      if (appPassword !== undefined) {
        ctx.log.info('bind with an app password', { dn: entry.dn, app: appPassword });
        done = { ...done, identity: { ...identityOf(ctx, entry), appPassword } };
      }
    } catch (err) {
      if (err instanceof PolicyRefusal && err.policyError === PolicyError.passwordExpired) result = 'expired';
      throw err;
    }
    result = 'success';
    return done;
  } finally {
    if (result) countBind(result);
  }
}

/** After the right password: expiry and must-change (password policy), and a migrated hash replaced by bcrypt. */
async function afterCorrectPassword(
  ctx: DirectoryContext,
  policy: PasswordPolicyLayer,
  entry: StoredEntry,
  rules: PasswordPolicy,
  credential: { hash: string; changedAt: number },
  /** The login password that matched (undefined: an app password did, and the stored hash is left alone). */
  password: string | undefined,
): Promise<BindOutcome> {
  const state = await policy.afterCorrectPassword(entry, rules, undefined, password !== undefined);
  if (password !== undefined && !isBcrypt(credential.hash)) {
    // A migrated hash of another scheme ({SSHA}, {CRYPT} sha-crypt, {PBKDF2-SHA512}…): replace it with
    // bcrypt now that the password is known to be right.
    const upgraded = await ctx.hasher.hash(password);
    await ctx.store.write((tx) => {
      if (tx.credential(entry.id)?.hash === credential.hash) tx.setCredential(entry.id, upgraded, credential.changedAt);
    });
    ctx.log.info('password hash upgraded to bcrypt', { dn: entry.dn, from: hashScheme(credential.hash) });
  }
  return {
    identity: identityOf(ctx, entry),
    policy: state.response,
    restriction: state.mustChange ? restrict({ kind: 'mustChange', ndn: entry.ndn }) : undefined,
  };
}

/**
 * The password as typed: for an account that must use MFA, the password followed by a 6-digit code. A
 * wrong password and a wrong or replayed code look the same to the client; the log says which it was.
 * An account that must use MFA but has no secret yet cannot bind, and is told why once its password is right.
 */
export async function verifyPassword(
  ctx: DirectoryContext,
  mfa: MfaLayer,
  entry: StoredEntry,
  hash: string,
  typed: string,
  client: string | undefined,
): Promise<boolean> {
  return (await checkPassword(ctx, mfa, entry, hash, typed, client)) === 'ok';
}

/** verifyPassword, saying why it failed. */
async function checkPassword(
  ctx: DirectoryContext,
  mfa: MfaLayer,
  entry: StoredEntry,
  hash: string,
  typed: string,
  client: string | undefined,
  recoveryCode?: string,
): Promise<'ok' | Exclude<BindResult, 'success' | 'unknown_dn' | 'locked' | 'expired'>> {
  const { required, enrolled } = await mfa.requirement(entry);
  const verified = verifiedPasswords(ctx);
  const verify = (password: string) => verified.verify(entry.id, password, hash);
  if (!required) {
    const ok = await verify(typed);
    if (!ok) ctx.log.info('bind failed: wrong password', { dn: entry.dn });
    return ok ? 'ok' : 'wrong_password';
  }
  if (!enrolled) {
    if (await verify(typed)) {
      throw new MfaEnrolmentRequired();
    }
    ctx.log.info('bind failed: wrong password', { dn: entry.dn });
    return 'wrong_password';
  }
  if (recoveryCode !== undefined) {
    if (!(await verify(typed))) {
      ctx.log.info('bind failed: wrong password', { dn: entry.dn, mfa: true });
      return 'wrong_password';
    }
    if (!(await mfa.useRecoveryCode(entry, recoveryCode))) {
      ctx.log.info('bind failed: wrong or used recovery code', { dn: entry.dn });
      return 'mfa_wrong';
    }
    ctx.log.warn('signed in with a recovery code', { dn: entry.dn, left: await mfa.recoveryCodesLeft(entry) });
    return 'ok';
  }
  const split = splitCode(typed);
  if (!split) {
    await ctx.hasher.verifyNothing(typed);
    ctx.log.info('bind failed: no one-time code after the password', { dn: entry.dn });
    return 'mfa_missing';
  }
  if (!(await verify(split.password))) {
    ctx.log.info('bind failed: wrong password', { dn: entry.dn, mfa: true });
    return 'wrong_password';
  }
  const code = await mfa.checkCode(entry, split.code, client);
  if (code !== 'ok') ctx.log.info(`bind failed: ${code === 'replay' ? 'one-time code used already' : 'wrong one-time code'}`, { dn: entry.dn });
  return code === 'ok' ? 'ok' : code === 'replay' ? 'mfa_replayed' : 'mfa_wrong';
}
