import type { PolicyErrorValue, PolicyResponse } from '../security/policy/types';
import { BerReader, ProtocolError } from './protocol/ber-read';
import { berEnumerated, berInteger, berSequence } from './protocol/ber-write';
import type { Control } from './protocol/types';

/**
 * The password policy response control (draft-behera-ldap-password-policy-10 section 6.2):
 *
 *   PasswordPolicyResponseValue ::= SEQUENCE {
 *      warning [0] CHOICE { timeBeforeExpiration [0] INTEGER (0 .. maxInt),
 *                           graceAuthNsRemaining [1] INTEGER (0 .. maxInt) } OPTIONAL,
 *      error   [1] ENUMERATED { ... } OPTIONAL }
 *
 * The module uses IMPLICIT TAGS, except that a CHOICE cannot be implicitly tagged, so `warning` is a
 * constructed [0] wrapping the chosen alternative. On the wire, exactly as OpenLDAP's ppolicy.c and
 * libldap write and read it: warning 0xa0, containing 0x80 (expire) or 0x81 (grace); error 0x81.
 */
export const PASSWORD_POLICY_OID = '1.3.6.1.4.1.42.2.27.8.5.1';

const TAG_WARNING = 0xa0;
const TAG_ERROR = 0x81;
const TAG_TIME_BEFORE_EXPIRATION = 0x80;
const TAG_GRACE_AUTHNS_REMAINING = 0x81;

/** maxInt of RFC 4511; also what libldap's ber_get_int can hold. */
const MAX_INT = 2147483647;
const HIGHEST_POLICY_ERROR = 9;

export function passwordPolicyResponseControl(r: PolicyResponse): Control {
  return { oid: PASSWORD_POLICY_OID, critical: false, value: encodePasswordPolicyResponse(r) };
}

export function encodePasswordPolicyResponse(r: PolicyResponse): Buffer {
  const parts: Buffer[] = [];
  if (r.warning) {
    const inner =
      'timeBeforeExpiration' in r.warning
        ? berInteger(warningValue(r.warning.timeBeforeExpiration), TAG_TIME_BEFORE_EXPIRATION)
        : berInteger(warningValue(r.warning.graceAuthNsRemaining), TAG_GRACE_AUTHNS_REMAINING);
    parts.push(berSequence([inner], TAG_WARNING));
  }
  if (r.error !== undefined) parts.push(berEnumerated(r.error, TAG_ERROR));
  return berSequence(parts);
}

/** A negative count is a caller bug; a count beyond maxInt (68 years of seconds) is capped, not refused. */
function warningValue(n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`password policy warning value ${n} is not a non-negative integer`);
  return Math.min(n, MAX_INT);
}

/** Reads a response control value; throws ProtocolError on anything the encoder would not produce. */
export function decodePasswordPolicyResponse(value: Buffer): PolicyResponse {
  const reader = new BerReader(value);
  const outer = reader.enter(0x30);
  const result: PolicyResponse = {};
  if (reader.peekTag() === TAG_WARNING) {
    const warningOuter = reader.enter(TAG_WARNING);
    const tag = reader.peekTag();
    if (tag === TAG_TIME_BEFORE_EXPIRATION) {
      result.warning = { timeBeforeExpiration: nonNegative(reader.readInteger(tag)) };
    } else if (tag === TAG_GRACE_AUTHNS_REMAINING) {
      result.warning = { graceAuthNsRemaining: nonNegative(reader.readInteger(tag)) };
    } else {
      throw new ProtocolError('password policy warning has neither timeBeforeExpiration nor graceAuthNsRemaining');
    }
    reader.leave(warningOuter);
  }
  if (reader.peekTag() === TAG_ERROR) result.error = policyError(reader.readEnumerated(TAG_ERROR));
  reader.leave(outer);
  reader.expectEnd();
  return result;
}

function nonNegative(n: number): number {
  if (n < 0) throw new ProtocolError(`negative password policy warning value ${n}`);
  return n;
}

function policyError(n: number): PolicyErrorValue {
  if (n < 0 || n > HIGHEST_POLICY_ERROR) throw new ProtocolError(`unknown password policy error ${n}`);
  return n as PolicyErrorValue;
}
