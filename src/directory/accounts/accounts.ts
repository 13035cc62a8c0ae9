import type { SecretBox } from '../../security/secret-box';
import type { PasswordPolicy } from '../../security/policy/types';
import { PolicyError } from '../../security/policy/types';
import { loadBlocklist } from '../../security/policy/blocklist';
import type { StoredEntry } from '../../store/types';
import type { AuditTrail } from '../audit';
import type { DirectoryContext } from '../context';
import { LdapError, MfaEnrolmentRequired, PolicyRefusal } from '../errors';
import { ANONYMOUS, SYSTEM, type Identity } from '../identity';
import { EntryView } from '../entry-view';
import { createHash, randomBytes } from 'node:crypto';
import { ResultCode } from '../../ldap/result-codes';
import type { Writer } from '../write/writer';
import { identityOf, simpleBind, type BindOutcome } from './bind';
import { changePassword, type PasswordChangeRequest } from './change-password';
import { expiringPasswords, passwordExpiryOf, type ExpiringPassword, type PasswordExpiry } from './expiry';
import { generatePassword } from './generator';
import { MfaLayer, type BindOrigin } from './mfa';
import { PasswordPolicyLayer } from './password-policy';
import { afterSuccess, checkAllowed, restrict, restrictionOf, type SessionRequest, type SessionRestriction } from './restriction';
import { PortalSessions, type PortalSession } from './portal-sessions';
import { DeviceCredentials } from './devices';
import { AppPasswords, type AppPassword, type AppPasswordScope } from './app-passwords';
import { normalizeRecoveryCode } from '../../security/typable-secrets';

export type { BindOrigin } from './mfa';
export type { PasswordChangeRequest } from './change-password';
export type { SessionRequest, SessionRestriction } from './restriction';
export type { ExpiringPassword, PasswordExpiry } from './expiry';
export type { PortalSession } from './portal-sessions';
export type { AppPassword, AppPasswordScope } from './app-passwords';

/** A forgotten-password request the engine accepted: what the mail needs. The token goes in the link only. */
export interface PasswordResetMail {
  token: string;
  to: string;
  name: string;
  expiresAt: number;
}

/** How long a reset link works, and how soon another mail may go to the same account. */
const RESET_VALID_MS = 30 * 60_000;
const RESET_SPACING_MS = 2 * 60_000;
const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

/** A portal sign-in that the engine accepted: the session's token, and what the person must do first. */
export interface PortalSignIn {
  token: string;
  /** Reset by an administrator, or expired: the password must be changed before anything else. */
  passwordChangeOnly: boolean;
  /** The account must use MFA and has none: it must be turned on before anything else. */
  mfaEnrolmentOnly?: boolean;
  policy?: Authentication['policy'];
}

/** A successful authentication: who, what the password policy says (the ppolicy control), and any restriction. */
export type Authentication = BindOutcome;

export type MfaState = 'enrolled' | 'pending' | 'required' | 'off';

/**
 * The accounts engine, the one door onto passwords, password policy and MFA: the LDAP operations, the CLI,
 * the reminder job (and next the web portal) call these methods and nothing else. Every state change is
 * written to the audit log with the LDAP writes; every time rule reads the directory's clock.
 */
export class Accounts {
  private readonly policy: PasswordPolicyLayer;
  private readonly mfa: MfaLayer;
  private readonly sessions: PortalSessions;
  private readonly devices: DeviceCredentials;
  private readonly apps: AppPasswords;

  constructor(
    private readonly ctx: DirectoryContext,
    private readonly writer: Writer,
    private readonly audit: AuditTrail,
    secrets: SecretBox,
    policy: PasswordPolicyLayer = new PasswordPolicyLayer(ctx, loadBlocklist()),
  ) {
    this.policy = policy;
    this.mfa = new MfaLayer(ctx, secrets, ctx.config.mfa, policy);
    this.sessions = new PortalSessions(ctx);
    this.devices = new DeviceCredentials(ctx, writer, policy);
    this.apps = new AppPasswords(ctx);
    ctx.deviceNtHash = (who, entry) => this.devices.ntHashFor(who, entry);
  }

  /** The password policy layer, for the writer (a userPassword in an add or modify follows the same rules). */
  get passwordRules(): PasswordPolicyLayer {
    return this.policy;
  }

  /** A simple bind; `origin` (the connection's client) decides the MFA code's per-client grace. */
  authenticate(name: string, typedPassword: string, origin?: BindOrigin): Promise<Authentication> {
    return simpleBind(this.ctx, this.policy, this.mfa, name, typedPassword, origin, undefined, this.devices, this.apps);
  }

