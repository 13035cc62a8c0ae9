import { ResultCode } from '../ldap/result-codes';
import { StoreBusy } from '../store/types';

/** An error that carries the LDAP result a client should see. Every refusal in Cairn is one of these. */
export class LdapError extends Error {
  constructor(
    readonly resultCode: number,
    message: string,
    readonly matchedDN?: string,
  ) {
    super(message);
    this.name = 'LdapError';
  }
}

/**
 * What a person typed, refused before it reaches the directory (a uid with a space, no such group): plain
 * words, shown as they are by the CLI and the portal; nothing was changed.
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A refusal by the password policy: also carries the password-policy response control's error value. */
export class PolicyRefusal extends LdapError {
  constructor(
    resultCode: number,
    message: string,
    readonly policyError: number,
  ) {
    super(resultCode, message);
  }
}

/**
 * The password was right, but the account must use MFA and has no secret yet: an LDAP bind is refused
 * (49); the portal lets the person sign in only to enrol.
 */
export class MfaEnrolmentRequired extends LdapError {
  constructor() {
    super(
      ResultCode.invalidCredentials,
      'MFA enrolment is required for this account: turn it on in the self-service portal, or ask an administrator to enroll it (cairn mfa enroll)',
    );
  }
}

export const ldapError = {
  noSuchObject: (dn: string, matchedDN?: string) => new LdapError(ResultCode.noSuchObject, `no such entry: ${dn}`, matchedDN),
  invalidDN: (dn: string, why: string) => new LdapError(ResultCode.invalidDNSyntax, `invalid DN "${dn}": ${why}`),
  undefinedAttribute: (name: string) => new LdapError(ResultCode.undefinedAttributeType, `${name}: attribute type undefined`),
  insufficientAccess: (message: string) => new LdapError(ResultCode.insufficientAccessRights, message),
  unwilling: (message: string) => new LdapError(ResultCode.unwillingToPerform, message),
  protocol: (message: string) => new LdapError(ResultCode.protocolError, message),
};

/**
 * Turns anything thrown into an LdapError; unexpected errors become `other` (80) without leaking internals.
 * A write that found the database locked by another process past its busy timeout is busy (51): the
 * client may try again.
 */
export function asLdapError(err: unknown): LdapError {
  if (err instanceof LdapError) return err;
  if (err instanceof StoreBusy) return new LdapError(ResultCode.busy, 'the directory is busy: another write held the database too long; try again');
  return new LdapError(ResultCode.other, 'internal server error');
}
