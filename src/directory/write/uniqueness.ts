import type { WriteTx } from '../../store/types';
import { LdapError } from '../errors';
import type { Normalization } from '../normalize';
import { ResultCode } from '../../ldap/result-codes';
import { fromAttributeMap, type KeyedAttributes } from './entry-attributes';

/**
 * POSIX identities must not collide (as OpenLDAP's unique overlay is usually set up): a uid and a uidNumber
 * name one account, and a group's gidNumber names one group. People share their primary group's gidNumber,
 * so gidNumber is unique among groups only.
 */
const RULES: { key: string; amongClass?: string }[] = [{ key: 'uid' }, { key: 'uidnumber' }, { key: 'gidnumber', amongClass: 'posixgroup' }];

export function checkUniqueness(tx: WriteTx, norm: Normalization, attrs: KeyedAttributes, selfId: number | undefined) {
  const classes = (a: KeyedAttributes) => (a.get('objectclass')?.values ?? []).map((v) => norm.schema.objectClass(v)?.key);
  for (const rule of RULES) {
    const slot = attrs.get(rule.key);
    if (!slot) continue;
    if (rule.amongClass && !classes(attrs).includes(rule.amongClass)) continue;
    for (const value of slot.values) {
      const key = norm.equalityKey(slot.info, value) ?? value;
      for (const id of tx.entriesWithValue(rule.key, key, 4)) {
        if (id === selfId) continue;
        const other = tx.entryById(id);
        if (!other) continue;
        if (rule.amongClass && !classes(fromAttributeMap(norm, other.attributes)).includes(rule.amongClass)) continue;
        throw new LdapError(ResultCode.constraintViolation, `${slot.info.type.name} ${value} is already used by ${other.dn}`);
      }
    }
  }
}