  /**
   * A portal sign-in: the same authentication as an LDAP bind (one failure counter, one lockout, the same
   * MFA code check and audit), then a session. An expired password that was typed right opens a session
   * that may only change it, as an LDAP connection may after such a bind.
   */
  async signIn(dn: string, password: string, code = '', origin?: BindOrigin): Promise<PortalSignIn> {
    try {
      // The code field holds the app's 6 digits (checked as LDAP binds carry them: after the password) or a recovery code.
      const recovery = normalizeRecoveryCode(code) !== undefined;
      const auth = await simpleBind(this.ctx, this.policy, this.mfa, dn, recovery ? password : password + code, origin, recovery ? code : undefined);
      if (auth.identity.kind !== 'user' || auth.identity.isDevice) throw new LdapError(ResultCode.invalidCredentials, 'invalid credentials');
      const token = await this.sessions.open(auth.identity.entryId, auth.restriction);
      return { token, passwordChangeOnly: auth.restriction !== undefined, policy: auth.policy };
    } catch (err) {
      const entry = await this.entry(dn);
      if (entry && err instanceof MfaEnrolmentRequired)
        return {
          token: await this.sessions.open(entry.id, restrict({ kind: 'mustEnrol', ndn: entry.ndn })),
          passwordChangeOnly: false,
          mfaEnrolmentOnly: true,
        };
      const restriction = this.restrictionAfterRefusal(dn, err);
      if (!entry || !restriction) throw err;
      return { token: await this.sessions.open(entry.id, restriction), passwordChangeOnly: true };
    }
  }

  /** Whether a portal session may only turn on MFA (its account must use it and has no secret yet). */
  mfaEnrolmentOnly(session: PortalSession): boolean {
    return restrictionOf(session.restriction)?.kind === 'mustEnrol';
  }

  /** The portal session a browser's token stands for, while it is alive. */
  portalSession(token: string): Promise<PortalSession | undefined> {
    return this.sessions.resume(token);
  }

  /** Whether a portal session may do anything but change its password. */
  passwordChangeOnly(session: PortalSession): boolean {
    const kind = restrictionOf(session.restriction)?.kind;
    return kind === 'mustChange' || kind === 'expired';
  }

  signOut(token: string): Promise<void> {
    return this.sessions.end(token);
  }

  /**
   * A person changes their own password on the portal: the old one, the new one, the policy. Every session
   * of theirs ends with the change (the writer sees to it); the token returned is the new session's.
   */
  async changeOwnPassword(session: PortalSession, oldPassword: string, newPassword: string): Promise<string> {
    const expired = restrictionOf(session.restriction)?.kind === 'expired';
    const who = expired ? ANONYMOUS : session.identity;
    await this.changePassword(who, { userIdentity: session.identity.dn, oldPassword, newPassword }, session.restriction);
    return this.sessions.open(session.identity.entryId);
  }

  /**
   * Forgot password: a single-use token for the account at `dn`, valid 30 minutes, replacing any earlier
   * one. Undefined (and nothing for the caller to say differently) when there is no such account, it has no
   * mail address, or a mail went to it less than 2 minutes ago.
   */
  async requestPasswordReset(dn: string): Promise<PasswordResetMail | undefined> {
    const entry = await this.entry(dn);
    const view = entry && EntryView.of(entry, this.ctx.norm);
    const to = view?.values('mail')[0];
    if (!entry || !view || !to) return undefined;
    const now = this.ctx.now();
    const last = await this.ctx.store.resetTokenRequestedAt(entry.id);
    if (last !== undefined && now - last < RESET_SPACING_MS) return undefined;
    const token = randomBytes(32).toString('base64url');
    await this.audit.audited(SYSTEM, { op: 'modify', dn: entry.dn, attributes: ['passwordResetRequested'] }, () =>
      this.ctx.store.setResetToken(entry.id, tokenHash(token), now, now + RESET_VALID_MS),
    );
    return { token, to, name: view.values('displayname')[0] ?? view.values('cn')[0] ?? entry.dn, expiresAt: now + RESET_VALID_MS };
  }

  /** Whether a reset link still works, and whether it needs a code (the account has MFA). */
  async resetLink(token: string): Promise<{ needsCode: boolean } | undefined> {
    const id = await this.ctx.store.resetTokenEntry(tokenHash(token), this.ctx.now());
    const entry = id === undefined ? undefined : await this.ctx.store.entryById(id);
    return entry && { needsCode: (await this.mfa.requirement(entry)).enrolled };
  }

