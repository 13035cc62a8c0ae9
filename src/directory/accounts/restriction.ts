import { PolicyRefusal } from '../errors';
import type { Normalization } from '../normalize';
import { ResultCode } from '../../ldap/result-codes';
import { PolicyError } from '../../security/policy/types';

declare const opaque: unique symbol;
/**
 * What a connection may still do after its bind: nothing restricted (undefined), or only a password change
 * (after an administrator's reset: draft-behera changeAfterReset; or after a bind refused because the
 * password expired). The front door only carries it and hands it back: the accounts engine decides.
 */
export type SessionRestriction = { readonly [opaque]: true };

type Restriction =
  /** Bound after an administrator's reset: only a change of its own password until it happens. */
  | { kind: 'mustChange'; ndn: string }
  /** A bind refused only because the password expired: that DN may still change its password (anonymously). */
  | { kind: 'expired'; dn: string }
  /** A portal sign-in with the right password of an account that must use MFA and has none: only enrolment. */
  | { kind: 'mustEnrol'; ndn: string };

export const restrict = (r: Restriction): SessionRestriction => r as unknown as SessionRestriction;
export const restrictionOf = (s: SessionRestriction | undefined): Restriction | undefined => s as unknown as Restriction | undefined;

/** A request as the engine needs to see it to decide whether a restricted session may make it. */
export interface SessionRequest {
  op: string;
  /** An extended operation's OID. */
  name?: string;
  /** A modify's target. */
  object?: string;
  changes?: ReadonlyArray<{ modification: { type: string } }>;
}

/** Extended operations a session that must change its password may still use: Password Modify, Who am I?, StartTLS. */
const ALLOWED_EXTENDED: readonly string[] = ['1.3.6.1.4.1.4203.1.11.1', '1.3.6.1.4.1.4203.1.11.3', '1.3.6.1.4.1.1466.20037'];
const PASSWORD_MODIFY = ALLOWED_EXTENDED[0];

/** userPassword by the schema (any of its names or its OID), not by spelling. */
function isUserPassword(norm: Normalization, type: string): boolean {
  return norm.attribute(type)?.key === 'userpassword';
}

/** Throws when the session may not make this request: after a reset, only its own password change. */
export function checkAllowed(norm: Normalization, session: SessionRestriction | undefined, req: SessionRequest): void {
  const r = restrictionOf(session);
  if (r?.kind !== 'mustChange') return;
  const allowed =
    req.op === 'bind' ||
    (req.op === 'extended' && ALLOWED_EXTENDED.includes(req.name ?? '')) ||
    (req.op === 'modify' && (req.changes ?? []).every((c) => isUserPassword(norm, c.modification.type)) && norm.normalizeDN(req.object ?? '').ndn === r.ndn);
  if (!allowed)
    throw new PolicyRefusal(ResultCode.insufficientAccessRights, 'you must change your password before doing anything else', PolicyError.changeAfterReset);
}

/** The restriction after a request succeeded: a password change lifts it. */
export function afterSuccess(norm: Normalization, session: SessionRestriction | undefined, req: SessionRequest): SessionRestriction | undefined {
  const r = restrictionOf(session);
  if (!r) return undefined;
  if (req.op === 'extended' && req.name === PASSWORD_MODIFY) return undefined;
  if (r.kind === 'mustChange' && req.op === 'modify' && (req.changes ?? []).some((c) => isUserPassword(norm, c.modification.type))) return undefined;
  return session;
}
