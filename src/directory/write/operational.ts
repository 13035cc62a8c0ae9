import { randomUUID } from 'node:crypto';
import { formatGeneralizedTime } from '../matching';
import type { Normalization } from '../normalize';
import { setValues as set, type KeyedAttributes } from './entry-attributes';

/** The operational attributes OpenLDAP keeps on every entry. Imported values (migration) are kept. */
export function stampCreated(norm: Normalization, attrs: KeyedAttributes, by: string, now: number, structural: string) {
  const ts = formatGeneralizedTime(now);
  set(norm, attrs, 'entryUUID', [randomUUID()], true);
  set(norm, attrs, 'creatorsName', [by], true);
  set(norm, attrs, 'createTimestamp', [ts], true);
  set(norm, attrs, 'modifiersName', [by], true);
  set(norm, attrs, 'modifyTimestamp', [ts], true);
  set(norm, attrs, 'structuralObjectClass', [structural], false);
}

export function stampModified(norm: Normalization, attrs: KeyedAttributes, by: string, now: number) {
  set(norm, attrs, 'modifiersName', [by], false);
  set(norm, attrs, 'modifyTimestamp', [formatGeneralizedTime(now)], false);
}

/** pwdChangedTime (draft-behera): when the password was last set. A migrated value is kept. */
export function stampPasswordChanged(norm: Normalization, attrs: KeyedAttributes, now: number) {
  set(norm, attrs, 'pwdChangedTime', [formatGeneralizedTime(now)], false);
}

/** The structural object class, after an entry was replaced by one of another class. */
export function stampStructural(norm: Normalization, attrs: KeyedAttributes, structural: string) {
  set(norm, attrs, 'structuralObjectClass', [structural], false);
}
