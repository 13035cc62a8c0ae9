import type { NormalizedDN, Normalization } from '../normalize';
import type { ObjectClass } from '../schema/registry';
import { LdapError } from '../errors';
import { ResultCode } from '../result-codes';
import { syntaxValidator } from '../syntax';
import type { KeyedAttributes } from './entry-attributes';

const violation = (message: string) => new LdapError(ResultCode.objectClassViolation, message);

/** The entry's structural object class: the most specific of a single chain of structural classes. */
function structuralClass(classes: ObjectClass[]): ObjectClass {
  const structural = classes.filter((c) => c.kind === 'STRUCTURAL');
  if (structural.length === 0) throw violation('no structural object class provided');
  const leaf = structural.find((c) => structural.every((o) => o === c || c.superclasses.includes(o)));
  if (!leaf) throw violation(`invalid structural object class chain (${structural.map((c) => c.name).join('/')})`);
  return leaf;
}

/**
 * Checks an entry against the schema (RFC 4512 section 2.4, 3.3): known classes, one structural chain,
 * MUST and MAY, single-valued attributes, value syntaxes, and the RDN's values present in the entry.
 * hasPassword: the entry has a password (kept apart from its attributes). Returns the structural class's name.
 */
export function checkEntrySchema(norm: Normalization, dn: NormalizedDN, attrs: KeyedAttributes, hasPassword = false): string {
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

  const allowed = new Set<string>(['objectclass']);
  for (const c of all) {
    for (const k of c.allMust) allowed.add(k);
    for (const k of c.allMay) allowed.add(k);
  }
  for (const c of all) {
    for (const k of c.allMust) {
      // userPassword is kept apart (the credentials table): a MUST of simpleSecurityObject is met by a password.
      if (!attrs.get(k)?.values.length && !(k === 'userpassword' && hasPassword)) {
        const name = norm.schema.attributeType(k)?.name ?? k;
        throw violation(`object class '${c.name}' requires attribute '${name}'`);
      }
    }
  }
  for (const [key, slot] of attrs) {
    const type = slot.info.type;
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
  return structural.name;
}
