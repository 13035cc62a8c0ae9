import type { Filter } from '../../ldap/filter';
import { BerReader, ProtocolError } from './ber-read';
import type { AttributeValues, Change, ModifyOperation, Scope } from '../../ldap/types';
import type { Control, LdapRequest, ProtocolOp } from './types';

export { ProtocolError } from './ber-read';

/** Filters nested deeper than this are refused, which bounds the decoder's recursion. */
export const MAX_FILTER_DEPTH = 64;

/** protocolOp tags of requests (RFC 4511 Appendix B). */
export const RequestTag = {
  bind: 0x60,
  unbind: 0x42,
  search: 0x63,
  modify: 0x66,
  add: 0x68,
  delete: 0x4a,
  modifyDN: 0x6c,
  compare: 0x6e,
  abandon: 0x50,
  extended: 0x77,
} as const;

/** Message prefix of a ProtocolError that wraps an unexpected exception (a decoder bug, not bad input). */
export const INTERNAL_ERROR_PREFIX = 'internal decoder error: ';

const SCOPES: readonly Scope[] = ['base', 'one', 'sub', 'children'];
const MODIFY_OPERATIONS: readonly ModifyOperation[] = ['add', 'delete', 'replace', 'increment'];

/**
 * Decodes one whole LDAPMessage (exactly the octets frameLength delimited).
 * Throws only ProtocolError, carrying messageId and opTag once they were read.
 */
export function decodeRequest(message: Buffer): LdapRequest {
  const r = new BerReader(message);
  let messageId: number | undefined;
  let opTag: number | undefined;
  try {
    r.enter(0x30);
    if (r.end !== message.length) throw new ProtocolError('data after the end of the LDAPMessage');
    const id = readMessageId(r, 0x02);
    messageId = id;
    opTag = r.peekTag();
    if (opTag < 0) {
      opTag = undefined;
      throw new ProtocolError('missing protocolOp');
    }
    const protocolOp = readProtocolOp(r, opTag);
    const controls: Control[] = r.peekTag() === 0xa0 ? readControls(r) : [];
    if (!r.atEnd()) throw new ProtocolError('unexpected data after the protocolOp and controls');
    return { messageId: id, protocolOp, controls };
  } catch (err) {
    // Anything other than a ProtocolError would be a decoder bug; the contract still holds, and the
    // prefix lets tests tell the two apart.
    const text = err instanceof ProtocolError ? err.message : `${INTERNAL_ERROR_PREFIX}${String(err)}`;
    throw new ProtocolError(text, messageId, opTag);
  }
}

function readProtocolOp(r: BerReader, tag: number): ProtocolOp {
  switch (tag) {
    case RequestTag.search:
      return readSearch(r);
    case RequestTag.bind:
      return readBind(r);
    case RequestTag.unbind:
      r.readNull(RequestTag.unbind);
      return { op: 'unbind' };
    case RequestTag.modify:
      return readModify(r);
    case RequestTag.add:
      return readAdd(r);
    case RequestTag.delete:
      return { op: 'delete', entry: r.readString(RequestTag.delete) };
    case RequestTag.modifyDN:
      return readModifyDN(r);
    case RequestTag.compare:
      return readCompare(r);
    case RequestTag.abandon:
      return { op: 'abandon', messageId: readMessageId(r, RequestTag.abandon) };
    case RequestTag.extended:
      return readExtended(r);
    default:
      throw new ProtocolError(`unknown protocolOp tag 0x${tag.toString(16).padStart(2, '0')}`);
  }
}

function readBind(r: BerReader): ProtocolOp {
  const outer = r.enter(RequestTag.bind);
  const version = r.readInteger();
  const name = r.readString();
  const authTag = r.peekTag();
  let op: ProtocolOp;
  if (authTag === 0x80) {
    op = { op: 'bind', version, name, auth: { kind: 'simple', password: r.readString(0x80) } };
  } else if (authTag === 0xa3) {
    const saslOuter = r.enter(0xa3);
    const mechanism = r.readString();
    const credentials = r.readOptionalBytes(0x04);
    r.leave(saslOuter);
    op = {
      op: 'bind',
      version,
      name,
      auth: credentials === undefined ? { kind: 'sasl', mechanism } : { kind: 'sasl', mechanism, credentials },
    };
  } else {
    throw new ProtocolError(authTag < 0 ? 'missing bind authentication' : `unsupported bind authentication choice 0x${authTag.toString(16)}`);
  }
  r.leave(outer);
  return op;
}

