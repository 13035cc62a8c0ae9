import type { Filter } from '../../ldap/filter';
import type { AttributeInfo, Normalization } from '../normalize';
import type { StoreFilter } from '../../store/types';

/**
 * RFC 4511 filters are three-valued (TRUE, FALSE, Undefined). A filter compiles to two two-valued store
 * filters: `t` selects the entries where it is TRUE, `f` those where it is FALSE; Undefined is neither.
 * NOT swaps them. Leaves the index cannot decide exactly (extensible matches, hasSubordinates) compile to a
 * superset and set `residual`, and the directory checks the rows SQL returns with the JavaScript matcher.
 */
export interface CompiledFilter {
  t: StoreFilter;
  f: StoreFilter;
  residual: boolean;
}

const TRUE: StoreFilter = { kind: 'true' };
const FALSE: StoreFilter = { kind: 'false' };
const UNDEFINED: CompiledFilter = { t: FALSE, f: FALSE, residual: false };
const APPROXIMATE: CompiledFilter = { t: TRUE, f: TRUE, residual: true };

function and(items: StoreFilter[]): StoreFilter {
  if (items.some((i) => i.kind === 'false')) return FALSE;
  const rest = items.filter((i) => i.kind !== 'true');
  return rest.length === 0 ? TRUE : rest.length === 1 ? rest[0] : { kind: 'and', items: rest };
}

function or(items: StoreFilter[]): StoreFilter {
  if (items.some((i) => i.kind === 'true')) return TRUE;
  const rest = items.filter((i) => i.kind !== 'false');
  return rest.length === 0 ? FALSE : rest.length === 1 ? rest[0] : { kind: 'or', items: rest };
}

function not(item: StoreFilter): StoreFilter {
  if (item.kind === 'true') return FALSE;
  if (item.kind === 'false') return TRUE;
  if (item.kind === 'not') return item.item;
  return { kind: 'not', item };
}

/** A leaf that is TRUE where the condition holds and FALSE elsewhere (the attribute type is known). */
const exact = (t: StoreFilter): CompiledFilter => ({ t, f: not(t), residual: false });

export function compileFilter(filter: Filter, norm: Normalization, hidden: ReadonlySet<string> = new Set()): CompiledFilter {
  // A description with options (cn;lang-de) is indexed under its own key; without, the type and its subtypes.
  const keysOf = (info: AttributeInfo) => (info.options ? [info.slotKey] : norm.schema.subtypes(info.key).map((a) => a.key));
  // An attribute this reader may not see is, for the filter, one the server cannot evaluate.
  const visible = (description: string | undefined) => {
    const info = description === undefined ? undefined : norm.attribute(description);
    return info && !hidden.has(info.key) ? info : undefined;
  };

  const leaf = (f: Filter, depth: number): CompiledFilter => {
    if (depth > 64) return UNDEFINED;
    switch (f.type) {
      case 'and':
      case 'or': {
        const parts = f.filters.map((x) => leaf(x, depth + 1));
        const residual = parts.some((p) => p.residual);
        return f.type === 'and'
          ? { t: and(parts.map((p) => p.t)), f: or(parts.map((p) => p.f)), residual }
          : { t: or(parts.map((p) => p.t)), f: and(parts.map((p) => p.f)), residual };
      }
      case 'not': {
        const inner = leaf(f.filter, depth + 1);
        return { t: inner.f, f: inner.t, residual: inner.residual };
      }
      case 'present': {
        const info = visible(f.attribute);
        if (!info) return UNDEFINED;
        if (info.key === 'objectclass') return exact(TRUE);
        if (info.key === 'hassubordinates' || info.key === 'entrydn' || info.key === 'subschemasubentry') return exact(TRUE);
        return exact({ kind: 'present', attrs: keysOf(info) });
      }
      case 'equality':
      case 'approx': {
        const info = visible(f.attribute);
        if (!info) return UNDEFINED;
        if (info.key === 'hassubordinates') return APPROXIMATE;
        const value = norm.indexKey(info, f.value);
        if (value === undefined) return UNDEFINED;
        if (info.key === 'entrydn') return exact({ kind: 'ndn', ndn: value });
        return exact({ kind: 'equal', attrs: keysOf(info), norm: value });
      }
      case 'greaterOrEqual':
      case 'lessOrEqual': {
        const info = visible(f.attribute);
        if (!info || !info.ordering) return UNDEFINED;
        const value = info.ordering(f.value);
        if (value === undefined) return UNDEFINED;
        return exact({ kind: 'range', attrs: keysOf(info), op: f.type === 'greaterOrEqual' ? '>=' : '<=', norm: value });
      }
      case 'substrings': {
        const info = visible(f.attribute);
        // A binary type without a substrings rule (a photo, a certificate) has none: Undefined, as in slapd.
        if (!info || !info.substrings || info.digestIndexed) return UNDEFINED;
        const n = info.substrings;
        const parts = [f.initial, ...f.any, f.final].map((p) => (p === undefined ? undefined : n(p)));
        if (parts.some((p, i) => p === undefined && [f.initial, ...f.any, f.final][i] !== undefined)) return UNDEFINED;
        return exact({
          kind: 'substrings',
          attrs: keysOf(info),
          initial: parts[0] || undefined,
          any: parts.slice(1, -1).filter((p): p is string => !!p),
          final: parts[parts.length - 1] || undefined,
        });
      }
      case 'extensible': {
        if (f.attribute && !visible(f.attribute)) return UNDEFINED;
        return APPROXIMATE;
      }
    }
  };
  return leaf(filter, 0);
}
