import type { ScopeQuery, StoreFilter } from './types';

/**
 * Values bound by position, in the order their `?` appear in the text: build SQL left to right. SQLite allows
 * 32,766 variables in a statement; attribute keys are written into the text (see attrKey), so a filter uses
 * about two per assertion (its condition and its driver). Named or numbered parameters would allow reuse,
 * but SQLite looks names up one by one (10,000 made the prepare take a second) and so does the binding.
 */
export class SqlParams {
  readonly values: (string | number)[] = [];

  ref(v: string | number): string {
    this.values.push(v);
    return '?';
  }

  list(vs: readonly (string | number)[]): string {
    for (const v of vs) this.values.push(v);
    return vs.map(() => '?').join(', ');
  }
}

type Leaf = Extract<StoreFilter, { kind: 'equal' | 'present' | 'substrings' | 'range' }>;
type ValueLeaf = Exclude<Leaf, { kind: 'present' }>;

/**
 * A store filter rewritten for SQL: nested ANDs and ORs flattened, and the leaves of an OR that test the
 * same attributes merged (`anyOf`), so that a group sync's OR of 5,000 uids is one `norm IN (…)` probe
 * per entry, not 5,000 subqueries.
 */
export type PlanFilter =
  | Extract<StoreFilter, { kind: 'true' | 'false' | 'ndn' }>
  | Leaf
  | { kind: 'anyOf'; attrs: string[]; leaves: ValueLeaf[] }
  | { kind: 'ndnIn'; ndns: string[] }
  | { kind: 'and' | 'or'; items: PlanFilter[] }
  | { kind: 'not'; item: PlanFilter };

const TRUE: PlanFilter = { kind: 'true' };
const FALSE: PlanFilter = { kind: 'false' };

export function planFilter(f: StoreFilter): PlanFilter {
  switch (f.kind) {
    case 'and':
    case 'or':
      return combine(f.kind, f.items.map(planFilter));
    case 'not':
      return negate(planFilter(f.item));
    default:
      return f;
  }
}

function negate(p: PlanFilter): PlanFilter {
  if (p.kind === 'true') return FALSE;
  if (p.kind === 'false') return TRUE;
  if (p.kind === 'not') return p.item;
  return { kind: 'not', item: p };
}

const isLeaf = (p: PlanFilter): p is Leaf => p.kind === 'equal' || p.kind === 'present' || p.kind === 'substrings' || p.kind === 'range';

/** AND or OR of planned items: flattened, constants folded, duplicates dropped, negations gathered (De Morgan). */
function combine(kind: 'and' | 'or', items: PlanFilter[]): PlanFilter {
  const unit = kind === 'and' ? 'true' : 'false';
  const zero = kind === 'and' ? 'false' : 'true';
  const out: PlanFilter[] = [];
  const negated: PlanFilter[] = [];
  // Repeated leaves are dropped: compared one by one while there are few (serialising each leaf of every
  // search cost 4% of a group lookup), by their serialisation once there are many.
  let seen: Set<string> | undefined;
  const repeated = (i: Leaf | Extract<PlanFilter, { kind: 'ndn' }>): boolean => {
    if (!seen && out.length < FEW) return out.some((o) => sameLeaf(o, i));
    seen ??= new Set(out.filter((o) => isLeaf(o) || o.kind === 'ndn').map((o) => JSON.stringify(o)));
    const key = JSON.stringify(i);
    if (seen.has(key)) return true;
    seen.add(key);
    return false;
  };
  const add = (i: PlanFilter): boolean => {
    if (i.kind === zero) return false;
    if (i.kind === unit) return true;
    if (i.kind === kind) return i.items.every(add);
    if (i.kind === 'not') negated.push(i.item);
    else if (!((isLeaf(i) || i.kind === 'ndn') && repeated(i))) out.push(i);
    return true;
  };
  if (!items.every(add)) return { kind: zero };
  // NOT a AND NOT b is NOT (a OR b): an OR whose leaves can be merged below.
  if (negated.length > 0) {
    const n = negate(negated.length === 1 ? negated[0] : combine(kind === 'and' ? 'or' : 'and', negated));
    if (n.kind === zero) return n;
    if (n.kind !== unit) out.push(n);
  }
  const rest = kind === 'or' ? mergeLeaves(out) : out;
  return rest.length === 0 ? { kind: unit } : rest.length === 1 ? rest[0] : { kind, items: rest };
}

