import { createHash } from 'node:crypto';
import type { Store, StoredEntry } from '../store/types';

/**
 * The entries `cairn init` made that an import may take over (base, organisational units, default policy,
 * default group), each with a fingerprint of its DN and attributes as init left it. An entry whose
 * fingerprint still matches has not been changed since, by anyone.
 */
const META_KEY = 'init.untouched';

const fingerprint = (e: StoredEntry) =>
  createHash('sha256')
    .update(JSON.stringify([e.dn, e.attributes]))
    .digest('hex');

/** Called by init, inside its transaction, once the entries exist. */
export async function recordInitEntries(store: Store, ndns: string[]): Promise<void> {
  const prints: Record<string, string> = {};
  for (const ndn of ndns) {
    const e = await store.entryByNdn(ndn);
    if (e) prints[ndn] = fingerprint(e);
  }
  await store.write((tx) => tx.setMeta(META_KEY, JSON.stringify(prints)));
}

/**
 * A lookup for the entries init made: the entry at ndn if init made it and it is exactly as init left it,
 * else undefined. The record of init is read once.
 */
export async function untouchedInitEntries(store: Store): Promise<(ndn: string) => Promise<StoredEntry | undefined>> {
  const raw = await store.meta(META_KEY);
  const prints = raw ? (JSON.parse(raw) as Record<string, string>) : {};
  return async (ndn) => {
    const want = prints[ndn];
    if (!want) return undefined;
    const e = await store.entryByNdn(ndn);
    return e && fingerprint(e) === want ? e : undefined;
  };
}
