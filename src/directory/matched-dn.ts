import type { NormalizedDN } from './normalize';

/**
 * noSuchObject's matchedDN (RFC 4511 4.1.9): the DN of the nearest superior of a missing entry that exists.
 * These are the superiors it is sought among, nearest first (the root DSE, which is no entry, left out).
 */
export const superiorNdns = (dn: NormalizedDN): string[] => dn.nrdns.slice(1).map((_, i) => dn.nrdns.slice(i + 1).join(','));

/** matchedDN as a write's transaction sees the tree. */
export function matchedDNIn(tx: { entryByNdn(ndn: string): { dn: string } | undefined }, dn: NormalizedDN): string | undefined {
  for (const ndn of superiorNdns(dn)) {
    const e = tx.entryByNdn(ndn);
    if (e) return e.dn;
  }
  return undefined;
}

/** matchedDN as the store answers outside a write (search, compare, password change). */
export async function matchedDNOf(store: { entryByNdn(ndn: string): Promise<{ dn: string } | undefined> }, dn: NormalizedDN): Promise<string | undefined> {
  for (const ndn of superiorNdns(dn)) {
    const e = await store.entryByNdn(ndn);
    if (e) return e.dn;
  }
  return undefined;
}
