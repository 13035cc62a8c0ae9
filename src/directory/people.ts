import type { Config } from '../config';
import type { Change } from '../ldap/types';
import type { Directory } from './directory';
import { InputError } from './errors';
import type { Identity } from './identity';
import { checkIdNumber, checkMail, checkName, checkShell } from './input-checks';
import { personDN } from './layout';
import { groupByName, hasClass, nextFreeNumber, valuesOf } from './lookup';
import type { SearchResultEntry } from './search/run-search';

/**
 * People and their groups as Cairn lays them out, for both front doors that manage them (the CLI and the
 * portal's administrator pages). Writes go through the directory as `who`: access control, the schema,
 * the password policy and the audit log apply as to any write.
 */

export interface NewPerson {
  uid: string;
  given: string;
  sn: string;
  mail?: string;
  password?: string;
  uidNumber?: string;
  gidNumber?: string;
  shell?: string;
  sshKeys?: string[];
}

export interface AddedPerson {
  dn: string;
  uidNumber: string;
  gidNumber: string;
  /** The default group had no gidNumber and got this one now. */
  allocatedGroupGid?: string;
}

/** What the CLI calls each input (its options); the portal names its fields. */
export interface InputNames {
  uid: string;
  uidNumber: string;
  gidNumber: string;
  mail: string;
  shell: string;
}

export const CLI_INPUT_NAMES: InputNames = { uid: 'uid', uidNumber: '--uid-number', gidNumber: '--gid-number', mail: '--mail', shell: '--shell' };

export function checkNewPerson(p: NewPerson, names: InputNames = CLI_INPUT_NAMES): void {
  checkName(names.uid, p.uid);
  if (p.uidNumber !== undefined) checkIdNumber(names.uidNumber, p.uidNumber);
  if (p.gidNumber !== undefined) checkIdNumber(names.gidNumber, p.gidNumber);
  if (p.mail !== undefined) checkMail(p.mail, names.mail);
  if (p.shell !== undefined) checkShell(p.shell, names.shell);
}

/**
 * The default group's gidNumber, for a new person's primary group. A group without one (as `cairn init`
 * creates it, so an import keeps its numbers) gets the next free gidNumber of the ids range now, and
 * becomes a posixGroup.
 */
async function defaultGroupGid(d: Directory, who: Identity, config: Config): Promise<{ gid: string; allocated: boolean }> {
  const name = config.users.defaultGroup;
  const g = await groupByName(d, name).catch((err: Error) => {
    throw new InputError(`default group ${name}: ${err.message.replace(/^no /, 'there is no ')} (users.defaultGroup; or give --gid-number)`);
  });
  const have = valuesOf(g, 'gidNumber')[0];
  if (have !== undefined) return { gid: have, allocated: false };
  const gid = String(await nextFreeNumber(d, 'gidNumber', config.ids.gidNumberMin, config.ids.gidNumberMax));
  await d.modify(who, g.dn, [
    ...(hasClass(d, g, 'posixGroup') ? [] : [{ operation: 'add' as const, modification: { type: 'objectClass', values: ['posixGroup'] } }]),
    { operation: 'add', modification: { type: 'gidNumber', values: [gid] } },
  ]);
  return { gid, allocated: true };
}

/**
 * Adds a person (inetOrgPerson, posixAccount, shadowAccount, ldapPublicKey) under ou=people with the next
 * free uidNumber and the default group's gidNumber. Run it inside the store's batch when the default
 * group may be given a gidNumber, so that a person who cannot be added leaves none behind.
 */
