import type { WriteTx } from '../store/types';
import type { DirectoryContext } from './context';
import { EntryView } from './entry-view';
import { fromAttributeMap, setValues, toAttributeMap } from './write/entry-attributes';

export type SetValues = (name: string, values: string[]) => void;

/**
 * Rewrites attributes the server keeps itself (policy and MFA state): no schema check, no modifyTimestamp.
 * `alongside` runs first in the same transaction (a bind attempt ending with the failure it records). The
 * entry is written only when `change` sets something. Keeping state must never change an answer, so a
 * failure here is logged, not thrown.
 */
export async function updateServerState(
  ctx: DirectoryContext,
  entryId: number,
  change: (view: EntryView, set: SetValues) => void,
  alongside?: (tx: WriteTx) => void,
): Promise<void> {
  await ctx.store
    .write((tx) => {
      alongside?.(tx);
      const entry = tx.entryById(entryId);
      if (!entry) return;
      const attrs = fromAttributeMap(ctx.norm, entry.attributes);
      let changed = false;
      const set: SetValues = (name, values) => {
        if (setValues(ctx.norm, attrs, name, values)) changed = true;
      };
      change(new EntryView(entry.dn, entry.attributes, ctx.norm), set);
      if (changed) tx.updateEntry(entryId, toAttributeMap(attrs));
    })
    .catch((err: unknown) => ctx.log.error('server state not saved', { entryId, error: String(err) }));
}