  /**
   * Sets a new password through a reset link: the token (and, with MFA, a code from the app, so that a
   * mailbox alone is not enough), the same policy as any change of one's own password; the token is spent
   * and a lockout lifted. Returns the DN.
   */
  async resetForgottenPassword(token: string, newPassword: string, code: string, origin?: BindOrigin): Promise<string> {
    const key = tokenHash(token);
    // Spent before anything else, so that two uses of one link cannot both set a password; put back when
    // the attempt is refused (a wrong code, a password the policy refuses), unless a newer link replaced it.
    const taken = await this.ctx.store.takeResetToken(key, this.ctx.now());
    const entry = taken && (await this.ctx.store.entryById(taken.entryId));
    if (!taken || !entry) throw new LdapError(ResultCode.invalidCredentials, 'this link has expired or was used already: ask for a new one');
    try {
      if ((await this.mfa.requirement(entry)).enrolled && !(await this.secondFactor(entry, code, origin)))
        throw new LdapError(ResultCode.invalidCredentials, 'the code from your authenticator app (or the recovery code) is wrong');
      await this.changePassword(identityOf(this.ctx, entry), { userIdentity: entry.dn, newPassword }, undefined, { proven: true });
    } catch (err) {
      if ((await this.ctx.store.resetTokenRequestedAt(entry.id)) === undefined)
        await this.ctx.store.setResetToken(entry.id, key, taken.requestedAt, taken.expiresAt);
      throw err;
    }
    if (await this.isLocked(entry.dn)) await this.unlock(SYSTEM, entry.dn);
    return entry.dn;
  }

  /** A code from the app, or one of the account's unused recovery codes (spent by this check). */
  private async secondFactor(entry: StoredEntry, code: string, origin?: BindOrigin): Promise<boolean> {
    if (normalizeRecoveryCode(code) !== undefined) return this.mfa.useRecoveryCode(entry, code);
    return (await this.mfa.checkCode(entry, code, origin?.address)) === 'ok';
  }

  /** The restriction a refused bind leaves on its session: an expired password may still be changed there. */
  restrictionAfterRefusal(name: string, err: unknown): SessionRestriction | undefined {
    if (err instanceof PolicyRefusal && err.policyError === PolicyError.passwordExpired) return restrict({ kind: 'expired', dn: name });
    return undefined;
  }

  /** Throws (changeAfterReset, 50) when a restricted session asks for anything but its password change. */
  checkAllowed(restriction: SessionRestriction | undefined, request: SessionRequest): void {
    checkAllowed(this.ctx.norm, restriction, request);
  }

  /** Whether a restricted session may make this request. */
  allows(restriction: SessionRestriction | undefined, request: SessionRequest): boolean {
    try {
      this.checkAllowed(restriction, request);
      return true;
    } catch (err) {
      if (err instanceof PolicyRefusal) return false;
      throw err;
    }
  }

  /** The session's restriction once a request succeeded (a password change lifts it). */
  afterSuccess(restriction: SessionRestriction | undefined, request: SessionRequest): SessionRestriction | undefined {
    return afterSuccess(this.ctx.norm, restriction, request);
  }

  /**
   * Password Modify (RFC 3062), `cairn user passwd`: a change by the person (with or without the old
   * password, as pwdSafeModify says), an administrator's reset, or a generated password; one policy check.
   */
  changePassword(
    who: Identity,
    req: PasswordChangeRequest,
    restriction?: SessionRestriction,
    options: { reset?: boolean; origin?: BindOrigin; proven?: boolean } = {},
  ) {
    return this.audit.audited(
      who,
      { op: 'modify', dn: req.userIdentity ?? (who.kind === 'user' ? who.dn : ''), attributes: ['passwordModify:userPassword'] },
      async () =>
        changePassword({ ctx: this.ctx, writer: this.writer, policy: this.policy, mfa: this.mfa }, await this.current(who), req, restriction, options),
    );
  }

  /** A password the policy governing `dn` accepts (the default policy for an entry not yet there). */
  async generatePassword(dn: string): Promise<string> {
    const entry = await this.entry(dn);
    const target = entry ?? { dn, attributes: {} };
    return generatePassword(await this.policy.policyFor(target), this.policy.blocklist, entry ? this.policy.personalData(entry) : undefined);
  }

