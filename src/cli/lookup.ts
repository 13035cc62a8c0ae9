import { SYSTEM } from '../directory/identity';
import type { Directory } from '../directory/directory';
import type { Filter } from '../directory/filter/types';
import type { SearchResultEntry } from '../directory/search/run-search';
import type { Scope } from '../wire/protocol/types';

/** Every entry under a base that matches, as the CLI (the system identity) sees it. */
export async function findAll(d: Directory, base: string, filter: Filter, attributes: string[] = ['*'], scope: Scope = 'sub'): Promise<SearchResultEntry[]> {
  const out: SearchResultEntry[] = [];
  await d.search(
    SYSTEM,
    { baseDN: base, scope, filter, attributes, typesOnly: false, sizeLimit: 0, timeLimit: 0 },
    { send: (e) => void out.push(e), isAbandoned: () => false },
  );
  return out;
}

export async function findOne(d: Directory, base: string, filter: Filter, what: string): Promise<SearchResultEntry> {
  const found = await findAll(d, base, filter);
  if (found.length === 0) throw new Error(`no ${what}`);
  if (found.length > 1) throw new Error(`more than one ${what}`);
  return found[0];
}

export const valuesOf = (e: SearchResultEntry, type: string) =>
  e.attributes.find((a) => a.type.toLowerCase() === type.toLowerCase())?.values ?? [];

/** The lowest free number in [min, max] above every number already used in that range. */
export async function nextFreeNumber(d: Directory, attribute: string, min: number, max: number): Promise<number> {
  const used = await findAll(
    d,
    d.namingContext,
    { type: 'and', filters: [{ type: 'greaterOrEqual', attribute, value: String(min) }, { type: 'lessOrEqual', attribute, value: String(max) }] },
    [attribute],
  );
  let highest = min - 1;
  for (const e of used) for (const v of valuesOf(e, attribute)) highest = Math.max(highest, Number(v));
  if (highest + 1 > max) throw new Error(`no free ${attribute} left in ${min}-${max} (see the ids settings)`);
  return highest + 1;
}

export const people = (d: Directory) => `ou=people,${d.namingContext}`;

/** The one person with this uid under ou=people, or a clear error. */
export const personByUid = (d: Directory, uid: string) => findOne(d, people(d), { type: 'equality', attribute: 'uid', value: uid }, `person with uid ${uid}`);
export const groups = (d: Directory) => `ou=groups,${d.namingContext}`;
export const services = (d: Directory) => `ou=services,${d.namingContext}`;