function readSearch(r: BerReader): ProtocolOp {
  const outer = r.enter(RequestTag.search);
  const baseObject = r.readString();
  const scope = SCOPES[r.readEnumerated()];
  if (scope === undefined) throw new ProtocolError('invalid search scope');
  const derefAliases = r.readEnumerated();
  if (derefAliases < 0 || derefAliases > 3) throw new ProtocolError('invalid derefAliases');
  const sizeLimit = r.readInteger();
  const timeLimit = r.readInteger();
  if (sizeLimit < 0 || timeLimit < 0) throw new ProtocolError('negative size or time limit');
  const typesOnly = r.readBoolean();
  const filter = readFilter(r, 1);
  const attrsOuter = r.enter(0x30);
  const attributes: string[] = [];
  while (!r.atEnd()) attributes.push(r.readString());
  r.leave(attrsOuter);
  r.leave(outer);
  return { op: 'search', baseObject, scope, derefAliases, sizeLimit, timeLimit, typesOnly, filter, attributes };
}

function readFilter(r: BerReader, depth: number): Filter {
  if (depth > MAX_FILTER_DEPTH) throw new ProtocolError(`filter nested deeper than ${MAX_FILTER_DEPTH}`);
  const tag = r.peekTag();
  switch (tag) {
    case 0xa0:
    case 0xa1: {
      const outer = r.enter(tag);
      const filters: Filter[] = [];
      while (!r.atEnd()) filters.push(readFilter(r, depth + 1));
      r.leave(outer);
      return { type: tag === 0xa0 ? 'and' : 'or', filters };
    }
    case 0xa2: {
      const outer = r.enter(tag);
      const filter = readFilter(r, depth + 1);
      r.leave(outer);
      return { type: 'not', filter };
    }
    case 0xa3:
      return readAssertion(r, tag, 'equality');
    case 0xa4:
      return readSubstrings(r);
    case 0xa5:
      return readAssertion(r, tag, 'greaterOrEqual');
    case 0xa6:
      return readAssertion(r, tag, 'lessOrEqual');
    case 0x87:
      return { type: 'present', attribute: r.readString(0x87) };
    case 0xa8:
      return readAssertion(r, tag, 'approx');
    case 0xa9:
      return readExtensible(r);
    default:
      throw new ProtocolError(tag < 0 ? 'missing filter' : `unknown filter choice 0x${tag.toString(16)}`);
  }
}

function readAssertion(r: BerReader, tag: number, type: 'equality' | 'greaterOrEqual' | 'lessOrEqual' | 'approx'): Filter {
  const outer = r.enter(tag);
  const attribute = r.readString();
  const value = r.readString();
  r.leave(outer);
  return { type, attribute, value };
}

function readSubstrings(r: BerReader): Filter {
  const outer = r.enter(0xa4);
  const attribute = r.readString();
  const seqOuter = r.enter(0x30);
  if (r.atEnd()) throw new ProtocolError('substrings filter without substrings');
  let initial: string | undefined;
  let final: string | undefined;
  const any: string[] = [];
  let first = true;
  while (!r.atEnd()) {
    if (final !== undefined) throw new ProtocolError("substring 'final' must come last");
    const tag = r.peekTag();
    if (tag === 0x80) {
      if (!first) throw new ProtocolError("substring 'initial' must come first");
      initial = r.readString(0x80);
    } else if (tag === 0x81) {
      any.push(r.readString(0x81));
    } else if (tag === 0x82) {
      final = r.readString(0x82);
    } else {
      throw new ProtocolError(`unknown substring choice 0x${tag.toString(16)}`);
    }
    first = false;
  }
  r.leave(seqOuter);
  r.leave(outer);
  const filter: Filter = { type: 'substrings', attribute, any };
  if (initial !== undefined) filter.initial = initial;
  if (final !== undefined) filter.final = final;
  return filter;
}