/** Up to this many items, a new leaf is compared with each (see combine). */
const FEW = 8;

/** The same test twice (a filter that repeats itself); serialised only when kind and attributes agree. */
function sameLeaf(a: PlanFilter, b: Leaf | Extract<PlanFilter, { kind: 'ndn' }>): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'ndn' || b.kind === 'ndn') return a.kind === 'ndn' && b.kind === 'ndn' && a.ndn === b.ndn;
  return isLeaf(a) && a.attrs.join('\0') === b.attrs.join('\0') && JSON.stringify(a) === JSON.stringify(b);
}

/** The leaves of an OR grouped by the attributes they test; entryDN equalities become one IN list. */
function mergeLeaves(items: PlanFilter[]): PlanFilter[] {
  const groups = new Map<string, Leaf[]>();
  const ndns: string[] = [];
  const out: PlanFilter[] = [];
  for (const i of items) {
    if (isLeaf(i)) {
      const key = i.attrs.join('\0');
      const g = groups.get(key);
      if (g) g.push(i);
      else groups.set(key, [i]);
    } else if (i.kind === 'ndn') ndns.push(i.ndn);
    else out.push(i);
  }
  for (const leaves of groups.values()) {
    const present = leaves.find((l) => l.kind === 'present');
    if (present) out.push(present);
    else if (leaves.length === 1) out.push(leaves[0]);
    else out.push({ kind: 'anyOf', attrs: leaves[0].attrs, leaves: leaves as ValueLeaf[] });
  }
  if (ndns.length === 1) out.push({ kind: 'ndn', ndn: ndns[0] });
  else if (ndns.length > 1) out.push({ kind: 'ndnIn', ndns });
  return out;
}

/** Joins conditions as a balanced tree: SQLite refuses expressions nested deeper than 1,000. */
function balanced(parts: string[], op: 'AND' | 'OR'): string {
  if (parts.length === 1) return parts[0];
  const mid = parts.length >> 1;
  return `(${balanced(parts.slice(0, mid), op)} ${op} ${balanced(parts.slice(mid), op)})`;
}

/** Terms per compound SELECT; SQLite allows 500. */
const UNION_TERMS = 250;

/** A UNION of selects of one column, nested in groups: SQLite refuses a compound SELECT of more than 500. */
function union(selects: string[]): string {
  if (selects.length <= UNION_TERMS) return selects.join(' UNION ');
  const groups: string[] = [];
  for (let i = 0; i < selects.length; i += UNION_TERMS) groups.push(`SELECT * FROM (${selects.slice(i, i + UNION_TERMS).join(' UNION ')})`);
  return union(groups);
}

/** An attribute key as SQL: a literal when it is a schema key (letters, digits, `-.;`), else a parameter. */
const attrKey = (key: string, p: SqlParams) => (/^[A-Za-z0-9][A-Za-z0-9.;-]*$/.test(key) ? `'${key}'` : p.ref(key));
const attrTerm = (attrs: string[], p: SqlParams) =>
  attrs.length === 1 ? `attr = ${attrKey(attrs[0], p)}` : `attr IN (${attrs.map((a) => attrKey(a, p)).join(', ')})`;

/** GLOB pattern for a substring assertion; the literal parts are escaped with character classes. */
export function globPattern(f: { initial?: string; any: string[]; final?: string }): string {
  const lit = (s: string) => s.replace(/[*?[]/g, (c) => `[${c}]`);
  return (f.initial ? lit(f.initial) : '') + '*' + f.any.map((a) => lit(a) + '*').join('') + (f.final ? lit(f.final) : '');
}

let lastPattern: { pattern: Buffer; parts: Buffer[] } | undefined;

/** A pattern's literals (the text between unescaped `*`), parsed once for all the rows it is tested on. */
function globParts(pattern: Buffer): Buffer[] {
  if (lastPattern?.pattern.equals(pattern)) return lastPattern.parts;
  const parts: number[][] = [[]];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === 0x2a) parts.push([]);
    else if (c === 0x5b) {
      parts[parts.length - 1].push(pattern[i + 1]);
      i += 2;
    } else parts[parts.length - 1].push(c);
  }
  lastPattern = { pattern: Buffer.from(pattern), parts: parts.map((x) => Buffer.from(x)) };
  return lastPattern.parts;
}

