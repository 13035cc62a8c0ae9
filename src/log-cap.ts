/**
 * What one log line may carry: a client chooses how long its filter, DN or attribute list is, and the log
 * must not grow with it. Every string is cut to MAX_LOG_STRING characters, every list to as many items as
 * fit in that many characters, each with a marker saying how much was left out.
 */
export const MAX_LOG_STRING = 1024;
/** Nested objects deeper than this are summarised: log fields are flat or one level deep. */
const MAX_DEPTH = 4;

const marker = (n: number, what: string) => `…(+${n} ${what})`;

/** The string cut to the limit, never between the two halves of a surrogate pair. */
export function capString(s: string, max = MAX_LOG_STRING): string {
  if (s.length <= max) return s;
  let end = max;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return s.slice(0, end) + marker(s.length - end, 'chars');
}

function capList(list: readonly unknown[], depth: number): unknown[] {
  const out: unknown[] = [];
  let used = 0;
  for (const item of list) {
    if (used >= MAX_LOG_STRING) {
      out.push(marker(list.length - out.length, 'items'));
      break;
    }
    const capped = capValue(item, depth + 1);
    used += typeof capped === 'string' ? capped.length + 3 : 16;
    out.push(capped);
  }
  return out;
}

/** A log field's value, bounded. Values that need no cutting are returned as they are. */
export function capValue(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return capString(v);
  if (v === null || typeof v !== 'object') return v;
  if (depth >= MAX_DEPTH) return '…(nested)';
  if (Array.isArray(v)) return capList(v, depth);
  if (v instanceof Error) return capString(v.stack ?? v.message);
  if (Buffer.isBuffer(v)) return marker(v.length, 'bytes');
  return capFields(v as Record<string, unknown>, depth + 1);
}

function needsCap(v: unknown): boolean {
  if (typeof v === 'string') return v.length > MAX_LOG_STRING;
  return v !== null && typeof v === 'object';
}

/** A log line's fields with every value bounded; the same object when nothing needed it. */
export function capFields<T extends Record<string, unknown>>(fields: T, depth = 0): T {
  const keys = Object.keys(fields);
  if (!keys.some((k) => needsCap(fields[k]))) return fields;
  const out: Record<string, unknown> = {};
  for (const k of keys) out[capString(k, 64)] = capValue(fields[k], depth);
  return out as T;
}
