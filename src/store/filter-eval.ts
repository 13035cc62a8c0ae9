import type { PlanFilter } from './filter-sql';

/** What a planned filter sees of an entry: its normalised DN and its index rows by attribute key. */
export interface IndexedEntry {
  ndn: string;
  values: Map<string, string[]>;
}

/**
 * Text as SQLite holds it, decoded: better-sqlite3 writes a JS string as WTF-8 (a lone surrogate as its own
 * three bytes), so reading the bytes back this way gives exactly the string that was bound, and comparing
 * these strings is comparing what SQL compares.
 */
export function textFromSqlite(b: Buffer): string {
  if (isPlainUtf8(b)) return b.toString('utf8');
  let s = '';
  for (let i = 0; i < b.length;) {
    const c = b[i];
    let cp: number;
    if (c < 0x80) cp = b[i++];
    else if (c < 0xe0) {
      cp = ((c & 0x1f) << 6) | (b[i + 1] & 0x3f);
      i += 2;
    } else if (c < 0xf0) {
      cp = ((c & 0x0f) << 12) | ((b[i + 1] & 0x3f) << 6) | (b[i + 2] & 0x3f);
      i += 3;
    } else {
      cp = ((c & 0x07) << 18) | ((b[i + 1] & 0x3f) << 12) | ((b[i + 2] & 0x3f) << 6) | (b[i + 3] & 0x3f);
      i += 4;
    }
    s += String.fromCodePoint(cp);
  }
  return s;
}

/** True when the bytes hold no encoded surrogate (ED A0..BF): Node's decoder then gives the bound string. */
function isPlainUtf8(b: Buffer): boolean {
  for (let i = b.indexOf(0xed); i >= 0; i = b.indexOf(0xed, i + 1)) if (i + 1 < b.length && b[i + 1] >= 0xa0) return false;
  return true;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * Where `part` occurs in `v` from `from`, as SQLite's GLOB finds it: code point by code point, so a match
 * never starts or ends inside a surrogate pair of the value. -1 when nowhere.
 */
function find(v: string, part: string, from: number): number {
  const startsLow = part.length > 0 && isLow(part.charCodeAt(0));
  const endsHigh = part.length > 0 && isHigh(part.charCodeAt(part.length - 1));
  for (let at = v.indexOf(part, from); at >= 0; at = v.indexOf(part, at + 1)) {
    if (startsLow && at > 0 && isHigh(v.charCodeAt(at - 1))) continue;
    if (endsHigh && isLow(v.charCodeAt(at + part.length))) continue;
    return at;
  }
  return -1;
}

/** The substring assertion as a value test, as `norm GLOB pattern` decides it (see globPattern). */
function substringTest(f: { initial?: string; any: string[]; final?: string }): (v: string) => boolean {
  const initial = f.initial ?? '';
  const final = f.final ?? '';
  return (v) => {
    const end = v.length - final.length;
    if (end < initial.length) return false;
    if (initial && find(v, initial, 0) !== 0) return false;
    if (final && !(v.endsWith(final) && find(v, final, end) === end)) return false;
    let pos = initial.length;
    for (const a of f.any) {
      const at = find(v, a, pos);
      if (at < 0 || at + a.length > end) return false;
      pos = at + a.length;
    }
    return true;
  };
}

const HAS_SURROGATE_OR_ABOVE = /[\uD800-\uFFFF]/;

/** SQLite's BINARY order of two texts: the order of their bytes, which is code point order. */
export function compareText(a: string, b: string): number {
  if (!HAS_SURROGATE_OR_ABOVE.test(a) && !HAS_SURROGATE_OR_ABOVE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(j)!;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return i < a.length ? 1 : j < b.length ? -1 : 0;
}

type Leaf = Extract<PlanFilter, { kind: 'equal' | 'substrings' | 'range' }>;

function valueTest(f: Leaf): (v: string) => boolean {
  switch (f.kind) {
    case 'equal':
      return (v) => v === f.norm;
    case 'substrings':
      return substringTest(f);
    case 'range': {
      // Most values hold no character at or above U+D800: JavaScript's order is then SQLite's.
      const c = f.norm;
      const simple = !HAS_SURROGATE_OR_ABOVE.test(c);
      if (f.op === '>=') return (v) => (simple && !HAS_SURROGATE_OR_ABOVE.test(v) ? v >= c : compareText(v, c) >= 0);
      return (v) => (simple && !HAS_SURROGATE_OR_ABOVE.test(v) ? v <= c : compareText(v, c) <= 0);
    }
  }
}

/** Whether some value of the attributes passes the test. */
function someValue(attrs: string[], test: (v: string) => boolean): (e: IndexedEntry) => boolean {
  if (attrs.length === 1) {
    const a = attrs[0];
    return (e) => {
      const vs = e.values.get(a);
      if (!vs) return false;
      for (const v of vs) if (test(v)) return true;
      return false;
    };
  }
  return (e) => {
    for (const a of attrs) {
      const vs = e.values.get(a);
      if (vs) for (const v of vs) if (test(v)) return true;
    }
    return false;
  };
}

/**
 * A planned filter as a JavaScript predicate over an entry's index rows, deciding exactly what its SQL
 * condition (filterCondition) decides. Wide filters are evaluated this way: each entry costs a walk of
 * the filter, never a subquery per leaf.
 */
export function filterPredicate(f: PlanFilter): (e: IndexedEntry) => boolean {
  switch (f.kind) {
    case 'true':
      return () => true;
    case 'false':
      return () => false;
    case 'ndn':
      return (e) => e.ndn === f.ndn;
    case 'ndnIn': {
      const set = new Set(f.ndns);
      return (e) => set.has(e.ndn);
    }
    case 'not': {
      const inner = filterPredicate(f.item);
      return (e) => !inner(e);
    }
    case 'and':
    case 'or': {
      const items = f.items.map(filterPredicate);
      if (f.kind === 'and')
        return (e) => {
          for (const i of items) if (!i(e)) return false;
          return true;
        };
      return (e) => {
        for (const i of items) if (i(e)) return true;
        return false;
      };
    }
    case 'present':
      return (e) => f.attrs.some((a) => e.values.has(a));
    case 'anyOf': {
      const norms = new Set(f.leaves.flatMap((l) => (l.kind === 'equal' ? [l.norm] : [])));
      const others = f.leaves.filter((l) => l.kind !== 'equal').map(valueTest);
      return someValue(f.attrs, (v) => norms.has(v) || others.some((t) => t(v)));
    }
    default:
      return someValue(f.attrs, valueTest(f));
  }
}

/** The attribute keys a filter tests: the index rows an entry needs for filterPredicate. */
export function filterAttrs(f: PlanFilter, into = new Set<string>()): Set<string> {
  if (f.kind === 'and' || f.kind === 'or') for (const i of f.items) filterAttrs(i, into);
  else if (f.kind === 'not') filterAttrs(f.item, into);
  else if ('attrs' in f) for (const a of f.attrs) into.add(a);
  return into;
}

/** Whether a filter tests the entry's DN (entryDN assertions): only then does filterPredicate read `ndn`. */
export function testsDn(f: PlanFilter): boolean {
  if (f.kind === 'and' || f.kind === 'or') return f.items.some(testsDn);
  if (f.kind === 'not') return testsDn(f.item);
  return f.kind === 'ndn' || f.kind === 'ndnIn';
}
