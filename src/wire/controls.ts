import { LdapError } from '../directory/errors';
import { ResultCode } from '../ldap/result-codes';
import { BerReader } from './protocol/ber-read';
import { berInteger, berOctetString, berSequence } from './protocol/ber-write';
import type { Control } from './protocol/types';

export const OID = {
  pagedResults: '1.2.840.113556.1.4.319',
  passwordPolicy: '1.3.6.1.4.1.42.2.27.8.5.1',
  manageDsaIT: '2.16.840.1.113730.3.4.2',
} as const;

/** Controls Cairn implements, by the operations they apply to; advertised in the root DSE. */
const SUPPORTED: Record<string, string[]> = {
  [OID.pagedResults]: ['search'],
  [OID.passwordPolicy]: ['bind', 'modify', 'add', 'extended', 'search', 'compare', 'delete', 'modifyDN'],
  [OID.manageDsaIT]: ['search', 'compare', 'add', 'modify', 'delete', 'modifyDN'],
};

export const supportedControls = () => Object.keys(SUPPORTED);

/** RFC 4511 4.1.11: a critical control the server cannot honour for this operation fails it with 12. */
export function checkCriticality(controls: Control[], op: string): void {
  for (const c of controls) {
    if (c.critical && !SUPPORTED[c.oid]?.includes(op)) {
      throw new LdapError(ResultCode.unavailableCriticalExtension, `critical control ${c.oid} is not supported for ${op}`);
    }
  }
}

export function findControl(controls: Control[], oid: string): Control | undefined {
  return controls.find((c) => c.oid === oid);
}

/** The paged-results request value: SEQUENCE { size INTEGER, cookie OCTET STRING } (RFC 2696). */
export function parsePagedResults(c: Control): { size: number; cookie: Buffer } {
  try {
    if (!c.value) throw new Error('no value');
    const r = new BerReader(c.value);
    const outer = r.enter(0x30);
    const size = r.readInteger();
    const cookie = r.readBytes();
    r.leave(outer);
    if (size < 0) throw new Error('negative size');
    return { size, cookie };
  } catch {
    throw new LdapError(ResultCode.protocolError, 'paged results control value is malformed');
  }
}

export function pagedResultsResponse(cookie: Buffer): Control {
  return { oid: OID.pagedResults, critical: false, value: berSequence([berInteger(0), berOctetString(cookie)]) };
}