/** The SQL function that matches the patterns SQLite's GLOB refuses as too long (over 50,000 bytes). */
export const LONG_GLOB_FUNCTION = 'cairn_long_glob';
const GLOB_MAX_BYTES = 40000;

/**
 * Whether a value matches a pattern of globPattern's form (literals with `[c]` escapes, and `*`), byte by
 * byte as SQLite's GLOB compares UTF-8: the value starts with the first literal, ends with the last, and
 * holds the others in order between them.
 */
export function longGlobMatches(pattern: Uint8Array, value: Uint8Array): boolean {
  const parts = globParts(Buffer.from(pattern.buffer, pattern.byteOffset, pattern.byteLength));
  const v = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const initial = parts[0];
  const final = parts[parts.length - 1];
  const end = v.length - final.length;
  if (end < initial.length) return false;
  if (!v.subarray(0, initial.length).equals(initial) || !v.subarray(end).equals(final)) return false;
  let pos = initial.length;
  for (const a of parts.slice(1, -1)) {
    const at = v.indexOf(a, pos);
    if (at < 0 || at + a.length > end) return false;
    pos = at + a.length;
  }
  return true;
}

function substringCondition(f: Extract<StoreFilter, { kind: 'substrings' }>, p: SqlParams): string {
  const pattern = globPattern(f);
  if (Buffer.byteLength(pattern) <= GLOB_MAX_BYTES) return `norm GLOB ${p.ref(pattern)}`;
  return `${LONG_GLOB_FUNCTION}(CAST(${p.ref(pattern)} AS BLOB), CAST(norm AS BLOB))`;
}

/** The condition on the value of one attribute_index row that a leaf expresses (true for presence). */
function valueCondition(f: Leaf, p: SqlParams): string | undefined {
  switch (f.kind) {
    case 'equal':
      return `norm = ${p.ref(f.norm)}`;
    case 'present':
      return undefined;
    case 'substrings':
      return substringCondition(f, p);
    case 'range':
      return `norm ${f.op} ${p.ref(f.norm)}`;
  }
}

/** The condition on one attribute_index row that a leaf expresses. */
function leafCondition(f: Leaf, p: SqlParams): string {
  const attrs = attrTerm(f.attrs, p);
  const v = valueCondition(f, p);
  return v ? `${attrs} AND ${v}` : attrs;
}

/** The value conditions of merged leaves: every equality in one IN list, each other leaf on its own. */
function anyOfConditions(leaves: ValueLeaf[]): ((p: SqlParams) => string)[] {
  const norms = leaves.flatMap((l) => (l.kind === 'equal' ? [l.norm] : []));
  const conditions = leaves.filter((l) => l.kind !== 'equal').map((l) => (p: SqlParams) => valueCondition(l, p)!);
  if (norms.length === 1) conditions.unshift((p) => `norm = ${p.ref(norms[0])}`);
  if (norms.length > 1) conditions.unshift((p) => `norm IN (${p.list(norms)})`);
  return conditions;
}

type AnyOf = Extract<PlanFilter, { kind: 'anyOf' }>;

/** A per-entry condition, with `test` for each leaf: whether some index row of the entry satisfies it. */
function condition(f: PlanFilter, p: SqlParams, test: (f: Leaf | AnyOf, p: SqlParams) => string): string {
  switch (f.kind) {
    case 'true':
      return '1';
    case 'false':
      return '0';
    case 'and':
    case 'or':
      return balanced(
        f.items.map((i) => condition(i, p, test)),
        f.kind === 'and' ? 'AND' : 'OR',
      );
    case 'not':
      return `NOT (${condition(f.item, p, test)})`;
    case 'ndn':
      return `e.ndn = ${p.ref(f.ndn)}`;
    case 'ndnIn':
      return `e.ndn IN (${p.list(f.ndns)})`;
    default:
      return test(f, p);
  }
}

/**
 * A leaf as a subquery of its own: a seek of the primary key (attr, norm, entry_id) for the entry. Only
 * equalities can be tested this way (see isSqlTestable).
 */
