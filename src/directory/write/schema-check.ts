import type { NormalizedDN, Normalization } from '../normalize';
import type { ObjectClass } from '../schema/registry';
import { LdapError } from '../errors';
import { ResultCode } from '../../ldap/result-codes';
import { syntaxValidator } from '../syntax';
import type { KeyedAttributes } from './entry-attributes';

const violation = (message: string) => new LdapError(ResultCode.objectClassViolation, message);

/**
 * Classes that rfc2307bis makes AUXILIARY but RFC 2307 (OpenLDAP's nis.schema, Debian's stock slapd) has
 * STRUCTURAL, with the attributes RFC 2307 adds to their MUST. An entry with no structural class but one of
 * these is an RFC 2307 entry: that class is its structural class, with RFC 2307's MUST. So a group stored
 * as Debian does (top + posixGroup, cn, gidNumber, memberUid) is valid, and groupOfNames + posixGroup is
 * unchanged. (nisMap, nisObject, ipHost and the rest have the same kind in both; autofs's classes are not in
 * RFC 2307.)
 */
const RFC2307_STRUCTURAL: ReadonlyMap<string, readonly string[]> = new Map([['posixgroup', ['cn']]]);

interface Structural {
  cls: ObjectClass;
  /** Attribute keys required on top of the classes' own MUST. */
  extraMust: readonly string[];
}

/** The entry's structural object class: the most specific of a single chain of structural classes. */
function structuralClass(classes: ObjectClass[]): Structural {
  const structural = classes.filter((c) => c.kind === 'STRUCTURAL');
  if (structural.length === 0) {
    const rfc2307 = classes.filter((c) => RFC2307_STRUCTURAL.has(c.key));
    if (rfc2307.length === 1) return { cls: rfc2307[0], extraMust: RFC2307_STRUCTURAL.get(rfc2307[0].key) ?? [] };
    throw violation('no structural object class provided');
  }
  const leaf = structural.find((c) => structural.every((o) => o === c || c.superclasses.includes(o)));
  if (!leaf) throw violation(`invalid structural object class chain (${structural.map((c) => c.name).join('/')})`);
  return { cls: leaf, extraMust: [] };
}

/**
 * Checks an entry against the schema (RFC 4512 section 2.4, 3.3): known classes, one structural chain,
 * MUST and MAY, single-valued attributes, value syntaxes, and the RDN's values present in the entry.
 * Returns the structural class's name. (A password is a credential, not an attribute: writer.ts checkSchema.)
 */
export function checkEntrySchema(norm: Normalization, dn: NormalizedDN, attrs: KeyedAttributes): string {
  const ocValues = attrs.get('objectclass')?.values ?? [];
  if (ocValues.length === 0) throw violation('no objectClass attribute');
  const classes = ocValues.map((v) => {
    const oc = norm.schema.objectClass(v);
    if (!oc) throw violation(`unrecognized objectClass '${v}'`);
    return oc;
  });
  const all = new Set<ObjectClass>();
  for (const c of classes) {
    all.add(c);
    for (const s of c.superclasses) all.add(s);
  }
  const structural = structuralClass([...all]);
  const extensible = [...all].some((c) => c.key === 'extensibleobject');

  const allowed = new Set<string>(['objectclass', ...structural.extraMust]);
  for (const c of all) {
    for (const k of c.allMust) allowed.add(k);
    for (const k of c.allMay) allowed.add(k);
  }
  // A value with options (userCertificate;binary) is a value of its type for MUST.
  const present = new Set([...attrs.values()].filter((slot) => slot.values.length > 0).map((slot) => slot.info.key));
  const required = [...all].flatMap((c) => [...c.allMust].map((k) => ({ c, k })));
  required.push(...structural.extraMust.map((k) => ({ c: structural.cls, k })));
  for (const { c, k } of required) {
    if (!present.has(k)) {
      const name = norm.schema.attributeType(k)?.name ?? k;
      throw violation(`object class '${c.name}' requires attribute '${name}'`);
    }
  }
  for (const slot of attrs.values()) {
    const type = slot.info.type;
    const key = slot.info.key;
    if (!type.operational && !extensible && !allowed.has(key)) throw violation(`attribute '${type.name}' not allowed`);
    if (type.singleValue && slot.values.length > 1) {
      throw new LdapError(ResultCode.constraintViolation, `attribute '${type.name}' cannot have multiple values`);
    }
    const valid = syntaxValidator(type.syntax, key, (v) => norm.rule('distinguishedNameMatch')!(v) !== undefined);
    if (valid) {
      slot.values.forEach((v, i) => {
        if (!valid(v)) throw new LdapError(ResultCode.invalidAttributeSyntax, `${type.name}: value #${i} invalid per syntax`);
      });
    }
  }
  const rdn = dn.rdns[0] ?? [];
  for (const ava of rdn) {
    const info = norm.requireAttribute(ava.type);
    const want = norm.equalityKey(info, ava.value);
    const have = (attrs.get(info.key)?.values ?? []).map((v) => norm.equalityKey(info, v));
    if (!have.includes(want)) {
      throw new LdapError(ResultCode.namingViolation, `naming attribute '${info.type.name}' is not present in entry`);
    }
  }
  return structural.cls.name;
}
