import type { Directory } from '../../directory/directory';
import { EntryView } from '../../directory/entry-view';
import type { ImportSummary } from './summary';

/**
 * In an rfc2307bis group (groupOfNames + posixGroup) memberUid follows member (group-membership.ts): the
 * uid of a member the file's memberUid lacked is added; no value is ever dropped. After the import, each
 * such group whose memberUid came out different from the file's is counted, so the change is not silent.
 */
export async function countMemberUidChanges(d: Directory, given: Map<string, string[]>, summary: ImportSummary): Promise<void> {
  for (const [ndn, before] of given) {
    const entry = await d.storedEntry(ndn);
    if (!entry) continue;
    const after = new EntryView(entry.dn, entry.attributes, d.norm).values('memberuid');
    const norm = (vs: string[]) => new Set(vs); // memberUid is case-exact
    const a = norm(after);
    const b = norm(before);
    const added = [...a].filter((v) => !b.has(v)).length;
    if (added) summary.count(summary.normalised, "memberUid values added: the uid of a member the file's memberUid lacked", added);
  }
}
