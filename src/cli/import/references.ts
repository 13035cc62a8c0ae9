import type { Directory } from '../../directory/directory';
import type { Normalization } from '../../directory/normalize';
import { EntryView } from '../../directory/entry-view';
import type { Problem } from './summary';

/** Attributes whose values must name an entry once the whole file is in (a migration may list a group before its members). */
const REFERENCES = ['member', 'pwdpolicysubentry'];

/** Whether attributes by these names (as a record spells them) hold references to check. */
export function namesReferences(norm: Normalization, names: string[]): boolean {
  return names.some((n) => REFERENCES.includes(norm.attribute(n)?.key ?? ''));
}

/** Each imported entry's references that name no entry, as problems at the entry's line. */
export async function danglingReferences(d: Directory, lines: Map<string, number>): Promise<Problem[]> {
  const norm = d.norm;
  const problems: Problem[] = [];
  for (const [ndn, line] of lines) {
    const entry = await d.storedEntry(ndn);
    if (!entry) continue;
    const view = new EntryView(entry.dn, entry.attributes, norm);
    for (const attribute of REFERENCES) {
      for (const value of view.values(attribute)) {
        let target: string | undefined;
        try {
          target = norm.normalizeDN(value).ndn;
        } catch {
          target = undefined;
        }
        if (target !== undefined && (await d.storedEntry(target))) continue;
        const name = norm.attribute(attribute)?.type.name ?? attribute;
        problems.push({ line, dn: entry.dn, message: `${name}: ${value} does not exist (in the file or the directory)` });
      }
    }
  }
  return problems;
}
