import { generatePassword } from './generator';
import { restrictionOf, type SessionRestriction } from './restriction';
import { PolicyError } from '../../security/policy/types';
import { identityOf, verifyPassword } from './bind';
import { reuseClient, type BindOrigin, type MfaLayer } from './mfa';
import type { DirectoryContext } from '../context';
import { LdapError, PolicyRefusal } from '../errors';
import type { Identity } from '../identity';
import type { PasswordPolicyLayer } from './password-policy';
import { ResultCode } from '../../ldap/result-codes';
import type { Writer } from '../write/writer';

export interface PasswordChangeRequest {
  userIdentity?: string;
  oldPassword?: string;
  newPassword?: string;
}

/**
 * The Password Modify extended operation (RFC 3062) and `cairn user passwd`: whose password, proven how,
 * then the same modify path (and password policy) as an LDAP modify of userPassword. Without a new
 * password, one that satisfies the policy is generated and returned.
 */
export async function changePassword(
  layers: { ctx: DirectoryContext; writer: Writer; policy: PasswordPolicyLayer; mfa: MfaLayer },
  who: Identity,
  req: PasswordChangeRequest,
  /** The session's restriction: after a bind refused for an expired password, that DN may still change it. */
  session?: SessionRestriction,
  /** `proven`: the person proved who they are another way (a forgotten-password link), as an old password would. */
  options: { reset?: boolean; origin?: BindOrigin; proven?: boolean } = {},
): Promise<{ generated?: string }> {
  const { ctx, writer, policy, mfa } = layers;
  const restriction = restrictionOf(session);
  const expiredDn = restriction?.kind === 'expired' ? restriction.dn : undefined;
  const reset = options.reset;
  const targetText = req.userIdentity ?? (who.kind === 'user' ? who.dn : undefined);
  if (targetText === undefined) throw new LdapError(ResultCode.strongerAuthRequired, 'only authenticated users may change passwords');
  const target = ctx.norm.normalizeDN(targetText.replace(/^dn:/i, ''));
  const entry = await ctx.store.entryByNdn(target.ndn);
  let actor = who;
  if (who.kind === 'anonymous') {
    const expired = expiredDn !== undefined && ctx.norm.normalizeDN(expiredDn).ndn === target.ndn;
    if (!expired || !entry) throw new LdapError(ResultCode.strongerAuthRequired, 'only authenticated users may change passwords');
    actor = identityOf(ctx, entry);
  }
  if (!entry) throw new LdapError(ResultCode.noSuchObject, `no such entry: ${targetText}`, await ctx.matchedDN(target.ndn));
  if (ctx.acl.checkPasswordChange(actor, entry.ndn, entry.dn) === 'self') {
    // A bound person may leave out the old password unless the policy's pwdSafeModify asks for it (the
    // policy decides, as slapd's ppolicy does); the connection whose bind failed on an expiry has no bind to
    // stand on, so it must prove the old one.
    if (req.oldPassword === undefined && who.kind === 'anonymous') {
      throw new PolicyRefusal(ResultCode.constraintViolation, 'must supply the old password to change it', PolicyError.mustSupplyOldPassword);
    }
  }
  if (req.oldPassword !== undefined) {
    const current = await ctx.store.credential(entry.id);
    // oldPasswd is the password itself, or as typed at login: with MFA, followed by the code. Reaching this
    // point took a bind that passed MFA (or failed only because the password expired, after the code).
    const ok = current
      ? (await ctx.hasher.verify(req.oldPassword, current.hash)) ||
        ((await mfa.requirement(entry)).enrolled &&
          (await verifyPassword(ctx, mfa, entry, current.hash, req.oldPassword, reuseClient(options.origin, entry.ndn))))
      : await ctx.hasher.verifyNothing(req.oldPassword);
    if (!ok) throw new LdapError(ResultCode.invalidCredentials, 'the old password is not correct');
  }
  const rules = await policy.policyFor(entry);
  const newPassword = req.newPassword ?? generatePassword(rules, policy.blocklist, policy.personalData(entry));
  await writer.modify(actor, entry.dn, [{ operation: 'replace', modification: { type: 'userPassword', values: [newPassword] } }], {
    oldVerified: req.oldPassword !== undefined || options.proven === true,
    reset,
  });
  return req.newPassword === undefined ? { generated: newPassword } : {};
}
