import type { AttributeValues } from '../../ldap/types';
import type { Normalization } from '../normalize';

/** Which attributes a search asked for (RFC 4511 4.5.1.8, RFC 3673 `+`). */
export interface AttributeSelection {
  allUser: boolean;
  allOperational: boolean;
  /** Keys asked for by name, including subtypes of a named supertype; with options (`cn;lang-de`) only those. */
  keys: Set<string>;
}

export function selectAttributes(requested: string[], norm: Normalization): AttributeSelection {
  const sel: AttributeSelection = { allUser: requested.length === 0, allOperational: false, keys: new Set() };
  for (const r of requested) {
    if (r === '*') sel.allUser = true;
    else if (r === '+') sel.allOperational = true;
    else if (r === '1.1') continue;
    else if (r.startsWith('@')) {
      const oc = norm.schema.objectClass(r.slice(1));
      if (oc) for (const k of [...oc.allMust, ...oc.allMay]) sel.keys.add(k);
    } else {
      const info = norm.attribute(r);
      if (info?.options) sel.keys.add(info.slotKey);
      else if (info) for (const t of norm.schema.subtypes(info.key)) sel.keys.add(t.key);
    }
  }
  if (requested.length > 0 && requested.every((r) => r === '1.1')) sel.allUser = false;
  return sel;
}

export function isSelected(sel: AttributeSelection, key: string, operational: boolean, slotKey = key): boolean {
  return sel.keys.has(key) || sel.keys.has(slotKey) || (operational ? sel.allOperational : sel.allUser);
}

/** Renders attributes for a search result: the selected ones, each once, values dropped for typesOnly. */
export function renderAttributes(
  attributes: Iterable<[name: string, values: string[]]>,
  sel: AttributeSelection,
  typesOnly: boolean,
  norm: Normalization,
  readable: (key: string) => boolean = () => true,
): AttributeValues[] {
  const out: AttributeValues[] = [];
  const seen = new Set<string>();
  for (const [name, values] of attributes) {
    const info = norm.attribute(name);
    const key = info?.key ?? name.toLowerCase();
    const slotKey = info?.slotKey ?? key;
    if (seen.has(slotKey) || values.length === 0) continue;
    if (!isSelected(sel, key, info?.type.operational ?? false, slotKey) || !readable(key)) continue;
    seen.add(slotKey);
    out.push({ type: name, values: typesOnly ? [] : values });
  }
  return out;
}