export async function addPerson(d: Directory, who: Identity, config: Config, p: NewPerson, names?: InputNames): Promise<AddedPerson> {
  checkNewPerson(p, names);
  const uidNumber = p.uidNumber ?? String(await nextFreeNumber(d, 'uidNumber', config.ids.uidNumberMin, config.ids.uidNumberMax));
  const primary = p.gidNumber ? { gid: p.gidNumber, allocated: false } : await defaultGroupGid(d, who, config);
  const attrs = [
    // ldapPublicKey (all MAY) lets the person add SSH keys to their own entry later.
    { type: 'objectClass', values: ['top', 'inetOrgPerson', 'posixAccount', 'shadowAccount', 'ldapPublicKey'] },
    { type: 'uid', values: [p.uid] },
    { type: 'givenName', values: [p.given] },
    { type: 'sn', values: [p.sn] },
    { type: 'cn', values: [`${p.given} ${p.sn}`] },
    { type: 'displayName', values: [`${p.given} ${p.sn}`] },
    { type: 'uidNumber', values: [uidNumber] },
    { type: 'gidNumber', values: [primary.gid] },
    { type: 'homeDirectory', values: [`${config.users.homeDirectoryPrefix}/${p.uid}`] },
    { type: 'loginShell', values: [p.shell ?? config.users.defaultShell] },
    ...(p.mail ? [{ type: 'mail', values: [p.mail] }] : []),
    ...(p.sshKeys?.length ? [{ type: 'sshPublicKey', values: p.sshKeys }] : []),
    ...(p.password ? [{ type: 'userPassword', values: [p.password] }] : []),
  ];
  const dn = await d.add(who, personDN(d.namingContext, p.uid), attrs);
  return { dn, uidNumber, gidNumber: primary.gid, allocatedGroupGid: primary.allocated ? primary.gid : undefined };
}

/**
 * The changes that make a person a member of a group (or no longer one), whatever kind of group it is:
 * `member` (their DN) where the group is a groupOfNames, `memberUid` (their uid) where it is a posixGroup.
 * Values present already (add) or absent (remove) are left alone; if nothing is left to do, a clear error.
 */
export function membershipChanges(d: Directory, g: SearchResultEntry, person: SearchResultEntry, uid: string, add: boolean): Change[] {
  const norm = d.norm;
  const ndn = norm.normalizeDN(person.dn).ndn;
  const memberValue = valuesOf(g, 'member').find((m) => norm.normalizeDN(m).ndn === ndn);
  const uidInfo = norm.requireAttribute('memberUid');
  const uidKey = (v: string) => norm.equalityKey(uidInfo, v) ?? v;
  // The person's own spelling of the uid they were named by.
  const theirUid = valuesOf(person, 'uid').find((v) => v.toLowerCase() === uid.toLowerCase()) ?? uid;
  const uidValue = valuesOf(g, 'memberUid').find((v) => uidKey(v) === uidKey(theirUid));
  const changes: Change[] = [];
  if (hasClass(d, g, 'groupOfNames')) {
    if (add && memberValue === undefined) changes.push({ operation: 'add', modification: { type: 'member', values: [person.dn] } });
    if (!add && memberValue !== undefined) changes.push({ operation: 'delete', modification: { type: 'member', values: [memberValue] } });
  }
  if (hasClass(d, g, 'posixGroup')) {
    // With groupOfNames, memberUid follows member by itself (GroupMembership); only a value out of step is changed here.
    const follows = hasClass(d, g, 'groupOfNames');
    if (add && uidValue === undefined && !(follows && memberValue === undefined))
      changes.push({ operation: 'add', modification: { type: 'memberUid', values: [theirUid] } });
    if (!add && uidValue !== undefined && !(follows && memberValue !== undefined))
      changes.push({ operation: 'delete', modification: { type: 'memberUid', values: [uidValue] } });
  }
  if (changes.length === 0) {
    if (!hasClass(d, g, 'groupOfNames') && !hasClass(d, g, 'posixGroup'))
      throw new InputError(`${g.dn} holds neither member nor memberUid (it is no groupOfNames or posixGroup)`);
    throw new InputError(add ? `${uid} is a member of ${g.dn} already` : `${uid} is not a member of ${g.dn}`);
  }
  return changes;
}

/** Adds a person to a group, or takes them out, as `who`. */
export async function changeMembership(d: Directory, who: Identity, group: SearchResultEntry, person: SearchResultEntry, add: boolean): Promise<void> {
  const uid = valuesOf(person, 'uid')[0];
  if (uid === undefined) throw new InputError(`${person.dn} has no uid`);
  await d.modify(who, group.dn, membershipChanges(d, group, person, uid, add));
}
