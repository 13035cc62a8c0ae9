import type { ScopeQuery, StoreFilter } from './types';

/** A WHERE clause over `e` (the entries table) with its parameters, in order. */
export interface SqlClause {
  sql: string;
  params: (string | number)[];
}

const attrTerm = (attrs: string[]) =>
  attrs.length === 1 ? { sql: 'attr = ?', params: attrs } : { sql: `attr IN (${attrs.map(() => '?').join(',')})`, params: attrs };

/** GLOB pattern for a substring assertion; the literal parts are escaped with character classes. */
export function globPattern(f: { initial?: string; any: string[]; final?: string }): string {
  const lit = (s: string) => s.replace(/[*?[]/g, (c) => `[${c}]`);
  return (f.initial ? lit(f.initial) : '') + '*' + f.any.map((a) => lit(a) + '*').join('') + (f.final ? lit(f.final) : '');
}

/** The condition on one attribute value row that a leaf filter expresses. */
function leafCondition(f: StoreFilter): SqlClause | undefined {
  switch (f.kind) {
    case 'equal': {
      const a = attrTerm(f.attrs);
      return { sql: `${a.sql} AND norm = ?`, params: [...a.params, f.norm] };
    }
    case 'present':
      return attrTerm(f.attrs);
    case 'substrings': {
      const a = attrTerm(f.attrs);
      return { sql: `${a.sql} AND norm GLOB ?`, params: [...a.params, globPattern(f)] };
    }
    case 'range': {
      const a = attrTerm(f.attrs);
      return { sql: `${a.sql} AND norm ${f.op} ?`, params: [...a.params, f.norm] };
    }
    default:
      return undefined;
  }
}

/** Compiles a filter to a per-entry condition: each leaf is an index seek for that entry. */
export function filterCondition(f: StoreFilter): SqlClause {
  switch (f.kind) {
    case 'true':
      return { sql: '1', params: [] };
    case 'false':
      return { sql: '0', params: [] };
    case 'and':
    case 'or': {
      if (f.items.length === 0) return { sql: f.kind === 'and' ? '1' : '0', params: [] };
      const parts = f.items.map(filterCondition);
      return {
        sql: '(' + parts.map((p) => p.sql).join(f.kind === 'and' ? ' AND ' : ' OR ') + ')',
        params: parts.flatMap((p) => p.params),
      };
    }
    case 'not': {
      const inner = filterCondition(f.item);
      return { sql: `NOT ${inner.sql}`, params: inner.params };
    }
    case 'ndn':
      return { sql: 'e.ndn = ?', params: [f.ndn] };
    default: {
      const c = leafCondition(f)!;
      return { sql: `EXISTS (SELECT 1 FROM attr_index WHERE ${c.sql} AND entry_id = e.id)`, params: c.params };
    }
  }
}

interface Driver {
  clause: SqlClause;
  cost: number;
  /** The leaf the driver is, when it is one equality on one attribute: its index rows come in entry order. */
  equality?: Extract<StoreFilter, { kind: 'equal' }>;
}

/** How selective a leaf is likely to be, lower is better; objectClass and presence match most entries. */
function leafCost(f: StoreFilter): number {
  const isClass = 'attrs' in f && f.attrs.includes('objectclass');
  switch (f.kind) {
    case 'equal':
      return isClass ? 5 : 1;
    case 'substrings':
      return f.initial ? 2 : 7;
    case 'range':
      return 3;
    case 'present':
      return 6;
    default:
      return 9;
  }
}

/**
 * A set of entry ids, computed from the index alone, that contains every match: the most selective leaf of
 * a conjunction, or the union of drivers of a disjunction. Undefined when no index can narrow the search.
 */
export function chooseDriver(f: StoreFilter): Driver | undefined {
  switch (f.kind) {
    case 'false':
      return { clause: { sql: 'SELECT NULL WHERE 0', params: [] }, cost: 0 };
    case 'ndn':
      return { clause: { sql: 'SELECT id FROM entries WHERE ndn = ?', params: [f.ndn] }, cost: 0 };
    case 'and': {
      let best: Driver | undefined;
      for (const item of f.items) {
        const d = chooseDriver(item);
        if (d && (!best || d.cost < best.cost)) best = d;
      }
      return best;
    }
    case 'or': {
      if (f.items.length === 0) return chooseDriver({ kind: 'false' });
      const ds = f.items.map(chooseDriver);
      if (ds.some((d) => !d)) return undefined;
      const all = ds as Driver[];
      return {
        clause: { sql: all.map((d) => d.clause.sql).join(' UNION '), params: all.flatMap((d) => d.clause.params) },
        cost: Math.max(...all.map((d) => d.cost)) + 1,
      };
    }
    case 'equal':
    case 'present':
    case 'substrings':
    case 'range': {
      const c = leafCondition(f)!;
      const equality = f.kind === 'equal' && f.attrs.length === 1 ? f : undefined;
      return { clause: { sql: `SELECT entry_id FROM attr_index WHERE ${c.sql}`, params: c.params }, cost: leafCost(f), equality };
    }
    default:
      return undefined;
  }
}

/**
 * The scope condition. `indexed` false prefixes the column with `+`, which tells SQLite not to use an index
 * for it, so that the driver (or the rowid order) leads the plan instead.
 */
export function scopeCondition(scope: ScopeQuery, indexed: boolean): SqlClause {
  const p = indexed ? '' : '+';
  switch (scope.kind) {
    case 'base':
      return { sql: 'e.id = ?', params: [scope.id] };
    case 'one':
      return { sql: `${p}e.parent_id = ?`, params: [scope.id] };
    case 'children':
    case 'sub': {
      const range = `(${p}e.path > ? AND ${p}e.path < ?)`;
      const params: (string | number)[] = [scope.path + ',', scope.path + '-'];
      if (scope.path === '') return { sql: `${p}e.path <> ''`, params: [] };
      if (scope.kind === 'children') return { sql: range, params };
      return { sql: `(e.id = ? OR ${range})`, params: [scope.id, ...params] };
    }
  }
}

/** The cheapest driver worth using: a poor one (objectClass, presence) is no better than the scope. */
export function usefulDriver(scope: ScopeQuery, f: StoreFilter): Driver | undefined {
  if (scope.kind === 'base') return undefined;
  const d = chooseDriver(f);
  return d && d.cost <= 4 ? d : undefined;
}

/** The filter with one leaf of its top-level conjunction taken out (the driver already guarantees it). */
export function withoutConjunct(f: StoreFilter, leaf: StoreFilter): StoreFilter {
  if (f === leaf) return { kind: 'true' };
  if (f.kind !== 'and') return f;
  return { kind: 'and', items: f.items.map((i) => withoutConjunct(i, leaf)) };
}

/** True when the leaf is reached from the top through conjunctions only, so every match satisfies it. */
export function isConjunct(f: StoreFilter, leaf: StoreFilter): boolean {
  if (f === leaf) return true;
  return f.kind === 'and' && f.items.some((i) => isConjunct(i, leaf));
}