  /** Lifts a lockout: pwdAccountLockedTime and the failure count go (administrators and the CLI). */
  unlock(who: Identity, dn: string) {
    return this.audit.audited(who, { op: 'modify', dn, attributes: ['unlock:pwdAccountLockedTime'] }, async () => {
      const actor = await this.current(who);
      this.ctx.acl.checkWrite(actor, 'unlock', dn);
      await this.writer.modify(
        actor,
        dn,
        [
          { operation: 'replace', modification: { type: 'pwdAccountLockedTime', values: [] } },
          { operation: 'replace', modification: { type: 'pwdFailureTime', values: [] } },
        ],
        { migration: true },
      );
    });
  }

  /** A new MFA secret (or the given one), pending until confirmed with a code from the app. */
  mfaEnroll(who: Identity, dn: string, secret?: string): Promise<{ secret: string; uri: string }> {
    return this.mfaChange(who, dn, 'mfaEnroll', 'enroll for MFA', (entry) => this.mfa.enroll(entry, secret), true);
  }

  mfaConfirm(who: Identity, dn: string, code: string): Promise<void> {
    return this.mfaChange(who, dn, 'mfaConfirm', 'confirm the MFA of', (entry) => this.mfa.confirm(entry, code), true);
  }

  /**
   * A new set of one-time recovery codes for a person's own confirmed MFA (replacing the old set), shown
   * once: each signs in to the portal, or completes a reset link, in place of the app's code.
   */
  mfaRecoveryCodes(who: Identity, dn: string): Promise<string[]> {
    return this.audit.audited(who, { op: 'modify', dn, attributes: ['mfaRecoveryCodes'] }, async () => {
      const actor = await this.current(who);
      const entry = await this.entry(dn);
      this.ctx.acl.checkOwnSecondFactor(actor, entry?.ndn ?? '', dn);
      if (!entry) throw new LdapError(ResultCode.noSuchObject, `no such entry: ${dn}`);
      return this.mfa.newRecoveryCodes(entry);
    });
  }

  /** How many unused recovery codes the account has. */
  async mfaRecoveryCodesLeft(dn: string): Promise<number> {
    const entry = await this.entry(dn);
    return entry ? this.mfa.recoveryCodesLeft(entry) : 0;
  }

  /** A Wi-Fi credential for one of a person's devices (the person, or an administrator); its password is shown once. */
  addWifiCredential(who: Identity, ownerDn: string, device: string) {
    return this.audit.audited(who, { op: 'add', dn: ownerDn, attributes: [`wifiCredential:${device}`] }, async () =>
      this.devices.add(await this.current(who), await this.existing(ownerDn), device),
    );
  }

  /** A person's Wi-Fi credentials, or everyone's. */
  async wifiCredentials(ownerDn?: string) {
    return this.devices.list(ownerDn === undefined ? undefined : await this.existing(ownerDn));
  }

  /** Revokes one of a person's Wi-Fi credentials (a lost device), or all of them. */
  revokeWifiCredentials(who: Identity, ownerDn: string, name?: string) {
    return this.audit.audited(who, { op: 'delete', dn: ownerDn, attributes: [`wifiCredential:${name ?? '*'}`] }, async () => {
      const owner = await this.existing(ownerDn);
      const actor = await this.current(who);
      const names = name !== undefined ? [name] : (await this.devices.list(owner)).map((c) => c.name);
      for (const n of names) await this.devices.revoke(actor, owner, n);
      return names;
    });
  }

  /** An app password for a program that binds with the person's name (the person, or an administrator); shown once. */
  addAppPassword(who: Identity, dn: string, name: string, scope: AppPasswordScope) {
    return this.audit.audited(who, { op: 'modify', dn, attributes: [`appPassword:${name}`] }, async () => {
      const owner = await this.existing(dn);
      this.ctx.acl.checkOwnOrAdministrator(await this.current(who), owner.ndn, dn, 'make an app password for');
      return this.apps.add(owner, name, scope);
    });
  }

  async appPasswords(dn: string): Promise<AppPassword[]> {
    return this.apps.list(await this.existing(dn));
  }

  /** Revokes one app password by name, or all of the person's. */
  revokeAppPasswords(who: Identity, dn: string, name?: string) {
    return this.audit.audited(who, { op: 'modify', dn, attributes: [`appPassword:${name ?? '*'}`] }, async () => {
      const owner = await this.existing(dn);
      this.ctx.acl.checkOwnOrAdministrator(await this.current(who), owner.ndn, dn, 'revoke an app password of');
      return this.apps.revoke(owner, name);
    });
  }

