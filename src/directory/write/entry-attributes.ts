import type { AttributeValues } from '../../ldap/types';
import type { AttributeMap } from '../../store/types';
import { LdapError } from '../errors';
import type { AttributeInfo, Normalization } from '../normalize';
import { ResultCode } from '../../ldap/result-codes';

/**
 * An entry's attributes keyed by canonical attribute key plus options (`cn`, `cn;lang-de`: different
 * attributes of the entry, RFC 4512 2.5), each with its display name.
 */
export type KeyedAttributes = Map<string, { info: AttributeInfo; name: string; values: string[] }>;

/**
 * Replaces an attribute's values (none: removes it), keeping the name as the entry spells it. With
 * keepExisting, an attribute that has values already is left as it is (operational attributes an import
 * brings). Returns whether the attributes changed.
 */
export function setValues(norm: Normalization, attrs: KeyedAttributes, name: string, values: string[], keepExisting = false): boolean {
  const info = norm.requireAttribute(name);
  if (keepExisting && attrs.get(info.key)?.values.length) return false;
  if (!values.length) return attrs.delete(info.key);
  attrs.set(info.key, { info, name: attrs.get(info.key)?.name ?? info.type.name, values });
  return true;
}

/**
 * Resolves attribute descriptions from a request: unknown types are undefinedAttributeType (17), values
 * that are equal under the attribute's equality rule are attributeOrValueExists (20).
 */
export function keyAttributes(norm: Normalization, attrs: AttributeValues[]): KeyedAttributes {
  const keyed = keyWithoutChecks(norm, attrs);
  for (const slot of keyed.values()) assertDistinct(norm, slot.info, slot.values);
  return keyed;
}

function keyWithoutChecks(norm: Normalization, attrs: AttributeValues[]): KeyedAttributes {
  const keyed: KeyedAttributes = new Map();
  for (const a of attrs) {
    const info = norm.requireAttribute(a.type);
    assertOptionsAllowed(info, a.type);
    if (a.values.length === 0) throw new LdapError(ResultCode.invalidAttributeSyntax, `${a.type}: no values given`);
    const slot = keyed.get(info.slotKey) ?? { info, name: info.displayName, values: [] as string[] };
    slot.values.push(...a.values);
    keyed.set(info.slotKey, slot);
  }
  return keyed;
}

/**
 * Attributes whose values Cairn keeps itself (the password and its history, identities, membership,
 * classes) and operational ones take no options: `userPassword;x-foo` would otherwise be stored as a
 * readable attribute instead of a credential, and `uid;x` would escape the uniqueness check.
 */
const NO_OPTIONS: ReadonlySet<string> = new Set(['userpassword', 'pwdhistory', 'uid', 'uidnumber', 'gidnumber', 'member', 'memberuid', 'objectclass']);

export function assertOptionsAllowed(info: AttributeInfo, description: string) {
  if (info.options && (NO_OPTIONS.has(info.key) || info.type.operational)) {
    throw new LdapError(ResultCode.undefinedAttributeType, `${description}: ${info.type.name} takes no attribute options`);
  }
}

export function assertDistinct(norm: Normalization, info: AttributeInfo, values: string[]) {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    const n = norm.equalityKey(info, v) ?? v;
    if (seen.has(n)) throw new LdapError(ResultCode.attributeOrValueExists, `${info.type.name}: value #${i} provided more than once`);
    seen.add(n);
  });
}

/** A stored entry's attributes, keyed. Their values were found distinct when they were written, so they are not compared again. */
export function fromAttributeMap(norm: Normalization, map: AttributeMap): KeyedAttributes {
  return keyWithoutChecks(
    norm,
    Object.entries(map).map(([type, values]) => ({ type, values })),
  );
}

export function toAttributeMap(keyed: KeyedAttributes): AttributeMap {
  const out: AttributeMap = {};
  for (const slot of keyed.values()) if (slot.values.length) out[slot.name] = slot.values;
  return out;
}
