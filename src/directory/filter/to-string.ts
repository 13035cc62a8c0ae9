import { valueBytes } from '../../bytes';
import { Filter } from '../../ldap/filter';

const OPERATORS = { equality: '=', greaterOrEqual: '>=', lessOrEqual: '<=', approx: '~=' } as const;

/** The RFC 4515 string form of a filter, for logs; `parseFilterString` reads it back to an equal filter. */
export function filterToString(filter: Filter): string {
  switch (filter.type) {
    case 'and':
      return `(&${filter.filters.map(filterToString).join('')})`;
    case 'or':
      return `(|${filter.filters.map(filterToString).join('')})`;
    case 'not':
      return `(!${filterToString(filter.filter)})`;
    case 'equality':
    case 'greaterOrEqual':
    case 'lessOrEqual':
    case 'approx':
      return `(${filter.attribute}${OPERATORS[filter.type]}${escapeValue(filter.value)})`;
    case 'present':
      return `(${filter.attribute}=*)`;
    case 'substrings': {
      const middle = filter.any.map((piece) => `${escapeValue(piece)}*`).join('');
      return `(${filter.attribute}=${escapeValue(filter.initial ?? '')}*${middle}${escapeValue(filter.final ?? '')})`;
    }
    case 'extensible': {
      const dn = filter.dnAttributes ? ':dn' : '';
      const rule = filter.matchingRule === undefined ? '' : `:${filter.matchingRule}`;
      return `(${filter.attribute ?? ''}${dn}${rule}:=${escapeValue(filter.value)})`;
    }
  }
}

/**
 * Escapes `*`, `(`, `)`, `\`, NUL and other control characters as `\XX` (C1 controls as their two UTF-8 bytes);
 * bytes that are not UTF-8 as themselves; other non-ASCII characters stay readable.
 */
function escapeValue(value: string): string {
  return value.replace(/[*()\\\x00-\x1f\x7f-\x9f]|(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g, (c) =>
    [...valueBytes(c)].map((byte) => `\\${byte.toString(16).padStart(2, '0')}`).join(''),
  );
}