function existsTest(f: Leaf | AnyOf, p: SqlParams): string {
  if (f.kind === 'equal') return `EXISTS (SELECT 1 FROM attr_index WHERE ${leafCondition(f, p)} AND entry_id = e.id)`;
  if (f.kind !== 'anyOf' || !f.leaves.every((l) => l.kind === 'equal')) throw new Error(`a ${f.kind} test is not evaluated in SQL`);
  const conditions = anyOfConditions(f.leaves).map((c) => c(p));
  return `EXISTS (SELECT 1 FROM attr_index WHERE ${attrTerm(f.attrs, p)} AND ${conditions[0]} AND entry_id = e.id)`;
}

/**
 * Values of an IN list that SQL tests on an entry with one seek each. A group sync's OR of 10,000 uids
 * tested that way took 25 s over 5,000 entries: a longer list is a set in JavaScript.
 */
const SQL_IN_SEEKS = 16;

/**
 * Whether SQL can test the filter on an entry: when every leaf is an equality, each one is a seek of the
 * index's primary key. A presence, substring or range test would walk the values of every entry (the index
 * has no second order by entry, to keep each value once): such a filter is evaluated in JavaScript over
 * the values of the candidates instead (filter-eval.ts).
 */
export function isSqlTestable(f: PlanFilter): boolean {
  switch (f.kind) {
    case 'and':
    case 'or':
      return f.items.every(isSqlTestable);
    case 'not':
      return isSqlTestable(f.item);
    case 'present':
    case 'substrings':
    case 'range':
      return false;
    case 'anyOf':
      return f.leaves.length <= SQL_IN_SEEKS && f.leaves.every((l) => l.kind === 'equal');
    default:
      return true;
  }
}

function countLeaves(f: PlanFilter): number {
  switch (f.kind) {
    case 'and':
    case 'or':
      return f.items.reduce((n, i) => n + countLeaves(i), 0);
    case 'not':
      return countLeaves(f.item);
    case 'true':
    case 'false':
    case 'ndn':
    case 'ndnIn':
      return 0;
    default:
      return 1;
  }
}

/**
 * A filter with more leaves than this is not compiled to SQL conditions: the store evaluates it in
 * JavaScript over the values of the driver's candidates (filter-eval.ts). SQLite's cost per subquery
 * grows with the number of subqueries in the statement, and even one aggregate subquery per entry stayed
 * quadratic for some shapes: an OR of 3,333 ANDs of a presence and a substring took 10 s over 5,000 entries.
 */
export const SQL_LEAVES = 32;

/** Whether the store evaluates this filter in JavaScript rather than in SQL (see SQL_LEAVES, isSqlTestable). */
export const isEvaluatedInJs = (f: PlanFilter) => countLeaves(f) > SQL_LEAVES || !isSqlTestable(f);

/**
 * A filter evaluated in JavaScript split in two: the conjuncts SQL can test (each a seek), and the rest.
 * Testing an objectClass in SQL spares JavaScript normalising every class of every candidate.
 */
export function splitForSql(f: PlanFilter): { sql: PlanFilter; js: PlanFilter } {
  const items = f.kind === 'and' ? f.items : [f];
  const sql = items.filter((i) => isSqlTestable(i));
  if (sql.length === 0 || countLeaves({ kind: 'and', items: sql }) > SQL_LEAVES) return { sql: TRUE, js: f };
  const js = items.filter((i) => !isSqlTestable(i));
  const all = (parts: PlanFilter[]): PlanFilter => (parts.length === 0 ? TRUE : parts.length === 1 ? parts[0] : { kind: 'and', items: parts });
  return { sql: all(sql), js: all(js) };
}

/** Compiles a filter SQL can test (not isEvaluatedInJs) to a per-entry condition: one index seek per leaf. */
export function filterCondition(f: PlanFilter, p: SqlParams): string {
  return condition(f, p, existsTest);
}

export interface Driver {
  /** A SELECT of one column of entry ids, a superset of the matches. */
  sql(p: SqlParams): string;
  cost: number;
  /** The leaf the driver is, when it is one equality on one attribute: its index rows come in entry order. */
  equality?: Extract<StoreFilter, { kind: 'equal' }>;
  /** The leaf the driver is, when it is one: every entry it yields satisfies that leaf. */
  leaf?: PlanFilter;
  /** When the driver is a union of equality lookups: its (attribute, value) pairs. */
  pairs?: [string, string][];
}

