import type { Change } from '../../ldap/types';
import { SYSTEM } from '../../directory/identity';
import type { Directory } from '../../directory/directory';
import { formatRdn, parseDN } from '../../directory/dn';
import type { StoredEntry } from '../../store/types';
import type { LdifAttribute } from '../../ldif/types';

/** Cairn's own attributes of a policy entry (cairnPwd*, cairnMfaRequiredGroup): an imported policy does not know them. */
const isCairnOwn = (name: string) => /^cairn/i.test(name);
const CAIRN_POLICY_CLASS = 'cairnPasswordPolicy';

export interface Replacement {
  /** Cairn's own policy attributes the file did not mention, kept with their values. */
  kept: string[];
  /** Attributes the entry had and the file did not mention, removed. */
  dropped: string[];
}

/**
 * Replaces an existing entry by an imported record: the record's attributes and its spelling of the RDN
 * (ou=People stays ou=People, and so do the children's stored DNs). On a policy entry the record's
 * attributes replace the same attributes and Cairn's own quality settings that it does not mention keep
 * their values. Used for entries taken over from `cairn init` and, with --update, for every existing one.
 */
export async function replaceEntry(d: Directory, existing: StoredEntry, recordDn: string, attrs: LdifAttribute[]): Promise<Replacement> {
  const norm = d.norm;
  const keyOf = (name: string) => norm.attribute(name)?.key ?? name.toLowerCase();
  const given = new Set(attrs.map((a) => keyOf(a.name)));
  const userAttributes = Object.keys(existing.attributes).filter((name) => !norm.attribute(name)?.type.operational);
  const classes = (existing.attributes[userAttributes.find((n) => keyOf(n) === 'objectclass') ?? ''] ?? []).map((c) => c.toLowerCase());
  const isPolicy = classes.includes('pwdpolicy');
  const missing = userAttributes.filter((name) => !given.has(keyOf(name)));
  const kept = isPolicy ? missing.filter(isCairnOwn) : [];
  const dropped = missing.filter((name) => !kept.includes(name));
  const values = attrs.map((a) => {
    if (kept.length === 0 || keyOf(a.name) !== 'objectclass' || a.values.some((v) => v.toLowerCase() === CAIRN_POLICY_CLASS.toLowerCase())) return a;
    return { name: a.name, values: [...a.values, CAIRN_POLICY_CLASS] };
  });

  await respell(d, existing, recordDn);
  const changes: Change[] = [
    ...values.map((a) => ({ operation: 'replace' as const, modification: { type: a.name, values: a.values } })),
    ...dropped.map((name) => ({ operation: 'replace' as const, modification: { type: name, values: [] } })),
  ];
  await d.modify(SYSTEM, existing.dn, changes, { migration: true, replacesEntry: true });
  return { kept, dropped };
}

/** The stored RDN takes the record's spelling (a rename to the same DN); the naming context keeps its own. */
async function respell(d: Directory, existing: StoredEntry, recordDn: string) {
  if (existing.ndn === d.namingContextNdn) return;
  const wanted = formatRdn(parseDN(recordDn)[0]);
  const stored = formatRdn(parseDN(existing.dn)[0]);
  if (wanted !== stored) await d.modifyDN(SYSTEM, existing.dn, wanted, true);
}
