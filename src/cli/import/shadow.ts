import type { Change } from '../../ldap/types';
import { SYSTEM } from '../../directory/identity';
import type { Directory } from '../../directory/directory';
import { EntryView } from '../../directory/entry-view';
import type { Normalization } from '../../directory/normalize';
import { parseGeneralizedTime } from '../../directory/matching';
import { shadowValues } from '../../directory/accounts/password-policy';
import type { ImportSummary } from './summary';

/** What alignShadow reads: attributes by these names (a record's) may leave an entry it changes. */
export function touchesShadowAlignment(norm: Normalization, names: string[], added: boolean): boolean {
  const keys = names.map((n) => norm.attribute(n)?.key);
  // An added entry without pwdChangedTime is left as it is; a modify may add it, the class or the password.
  return keys.includes('pwdchangedtime') || (!added && (keys.includes('objectclass') || keys.includes('userpassword')));
}

/**
 * After the import (when every policy entry is in place): on each imported shadowAccount with a password,
 * shadowLastChange is at least the day the password was changed (pwdChangedTime; without one, nothing changes), and
 * shadowMax / shadowWarning follow its policy as for a new password, so nslcd and Cairn agree on expiry.
 * The entries' modifyTimestamp is left as imported.
 */
export async function alignShadow(d: Directory, ndns: Iterable<string>, summary: ImportSummary): Promise<void> {
  for (const ndn of ndns) {
    const entry = await d.storedEntry(ndn);
    if (!entry) continue;
    const view = new EntryView(entry.dn, entry.attributes, d.norm);
    if (!view.values('objectclass').some((c) => c.toLowerCase() === 'shadowaccount')) continue;
    // Without pwdChangedTime the password does not expire (as in slapd): the shadow values stay as imported.
    const changedAt = parseGeneralizedTime(view.values('pwdchangedtime')[0] ?? '');
    if (changedAt === undefined) continue;
    if (!(await d.accounts.hasPassword(entry.dn))) continue;
    const policy = await d.accounts.policyOf(entry.dn);
    const want = shadowValues(policy, changedAt);
    const changes: Change[] = [];
    const replace = (type: string, values: string[], what: string) => {
      changes.push({ operation: 'replace', modification: { type, values } });
      summary.count(summary.normalised, what);
    };
    const last = Number(view.values('shadowlastchange')[0] ?? NaN);
    if (!(last >= Number(want.shadowLastChange[0])))
      replace('shadowLastChange', want.shadowLastChange, "shadowLastChange older than the password's change: set to its day");
    for (const [type, key] of [
      ['shadowMax', 'shadowmax'],
      ['shadowWarning', 'shadowwarning'],
    ] as const) {
      const has = view.values(key);
      const wanted = want[type];
      if (has.join() === wanted.join()) continue;
      replace(type, wanted, wanted.length ? `${type} set from the policy (pwdMaxAge / pwdExpireWarning)` : `${type} removed (the policy has no pwdMaxAge)`);
    }
    if (changes.length === 0) continue;
    const stamp = view.values('modifytimestamp');
    if (stamp.length) changes.push({ operation: 'replace', modification: { type: 'modifyTimestamp', values: stamp } });
    await d.modify(SYSTEM, entry.dn, changes, { migration: true });
  }
}
