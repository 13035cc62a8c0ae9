import type { Filter } from '../filter/types';
import { LdapError } from '../errors';
import { ResultCode } from '../result-codes';

/**
 * The most elements a search filter may have: each assertion and each &, | and ! counts one. Far above
 * what clients send (group syncs send ORs of a few thousand uids; slapd answers 5,000); a wider filter is
 * refused with adminLimitExceeded before any work is done.
 */
export const MAX_FILTER_ELEMENTS = 10000;

/** The number of elements of a filter, counting no further than just past the limit. */
function filterElements(filter: Filter): number {
  let n = 0;
  const stack: Filter[] = [filter];
  while (stack.length > 0 && n <= MAX_FILTER_ELEMENTS) {
    const f = stack.pop()!;
    n++;
    if (f.type === 'and' || f.type === 'or') for (const x of f.filters) stack.push(x);
    else if (f.type === 'not') stack.push(f.filter);
  }
  return n;
}

/** Refuses a filter with more than MAX_FILTER_ELEMENTS elements. */
export function checkFilterSize(filter: Filter): void {
  if (filterElements(filter) > MAX_FILTER_ELEMENTS) {
    throw new LdapError(ResultCode.adminLimitExceeded, `filter too large: more than ${MAX_FILTER_ELEMENTS} elements (assertions, &, |, !)`);
  }
}
