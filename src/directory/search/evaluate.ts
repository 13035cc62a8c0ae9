import type { Filter } from '../../ldap/filter';
import type { AttributeInfo, Normalization } from '../normalize';
import type { Normalizer } from '../matching';
import { parseDN } from '../dn';

/** Matching rules by OID, for extensible filters that name a rule numerically. */
const RULE_OIDS: Record<string, string> = {
  '2.5.13.0': 'objectIdentifierMatch',
  '2.5.13.1': 'distinguishedNameMatch',
  '2.5.13.2': 'caseIgnoreMatch',
  '2.5.13.3': 'caseIgnoreOrderingMatch',
  '2.5.13.4': 'caseIgnoreSubstringsMatch',
  '2.5.13.5': 'caseExactMatch',
  '2.5.13.6': 'caseExactOrderingMatch',
  '2.5.13.8': 'numericStringMatch',
  '2.5.13.13': 'booleanMatch',
  '2.5.13.14': 'integerMatch',
  '2.5.13.15': 'integerOrderingMatch',
  '2.5.13.17': 'octetStringMatch',
  '2.5.13.20': 'telephoneNumberMatch',
  '2.5.13.27': 'generalizedTimeMatch',
  '2.5.13.28': 'generalizedTimeOrderingMatch',
  '1.3.6.1.4.1.1466.109.114.1': 'caseExactIA5Match',
  '1.3.6.1.4.1.1466.109.114.2': 'caseIgnoreIA5Match',
};
const BIT_AND = '1.2.840.113556.1.4.803';
const BIT_OR = '1.2.840.113556.1.4.804';

/** What the matcher needs of an entry: its DN and its values by attribute key. */
export interface MatchableEntry {
  dn: string;
  values(key: string): string[];
  /** Values of the type with and without options (cn and cn;lang-de); values() where absent. */
  valuesOfType?(key: string): string[];
  /** Computed attributes such as hasSubordinates. */
  computed?(key: string): string[] | undefined;
}

type Tri = boolean | undefined;

/** Evaluates a filter against one entry with RFC 4511's three-valued logic. */
export function evaluateFilter(filter: Filter, entry: MatchableEntry, norm: Normalization, hidden: ReadonlySet<string> = new Set()): Tri {
  const valuesOf = (key: string): string[] => {
    if (hidden.has(key)) return [];
    const c = entry.computed?.(key);
    if (c) return c;
    return norm.schema
      .subtypes(key)
      .filter((t) => !hidden.has(t.key))
      .flatMap((t) => (entry.valuesOfType ? entry.valuesOfType(t.key) : entry.values(t.key)));
  };
  // A description with options (cn;lang-de) sees only the values stored with those options.
  const valuesFor = (info: AttributeInfo): string[] => (info.options && !hidden.has(info.key) ? entry.values(info.slotKey) : valuesOf(info.key));
  const ruleByName = (rule: string): Normalizer | 'bitand' | 'bitor' | undefined => {
    if (rule === BIT_AND) return 'bitand';
    if (rule === BIT_OR) return 'bitor';
    return norm.rule(RULE_OIDS[rule] ?? rule);
  };
  const anyMatch = (values: string[], n: Normalizer, assertion: string): Tri => {
    const a = n(assertion);
    if (a === undefined) return undefined;
    return values.some((v) => n(v) === a);
  };

  const ev = (f: Filter): Tri => {
    switch (f.type) {
      case 'and': {
        let result: Tri = true;
        for (const x of f.filters) {
          const r = ev(x);
          if (r === false) return false;
          if (r === undefined) result = undefined;
        }
        return result;
      }
      case 'or': {
        let result: Tri = false;
        for (const x of f.filters) {
          const r = ev(x);
          if (r === true) return true;
          if (r === undefined) result = undefined;
        }
        return result;
      }
      case 'not': {
        const r = ev(f.filter);
        return r === undefined ? undefined : !r;
      }
      case 'present': {
        const info = norm.attribute(f.attribute);
        if (!info) return undefined;
        return info.key === 'objectclass' || valuesFor(info).length > 0;
      }
      case 'equality':
      case 'approx': {
        const info = norm.attribute(f.attribute);
        if (!info) return undefined;
        return anyMatch(valuesFor(info), (v) => norm.equalityKey(info, v), f.value);
      }
      case 'greaterOrEqual':
      case 'lessOrEqual': {
        const info = norm.attribute(f.attribute);
        if (!info?.ordering) return undefined;
        const a = info.ordering(f.value);
        if (a === undefined) return undefined;
        return valuesFor(info).some((v) => {
          const nv = info.ordering!(v);
          return nv !== undefined && (f.type === 'greaterOrEqual' ? nv >= a : nv <= a);
        });
      }
      case 'substrings': {
        const info = norm.attribute(f.attribute);
        if (!info?.substrings) return undefined;
        const n = info.substrings;
        return valuesFor(info).some((raw) => {
          const v = n(raw) ?? '';
          let pos = 0;
          if (f.initial !== undefined) {
            const i = n(f.initial) ?? '';
            if (!v.startsWith(i)) return false;
            pos = i.length;
          }
          for (const part of f.any) {
            const p = n(part) ?? '';
            const at = v.indexOf(p, pos);
            if (at < 0) return false;
            pos = at + p.length;
          }
          if (f.final !== undefined) {
            const fin = n(f.final) ?? '';
            return v.length - fin.length >= pos && v.endsWith(fin);
          }
          return true;
        });
      }
      case 'extensible':
        return extensible(f);
    }
  };

  const extensible = (f: Extract<Filter, { type: 'extensible' }>): Tri => {
    const info = f.attribute ? norm.attribute(f.attribute) : undefined;
    if (f.attribute && !info) return undefined;
    const rule = f.matchingRule ? ruleByName(f.matchingRule) : info ? (v: string) => norm.equalityKey(info, v) : undefined;
    if (!rule) return undefined;
    const candidates: { key: string; values: string[] }[] = [];
    if (info) candidates.push({ key: info.key, values: valuesOf(info.key) });
    if (f.dnAttributes) {
      for (const rdn of parseDN(entry.dn)) {
        for (const ava of rdn) {
          const t = norm.attribute(ava.type);
          if (t && (!info || t.key === info.key)) candidates.push({ key: t.key, values: [ava.value] });
        }
      }
    }
    // Without a type, RFC 4511 asks for every attribute the rule applies to; Cairn supports that only for
    // the DN's own values (dnAttributes), and says Undefined otherwise.
    if (!info && !f.dnAttributes) return undefined;
    const values = candidates.flatMap((c) => c.values);
    if (rule === 'bitand' || rule === 'bitor') {
      if (!/^-?\d+$/.test(f.value)) return undefined;
      const want = BigInt.asUintN(64, BigInt(f.value));
      return values.some((v) => {
        if (!/^-?\d+$/.test(v)) return false;
        const have = BigInt.asUintN(64, BigInt(v));
        return rule === 'bitand' ? (have & want) === want : (have & want) !== 0n;
      });
    }
    return anyMatch(values, rule, f.value);
  };

  return ev(filter);
}
