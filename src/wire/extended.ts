import { LdapError } from '../directory/errors';
import { identityDN } from '../directory/identity';
import { ResultCode } from '../ldap/result-codes';
import type { Connection } from './connection';
import type { LdapResult } from './protocol/types';
import type { SecureContext } from 'node:tls';
import type { Directory } from '../directory/directory';
import { decodePasswordModifyRequest, encodePasswordModifyResponse, PASSWORD_MODIFY_OID } from './password-modify';

export const EXOP = {
  startTLS: '1.3.6.1.4.1.1466.20037',
  whoAmI: '1.3.6.1.4.1.4203.1.11.3',
  passwordModify: PASSWORD_MODIFY_OID,
} as const;

export const supportedExtensions = () => Object.values(EXOP) as string[];

export interface ExtendedResult extends LdapResult {
  responseName?: string;
  responseValue?: Buffer;
  /** Runs after the response is written (StartTLS switches the socket then). */
  after?: () => void;
}

export async function extendedOperation(
  conn: Connection,
  name: string,
  value: Buffer | undefined,
  env: { secureContext?: SecureContext; directory: Directory },
): Promise<ExtendedResult> {
  const secureContext = env.secureContext;
  switch (name) {
    case EXOP.passwordModify: {
      const { generated } = await env.directory.accounts.changePassword(conn.identity, decodePasswordModifyRequest(value), conn.restriction, {
        origin: conn.origin,
      });
      return { resultCode: ResultCode.success, responseValue: generated === undefined ? undefined : encodePasswordModifyResponse(generated) };
    }
    case EXOP.startTLS: {
      if (conn.secure) throw new LdapError(ResultCode.operationsError, 'TLS is already active on this connection');
      if (!secureContext) throw new LdapError(ResultCode.unavailable, 'TLS is not configured on this server');
      if (conn.operations.size > 1) throw new LdapError(ResultCode.operationsError, 'other operations are outstanding; StartTLS must be alone');
      return { resultCode: ResultCode.success, responseName: EXOP.startTLS, after: () => conn.startTLS(secureContext) };
    }
    case EXOP.whoAmI: {
      // RFC 4532: the authorization identity, "dn:<DN>", or empty for anonymous.
      const dn = identityDN(conn.identity);
      return { resultCode: ResultCode.success, responseValue: Buffer.from(dn ? `dn:${dn}` : '', 'utf8') };
    }
    default:
      throw new LdapError(ResultCode.protocolError, `unsupported extended operation ${name}`);
  }
}
