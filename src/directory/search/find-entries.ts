import type { Identity } from '../identity';
import type { Filter } from '../../ldap/filter';
import type { Scope } from '../../ldap/types';
import type { SearchOutcome, SearchParams, SearchResultEntry, SearchSink } from './run-search';

/** Whatever answers a search as someone: the Directory, or (inside it) the search itself. */
export interface Searcher {
  search(who: Identity, params: SearchParams, sink: SearchSink): Promise<SearchOutcome>;
}

/** Every entry under a base that matches, as `who` may see it, with no size or time limit. */
export async function findEntries(
  d: Searcher,
  who: Identity,
  base: string,
  filter: Filter,
  attributes: string[] = ['*'],
  scope: Scope = 'sub',
): Promise<SearchResultEntry[]> {
  const out: SearchResultEntry[] = [];
  await d.search(
    who,
    { baseDN: base, scope, filter, attributes, typesOnly: false, sizeLimit: 0, timeLimit: 0 },
    { send: (e) => void out.push(e), isAbandoned: () => false },
  );
  return out;
}

/** An entry's values of one attribute (any case of its name), as a search returned them. */
export const valuesOf = (e: SearchResultEntry, type: string) => e.attributes.find((a) => a.type.toLowerCase() === type.toLowerCase())?.values ?? [];
