import type { Filter } from '../../ldap/filter';
import type { AttributeValues, Change, Scope } from '../../ldap/types';

/** LDAP messages as Cairn decodes and encodes them (RFC 4511 section 4). Strings are UTF-8 text. */

export interface Control {
  oid: string;
  critical: boolean;
  /** The raw controlValue octets, when present. */
  value?: Buffer;
}

export type ProtocolOp =
  | { op: 'bind'; version: number; name: string; auth: { kind: 'simple'; password: string } | { kind: 'sasl'; mechanism: string; credentials?: Buffer } }
  | { op: 'unbind' }
  | {
      op: 'search';
      baseObject: string;
      scope: Scope;
      derefAliases: number;
      sizeLimit: number;
      timeLimit: number;
      typesOnly: boolean;
      filter: Filter;
      attributes: string[];
    }
  | { op: 'modify'; object: string; changes: Change[] }
  | { op: 'add'; entry: string; attributes: AttributeValues[] }
  | { op: 'delete'; entry: string }
  | { op: 'modifyDN'; entry: string; newRDN: string; deleteOldRDN: boolean; newSuperior?: string }
  | { op: 'compare'; entry: string; attribute: string; value: string }
  | { op: 'abandon'; messageId: number }
  | { op: 'extended'; name: string; value?: Buffer };

export interface LdapRequest {
  messageId: number;
  protocolOp: ProtocolOp;
  controls: Control[];
}

/** The LDAPResult fields shared by every response (RFC 4511 section 4.1.9). */
export interface LdapResult {
  resultCode: number;
  matchedDN?: string;
  diagnosticMessage?: string;
  referral?: string[];
}

export type ResponseOp =
  | ({ op: 'bindResponse'; serverSaslCreds?: Buffer } & LdapResult)
  | { op: 'searchResultEntry'; objectName: string; attributes: AttributeValues[] }
  | { op: 'searchResultReference'; uris: string[] }
  | ({ op: 'searchResultDone' } & LdapResult)
  | ({ op: 'modifyResponse' } & LdapResult)
  | ({ op: 'addResponse' } & LdapResult)
  | ({ op: 'delResponse' } & LdapResult)
  | ({ op: 'modDNResponse' } & LdapResult)
  | ({ op: 'compareResponse' } & LdapResult)
  | ({ op: 'extendedResponse'; responseName?: string; responseValue?: Buffer } & LdapResult)
  | { op: 'intermediateResponse'; responseName?: string; responseValue?: Buffer };

export interface LdapResponse {
  messageId: number;
  protocolOp: ResponseOp;
  controls?: Control[];
}
