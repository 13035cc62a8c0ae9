import { LdapError } from '../directory/errors';
import { ResultCode } from '../ldap/result-codes';
import { BerReader } from './protocol/ber-read';
import { berOctetString, berSequence } from './protocol/ber-write';

/**
 * The Password Modify extended operation (RFC 3062):
 *
 *   PasswdModifyRequestValue ::= SEQUENCE {
 *      userIdentity [0] OCTET STRING OPTIONAL,
 *      oldPasswd    [1] OCTET STRING OPTIONAL,
 *      newPasswd    [2] OCTET STRING OPTIONAL }
 *
 *   PasswdModifyResponseValue ::= SEQUENCE { genPasswd [0] OCTET STRING OPTIONAL }
 *
 * The request value itself is optional too: libldap omits it when none of the fields is given.
 */
export const PASSWORD_MODIFY_OID = '1.3.6.1.4.1.4203.1.11.1';

const TAG_USER_IDENTITY = 0x80;
const TAG_OLD_PASSWD = 0x81;
const TAG_NEW_PASSWD = 0x82;
const TAG_GEN_PASSWD = 0x80;

/** A field that is present but empty is '' and stays distinct from an absent one. */
export interface PasswordModifyRequest {
  userIdentity?: string;
  oldPassword?: string;
  newPassword?: string;
}

export function decodePasswordModifyRequest(value: Buffer | undefined): PasswordModifyRequest {
  if (value === undefined || value.length === 0) return {};
  try {
    const reader = new BerReader(value);
    const outer = reader.enter(0x30);
    const request: PasswordModifyRequest = {};
    const userIdentity = reader.readOptionalString(TAG_USER_IDENTITY);
    const oldPassword = reader.readOptionalString(TAG_OLD_PASSWD);
    const newPassword = reader.readOptionalString(TAG_NEW_PASSWD);
    if (userIdentity !== undefined) request.userIdentity = userIdentity;
    if (oldPassword !== undefined) request.oldPassword = oldPassword;
    if (newPassword !== undefined) request.newPassword = newPassword;
    // Anything left over (unknown, repeated or out-of-order fields, trailing octets) is malformed.
    reader.leave(outer);
    reader.expectEnd();
    return request;
  } catch {
    throw new LdapError(ResultCode.protocolError, 'password modify request value is malformed');
  }
}

/** The response value carrying a server-generated password; send no value at all otherwise. */
export function encodePasswordModifyResponse(genPassword: string): Buffer {
  return berSequence([berOctetString(genPassword, TAG_GEN_PASSWD)]);
}