/** Pairs up to this many are a UNION of lookups; more are one join with a JSON list of them. */
const UNION_PAIRS = 8;

/**
 * A union of equality lookups (a group sync's OR of uids, an OR across uid, cn and mail) as one join of the
 * index with a JSON list of (attribute, value) pairs: one seek per pair. As a UNION of 10,000 selects the
 * same set took 300 ms, spent mostly merging the compound select's parts.
 */
function pairsDriver(pairs: [string, string][], cost: number): Driver {
  if (pairs.length <= UNION_PAIRS) {
    return { sql: (p) => union(pairs.map(([a, n]) => indexSelect(`attr = ${attrKey(a, p)} AND norm = ${p.ref(n)}`))), cost, pairs };
  }
  return {
    sql: (p) =>
      `SELECT attr_index.entry_id FROM json_each(${p.ref(JSON.stringify(pairs))}) j, attr_index WHERE attr_index.attr = j.value ->> 0 AND attr_index.norm = j.value ->> 1`,
    cost,
    pairs,
  };
}

/**
 * How selective a leaf is likely to be, lower is better; objectClass and presence match most entries. A
 * substring with no initial part scans every value of its attribute, for every page: as a driver it made
 * an enumeration with `(cn=*9*)` quadratic (5.4 s at 100k people, against 1.1 s walking the scope).
 */
function leafCost(f: Leaf): number {
  const isClass = f.attrs.includes('objectclass');
  switch (f.kind) {
    case 'equal':
      return isClass ? 5 : 1;
    case 'substrings':
      return f.initial ? 2 : 7;
    case 'range':
      return 3;
    case 'present':
      return 6;
  }
}

/**
 * The cost of a union of drivers: its worst part's, and more. Many range or substring scans (each can walk
 * a large part of the index) are worth less than the scope: an OR of 10,000 ranges took 21 s as a driver.
 */
function unionCost(costs: number[]): number {
  const scans = costs.filter((c) => c >= 2).length;
  return Math.max(...costs) + 1 + (scans > 16 ? 10 : 0);
}

const indexSelect = (condition: string) => `SELECT entry_id FROM attr_index WHERE ${condition}`;

/**
 * A set of entry ids, computed from the index alone, that contains every match: the most selective leaf of
 * a conjunction, or the union of drivers of a disjunction. Undefined when no index can narrow the search.
 * With `broad` false, a presence or an objectClass equality (which yield most of a directory) is no driver.
 */
export function chooseDriver(f: PlanFilter, broad = true): Driver | undefined {
  switch (f.kind) {
    case 'false':
      return { sql: () => 'SELECT NULL WHERE 0', cost: 0 };
    case 'ndn':
      return { sql: (p) => `SELECT id FROM entries WHERE ndn = ${p.ref(f.ndn)}`, cost: 0 };
    case 'ndnIn':
      return { sql: (p) => `SELECT id FROM entries WHERE ndn IN (${p.list(f.ndns)})`, cost: 0 };
    case 'and': {
      let best: Driver | undefined;
      for (const item of f.items) {
        const d = chooseDriver(item, broad);
        if (d && (!best || d.cost < best.cost)) best = d;
      }
      return best;
    }
    case 'or': {
      const ds = f.items.map((i) => chooseDriver(i, broad));
      if (ds.some((d) => !d)) return undefined;
      const all = ds as Driver[];
      const cost = unionCost(all.map((d) => d.cost));
      if (all.every((d) => d.pairs))
        return pairsDriver(
          all.flatMap((d) => d.pairs!),
          cost,
        );
      return { sql: (p) => union(all.map((d) => d.sql(p))), cost };
    }
    case 'anyOf': {
      if (!broad && f.attrs.includes('objectclass')) return undefined;
      const cost = unionCost([...(f.leaves.some((l) => l.kind === 'equal') ? [1] : []), ...f.leaves.filter((l) => l.kind !== 'equal').map(leafCost)]);
      if (f.leaves.every((l) => l.kind === 'equal'))
        return {
          ...pairsDriver(
            f.attrs.flatMap((a) => f.leaves.flatMap((l): [string, string][] => (l.kind === 'equal' ? [[a, l.norm]] : []))),
            cost,
          ),
          leaf: f,
        };
      return { sql: (p) => union(anyOfConditions(f.leaves).map((c) => indexSelect(`${attrTerm(f.attrs, p)} AND ${c(p)}`))), cost };
    }
    case 'equal':
    case 'present':
    case 'substrings':
    case 'range': {
      if (!broad && (f.kind === 'present' || (f.kind === 'equal' && f.attrs.includes('objectclass')))) return undefined;
      const equality = f.kind === 'equal' && f.attrs.length === 1 ? f : undefined;
      const pairs = f.kind === 'equal' ? f.attrs.map((a): [string, string] => [a, f.norm]) : undefined;
      return { sql: (p) => indexSelect(leafCondition(f, p)), cost: leafCost(f), equality, pairs, leaf: f };
    }
    default:
      return undefined;
  }
}