  /** Removes the secret (a lost phone); an account that must use MFA then cannot log in until enrolled again. */
  mfaReset(who: Identity, dn: string): Promise<void> {
    return this.mfaChange(who, dn, 'mfaReset', 'reset the MFA of', (entry) => this.mfa.reset(entry));
  }

  /** Enrolled, pending confirmation, required but not enrolled, or off. */
  async mfaStatus(dn: string): Promise<MfaState | undefined> {
    const entry = await this.entry(dn);
    if (!entry) return undefined;
    const record = await this.ctx.store.totp(entry.id);
    if (record?.confirmed) return 'enrolled';
    if (record) return 'pending';
    return (await this.mfa.requirement(entry)).required ? 'required' : 'off';
  }

  /** Every enrolment (confirmed or pending), by DN. */
  async mfaEnrolled(): Promise<string[]> {
    const dns: string[] = [];
    for (const { entryId } of await this.ctx.store.totpEnrolments()) {
      const entry = await this.ctx.store.entryById(entryId);
      if (entry) dns.push(entry.dn);
    }
    return dns;
  }

  /** An audited MFA change; `selfEnrolment`: a person may do it to their own entry (acl.checkMfaEnrolment). */
  private mfaChange<T>(who: Identity, dn: string, what: string, verb: string, run: (entry: StoredEntry) => Promise<T>, selfEnrolment = false): Promise<T> {
    return this.audit.audited(who, { op: 'modify', dn, attributes: [`${what}:cairnMfaEnabled`] }, async () => {
      const actor = await this.current(who);
      const entry = await this.entry(dn);
      if (selfEnrolment && entry) this.ctx.acl.checkMfaEnrolment(actor, entry.ndn, dn, (await this.ctx.store.totp(entry.id))?.confirmed === true, verb);
      else this.ctx.acl.checkWrite(actor, verb, dn);
      if (!entry) throw new LdapError(ResultCode.noSuchObject, `no such entry: ${dn}`, await this.ctx.matchedDN(this.ctx.norm.normalizeDN(dn).ndn));
      return run(entry);
    });
  }

  /** Accounts whose passwords expire under their policy (the reminder job's question). */
  expiringPasswords(): Promise<ExpiringPassword[]> {
    return expiringPasswords(this.ctx, this.policy);
  }

  /** Whether the account is locked now (by its policy's lockout rules). */
  /** When this person's password expires, and whether to warn now. */
  passwordExpiry(dn: string): Promise<PasswordExpiry> {
    return passwordExpiryOf(this.ctx, this.policy, dn);
  }

  async isLocked(dn: string): Promise<boolean> {
    const entry = await this.entry(dn);
    return entry ? this.policy.isLocked(entry, await this.policy.policyFor(entry)) : false;
  }

  /** The policy that governs an entry (its pwdPolicySubentry, the default policy entry, or Cairn's defaults). */
  async policyOf(dn: string): Promise<PasswordPolicy> {
    const entry = await this.entry(dn);
    return this.policy.policyFor(entry ?? { dn, attributes: {} });
  }

  /** Whether the entry has a password at all. */
  async hasPassword(dn: string): Promise<boolean> {
    const entry = await this.entry(dn);
    return entry !== undefined && (await this.ctx.store.credential(entry.id)) !== undefined;
  }

  /** The time as the account rules see it. */
  now(): number {
    return this.ctx.now();
  }

  /**
   * A connection's identity as of now: membership of cn=admins is decided at bind, but a write must see a
   * removal at once. An entry that no longer exists writes nothing.
   */
  async current(who: Identity): Promise<Identity> {
    if (who.kind !== 'user') return who;
    const entry = await this.ctx.store.entryById(who.entryId);
    if (!entry || entry.ndn !== who.ndn) return ANONYMOUS;
    // How the connection authenticated stays with it: an app password's bind writes nothing.
    return who.appPassword === undefined ? identityOf(this.ctx, entry) : { ...identityOf(this.ctx, entry), appPassword: who.appPassword };
  }

  private async existing(dn: string): Promise<StoredEntry> {
    const entry = await this.entry(dn);
    if (!entry) throw new LdapError(ResultCode.noSuchObject, `no such entry: ${dn}`);
    return entry;
  }

  private async entry(dn: string): Promise<StoredEntry | undefined> {
    return (await this.ctx.store.entryByNdn(this.ctx.norm.normalizeDN(dn).ndn)) ?? undefined;
  }
}
