import type { Filter } from '../../ldap/filter';
import { LdapError } from '../errors';
import { ResultCode } from '../../ldap/result-codes';

/**
 * The most elements a search filter may have: each assertion and each &, | and ! counts one. Far above
 * what clients send (group syncs send ORs of a few thousand uids; slapd answers 5,000); a wider filter is
 * refused with adminLimitExceeded before any work is done.
 */
export const MAX_FILTER_ELEMENTS = 10000;

/**
 * The most substring and ordering (>=, <=) assertions a filter may hold. No index answers a substring
 * with no initial part, nor many ranges, so each costs a test per entry in scope: an OR of 9,999 of them took
 * 5 s over 5,000 entries, 1,000 take about half a second. Equalities and presences are not limited here:
 * they are set lookups. Real clients send a handful (a search box: `(|(cn=*x*)(mail=*x*))`).
 */
export const MAX_SCAN_ASSERTIONS = 1000;

/** The number of elements and of substring or ordering assertions, counting no further than just past the limit. */
function filterElements(filter: Filter): { elements: number; scans: number } {
  let elements = 0;
  let scans = 0;
  const stack: Filter[] = [filter];
  while (stack.length > 0 && elements <= MAX_FILTER_ELEMENTS) {
    const f = stack.pop()!;
    elements++;
    if (f.type === 'and' || f.type === 'or') for (const x of f.filters) stack.push(x);
    else if (f.type === 'not') stack.push(f.filter);
    else if (f.type === 'substrings' || f.type === 'greaterOrEqual' || f.type === 'lessOrEqual') scans++;
  }
  return { elements, scans };
}

/** Refuses a filter with more than MAX_FILTER_ELEMENTS elements or MAX_SCAN_ASSERTIONS substrings and ranges. */
export function checkFilterSize(filter: Filter): void {
  const { elements, scans } = filterElements(filter);
  if (elements > MAX_FILTER_ELEMENTS) {
    throw new LdapError(ResultCode.adminLimitExceeded, `filter too large: more than ${MAX_FILTER_ELEMENTS} elements (assertions, &, |, !)`);
  }
  if (scans > MAX_SCAN_ASSERTIONS) {
    throw new LdapError(ResultCode.adminLimitExceeded, `filter too costly: more than ${MAX_SCAN_ASSERTIONS} substring or ordering (>=, <=) assertions`);
  }
}