/**
 * The scope condition. `indexed` false prefixes the column with `+`, which tells SQLite not to use an index
 * for it, so that the driver (or the rowid order) leads the plan instead.
 */
export function scopeCondition(scope: ScopeQuery, indexed: boolean, p: SqlParams): string {
  const x = indexed ? '' : '+';
  switch (scope.kind) {
    case 'base':
      return `e.id = ${p.ref(scope.id)}`;
    case 'one':
      return `${x}e.parent_id = ${p.ref(scope.id)}`;
    case 'children':
    case 'sub': {
      if (scope.path === '') return `${x}e.path <> ''`;
      const self = scope.kind === 'sub' ? `e.id = ${p.ref(scope.id)} OR ` : '';
      const range = `(${x}e.path > ${p.ref(scope.path + ',')} AND ${x}e.path < ${p.ref(scope.path + '-')})`;
      return scope.kind === 'children' ? range : `(${self}${range})`;
    }
  }
}

/** The cheapest driver worth using: a poor one (objectClass, presence) is no better than the scope. */
export function usefulDriver(scope: ScopeQuery, f: PlanFilter): Driver | undefined {
  if (scope.kind === 'base') return undefined;
  const d = chooseDriver(f);
  return d && d.cost <= 4 ? d : undefined;
}

/**
 * For a filter evaluated in JavaScript over a large subtree: a driver that narrows it, however costly its
 * scan of the index (a substring with no initial part reads every value of its attribute). Reading index
 * rows costs far less than reading and testing every entry of the scope, but a scan done again for every
 * page made an enumeration quadratic: the store reads it once per search (see jsSearchPage).
 */
export function scanDriver(f: PlanFilter): Driver | undefined {
  const d = chooseDriver(f, false);
  // Not a union of many scans (see unionCost).
  return d && d.cost < 10 ? d : undefined;
}

/**
 * How a page walks a subtree when no selective index drives it. A small subtree (under SMALL_SUBTREE
 * entries) is read through the path index and sorted into id order, which costs at most its size a page.
 * A large one is walked in id order from where the last page ended, so that a whole enumeration reads each
 * row once instead of the subtree once a page: by the index rows of a top-level equality when the filter
 * has one (objectClass=posixAccount, as sssd and nslcd enumerate), else by the rows themselves.
 */
export type SubtreeWalk = 'index' | 'rows';
export const SMALL_SUBTREE = 1000;

/** The driver a large subtree's walk may lead with: a top-level equality on one attribute, however common. */
export function walkingEquality(f: PlanFilter): Driver | undefined {
  const leaf = topLevelEquality(f);
  return leaf && chooseDriver(leaf);
}

function topLevelEquality(f: PlanFilter): PlanFilter | undefined {
  if (f.kind === 'equal' && f.attrs.length === 1) return f;
  if (f.kind !== 'and') return undefined;
  for (const item of f.items) {
    const found = topLevelEquality(item);
    if (found) return found;
  }
  return undefined;
}

/** The filter with one leaf of its top-level conjunction taken out (the driver already guarantees it). */
export function withoutConjunct(f: PlanFilter, leaf: PlanFilter): PlanFilter {
  if (f === leaf) return TRUE;
  if (f.kind !== 'and') return f;
  return { kind: 'and', items: f.items.map((i) => withoutConjunct(i, leaf)) };
}

/** True when the leaf is reached from the top through conjunctions only, so every match satisfies it. */
export function isConjunct(f: PlanFilter, leaf: PlanFilter): boolean {
  if (f === leaf) return true;
  return f.kind === 'and' && f.items.some((i) => isConjunct(i, leaf));
}
