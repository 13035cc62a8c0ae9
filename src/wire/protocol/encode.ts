import { TwoPassEncoder } from './ber-write';
import type { Control, LdapResponse, LdapResult, ResponseOp } from './types';

/** protocolOp tags of responses (RFC 4511 Appendix B). */
export const ResponseTag = {
  bindResponse: 0x61,
  searchResultEntry: 0x64,
  searchResultDone: 0x65,
  modifyResponse: 0x67,
  addResponse: 0x69,
  delResponse: 0x6b,
  modDNResponse: 0x6d,
  compareResponse: 0x6f,
  searchResultReference: 0x73,
  extendedResponse: 0x78,
  intermediateResponse: 0x79,
} as const;

/** responseName of the Notice of Disconnection (RFC 4511 section 4.4.1). */
export const NOTICE_OF_DISCONNECTION_OID = '1.3.6.1.4.1.1466.20036';

const OCTET_STRING = 0x04;
const ENUMERATED = 0x0a;

// Encoding is synchronous and never nests, so one encoder (and its scratch arrays) serves every call.
const encoder = new TwoPassEncoder();

/** Encodes one LDAPMessage carrying a response into a single exactly-sized Buffer. */
export function encodeResponse(r: LdapResponse): Buffer {
  return encoder.encode(describeMessage, r);
}

/** The unsolicited Notice of Disconnection: an extendedResponse with messageID 0 (RFC 4511 section 4.4.1). */
export function encodeNoticeOfDisconnection(resultCode: number, message: string): Buffer {
  return encodeResponse({
    messageId: 0,
    protocolOp: { op: 'extendedResponse', resultCode, diagnosticMessage: message, responseName: NOTICE_OF_DISCONNECTION_OID },
  });
}

function describeMessage(e: TwoPassEncoder, r: LdapResponse): void {
  e.start(0x30);
  e.integer(0x02, r.messageId);
  describeOp(e, r.protocolOp);
  if (r.controls !== undefined && r.controls.length > 0) describeControls(e, r.controls);
  e.end();
}

function describeOp(e: TwoPassEncoder, op: ResponseOp): void {
  switch (op.op) {
    case 'searchResultEntry': {
      e.start(ResponseTag.searchResultEntry);
      e.string(OCTET_STRING, op.objectName);
      e.start(0x30);
      for (const attr of op.attributes) {
        e.start(0x30);
        e.string(OCTET_STRING, attr.type);
        e.start(0x31);
        for (const v of attr.values) e.string(OCTET_STRING, v);
        e.end();
        e.end();
      }
      e.end();
      e.end();
      return;
    }
    case 'searchResultReference':
      e.start(ResponseTag.searchResultReference);
      for (const uri of op.uris) e.string(OCTET_STRING, uri);
      e.end();
      return;
    case 'bindResponse':
      e.start(ResponseTag.bindResponse);
      describeResult(e, op);
      if (op.serverSaslCreds !== undefined) e.bytes(0x87, op.serverSaslCreds);
      e.end();
      return;
    case 'extendedResponse':
      e.start(ResponseTag.extendedResponse);
      describeResult(e, op);
      if (op.responseName !== undefined) e.string(0x8a, op.responseName);
      if (op.responseValue !== undefined) e.bytes(0x8b, op.responseValue);
      e.end();
      return;
    case 'intermediateResponse':
      e.start(ResponseTag.intermediateResponse);
      if (op.responseName !== undefined) e.string(0x80, op.responseName);
      if (op.responseValue !== undefined) e.bytes(0x81, op.responseValue);
      e.end();
      return;
    case 'searchResultDone':
    case 'modifyResponse':
    case 'addResponse':
    case 'delResponse':
    case 'modDNResponse':
    case 'compareResponse':
      e.start(ResponseTag[op.op]);
      describeResult(e, op);
      e.end();
      return;
    default:
      throw new TypeError(`encodeResponse: unknown response op ${String((op as { op: unknown }).op)}`);
  }
}

function describeResult(e: TwoPassEncoder, r: LdapResult): void {
  e.integer(ENUMERATED, r.resultCode);
  e.string(OCTET_STRING, r.matchedDN ?? '');
  e.string(OCTET_STRING, r.diagnosticMessage ?? '');
  if (r.referral !== undefined && r.referral.length > 0) {
    e.start(0xa3);
    for (const uri of r.referral) e.string(OCTET_STRING, uri);
    e.end();
  }
}

function describeControls(e: TwoPassEncoder, controls: readonly Control[]): void {
  e.start(0xa0);
  for (const c of controls) {
    e.start(0x30);
    e.string(OCTET_STRING, c.oid);
    if (c.critical) e.boolean(0x01, true); // DEFAULT FALSE is omitted (RFC 4511 section 5.1)
    if (c.value !== undefined) e.bytes(OCTET_STRING, c.value);
    e.end();
  }
  e.end();
}