function readExtensible(r: BerReader): Filter {
  const outer = r.enter(0xa9);
  const matchingRule = r.readOptionalString(0x81);
  const attribute = r.readOptionalString(0x82);
  const value = r.readString(0x83);
  const dnAttributes = r.peekTag() === 0x84 ? r.readBoolean(0x84) : false;
  r.leave(outer);
  const filter: Filter = { type: 'extensible', value, dnAttributes };
  if (matchingRule !== undefined) filter.matchingRule = matchingRule;
  if (attribute !== undefined) filter.attribute = attribute;
  return filter;
}

function readModify(r: BerReader): ProtocolOp {
  const outer = r.enter(RequestTag.modify);
  const object = r.readString();
  const changesOuter = r.enter(0x30);
  const changes: Change[] = [];
  while (!r.atEnd()) {
    const changeOuter = r.enter(0x30);
    const operation = MODIFY_OPERATIONS[r.readEnumerated()];
    if (operation === undefined) throw new ProtocolError('invalid modify operation');
    const modification = readAttribute(r, false);
    r.leave(changeOuter);
    changes.push({ operation, modification });
  }
  r.leave(changesOuter);
  r.leave(outer);
  return { op: 'modify', object, changes };
}

function readAdd(r: BerReader): ProtocolOp {
  const outer = r.enter(RequestTag.add);
  const entry = r.readString();
  const listOuter = r.enter(0x30);
  const attributes: AttributeValues[] = [];
  while (!r.atEnd()) attributes.push(readAttribute(r, true));
  r.leave(listOuter);
  r.leave(outer);
  return { op: 'add', entry, attributes };
}

/** PartialAttribute, or Attribute (at least one value) when `needValue`. */
function readAttribute(r: BerReader, needValue: boolean): AttributeValues {
  const outer = r.enter(0x30);
  const type = r.readString();
  const setOuter = r.enter(0x31);
  const values: string[] = [];
  while (!r.atEnd()) values.push(r.readString());
  r.leave(setOuter);
  r.leave(outer);
  if (needValue && values.length === 0) throw new ProtocolError(`no values for attribute ${type}`);
  return { type, values };
}

function readModifyDN(r: BerReader): ProtocolOp {
  const outer = r.enter(RequestTag.modifyDN);
  const entry = r.readString();
  const newRDN = r.readString();
  const deleteOldRDN = r.readBoolean();
  const newSuperior = r.readOptionalString(0x80);
  r.leave(outer);
  return newSuperior === undefined ? { op: 'modifyDN', entry, newRDN, deleteOldRDN } : { op: 'modifyDN', entry, newRDN, deleteOldRDN, newSuperior };
}

function readCompare(r: BerReader): ProtocolOp {
  const outer = r.enter(RequestTag.compare);
  const entry = r.readString();
  const avaOuter = r.enter(0x30);
  const attribute = r.readString();
  const value = r.readString();
  r.leave(avaOuter);
  r.leave(outer);
  return { op: 'compare', entry, attribute, value };
}

function readExtended(r: BerReader): ProtocolOp {
  const outer = r.enter(RequestTag.extended);
  const name = r.readString(0x80);
  const value = r.readOptionalBytes(0x81);
  r.leave(outer);
  return value === undefined ? { op: 'extended', name } : { op: 'extended', name, value };
}

function readMessageId(r: BerReader, tag: number): number {
  const id = r.readInteger(tag);
  if (id < 0) throw new ProtocolError('negative messageID');
  return id;
}

function readControls(r: BerReader): Control[] {
  const outer = r.enter(0xa0);
  const controls: Control[] = [];
  while (!r.atEnd()) {
    const controlOuter = r.enter(0x30);
    const oid = r.readString();
    const critical = r.peekTag() === 0x01 ? r.readBoolean() : false;
    const value = r.readOptionalBytes(0x04);
    r.leave(controlOuter);
    controls.push(value === undefined ? { oid, critical } : { oid, critical, value });
  }
  r.leave(outer);
  return controls;
}
