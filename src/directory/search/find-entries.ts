import type { Directory } from '../directory';
import type { Identity } from '../identity';
import type { Filter } from '../../ldap/filter';
import type { Scope } from '../../ldap/types';
import type { SearchResultEntry } from './run-search';

/** Every entry under a base that matches, as `who` may see it, with no size or time limit. */
export async function findEntries(
  d: Pick<Directory, 'search'>,
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
