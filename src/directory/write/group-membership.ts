import type { WriteTx } from '../../store/types';
import type { Normalization } from '../normalize';
import { LdapError } from '../errors';
import { ResultCode } from '../../ldap/result-codes';
import { fromAttributeMap, setValues, toAttributeMap, type KeyedAttributes } from './entry-attributes';

/**
 * Keeps group membership consistent, as OpenLDAP's memberof and refint overlays do: `memberOf` on every
 * member follows the groups' `member` values, and a posixGroup's `memberUid` follows `member` without ever
 * losing a value it was given (see syncMemberUid).
 */
export class GroupMembership {
  constructor(private readonly norm: Normalization) {}

  private dnKey(dn: string): string | undefined {
    try {
      return this.norm.normalizeDN(dn).ndn;
    } catch {
      return undefined;
    }
  }

  private load(tx: WriteTx, id: number) {
    const e = tx.entryById(id);
    return e && { entry: e, attrs: fromAttributeMap(this.norm, e.attributes) };
  }

  private save(tx: WriteTx, id: number, attrs: KeyedAttributes) {
    tx.updateEntry(id, toAttributeMap(attrs));
  }

  /** Adds or removes one group DN in a member's memberOf. */
  private updateMemberOf(tx: WriteTx, memberNdn: string, groupDn: string, add: boolean) {
    const member = tx.entryByNdn(memberNdn);
    if (!member) return;
    const attrs = fromAttributeMap(this.norm, member.attributes);
    const groupNdn = this.dnKey(groupDn);
    const current = attrs.get('memberof')?.values ?? [];
    const others = current.filter((v) => this.dnKey(v) !== groupNdn);
    const next = add ? [...others, groupDn] : others;
    if (next.length === current.length && add === current.some((v) => this.dnKey(v) === groupNdn)) return;
    setValues(this.norm, attrs, 'memberOf', next);
    this.save(tx, member.id, attrs);
  }

  private hasClass(attrs: KeyedAttributes, key: string) {
    return (attrs.get('objectclass')?.values ?? []).some((v) => this.norm.schema.objectClass(v)?.key === key);
  }

  /** A group whose memberUid follows its member values: groupOfNames (member) and posixGroup (memberUid). */
  private follows(attrs: KeyedAttributes) {
    return this.hasClass(attrs, 'posixgroup') && this.hasClass(attrs, 'groupofnames');
  }

  /** The uid of the entry a member value names, if that entry exists and has one. */
  private uidOfMember(tx: WriteTx, memberDn: string): string | undefined {
    const ndn = this.dnKey(memberDn);
    const e = ndn ? tx.entryByNdn(ndn) : undefined;
    return e && fromAttributeMap(this.norm, e.attributes).get('uid')?.values[0];
  }

  /**
   * Adds and removes uids in a group's memberUid, by memberUid's own equality rule; every other value stays.
   * Returns whether memberUid changed.
   */
  private adjustMemberUid(attrs: KeyedAttributes, add: string[], remove: string[]): boolean {
    const info = this.norm.requireAttribute('memberUid');
    const key = (v: string) => this.norm.equalityKey(info, v) ?? v;
    const current = attrs.get(info.key)?.values ?? [];
    const drop = new Set(remove.map(key));
    const next = current.filter((v) => !drop.has(key(v)));
    for (const uid of add) if (!next.some((v) => key(v) === key(uid))) next.push(uid);
    if (next.length === current.length && next.every((v, i) => v === current[i])) return false;
    setValues(this.norm, attrs, 'memberUid', next);
    return true;
  }

  /**
   * memberUid of a group that is both groupOfNames and posixGroup follows member INCREMENTALLY, never by
   * recomputing it from member: memberUid values that name no member entry (an RFC 2307 group's own list,
   * local accounts, people not imported yet) are never dropped.
   * - a member value added adds the uid of the entry it names (if that entry exists and has a uid);
   * - a member value removed removes that entry's uid (uids are unique in the directory, so no other
   *   member can still hold it);
   * - a group that becomes groupOfNames + posixGroup (a class added) counts all its members as added;
   * - a person deleted, or whose uid changes, leaves (or is renamed in) every group's memberUid: uidsChanged.
   * memberUid values given in the same write are kept as given.
   */
  private syncMemberUid(tx: WriteTx, attrs: KeyedAttributes, before: KeyedAttributes | undefined) {
    if (!this.follows(attrs)) return;
    const followed = before !== undefined && this.follows(before);
    const was = followed ? (before.get('member')?.values ?? []) : [];
    const now = attrs.get('member')?.values ?? [];
    const wasKeys = new Set(was.map((v) => this.dnKey(v)));
    const nowKeys = new Set(now.map((v) => this.dnKey(v)));
    const uids = (vs: string[]) => vs.map((v) => this.uidOfMember(tx, v)).filter((u): u is string => u !== undefined);
    const added = uids(now.filter((v) => !wasKeys.has(this.dnKey(v))));
    const removed = uids(was.filter((v) => !nowKeys.has(this.dnKey(v))));
    this.adjustMemberUid(attrs, added, removed);
  }

  /**
   * Before a group is stored (`before`: its attributes before this write; none for an add): each member
   * value that is new must name an existing entry (not during a migration, where groups may come before
   * their members), and memberUid follows member (syncMemberUid).
   */
  prepareGroup(tx: WriteTx, attrs: KeyedAttributes, before: KeyedAttributes | undefined, checkMembers: boolean) {
    if (checkMembers) {
      const had = new Set((before?.get('member')?.values ?? []).map((v) => this.dnKey(v)));
      for (const m of attrs.get('member')?.values ?? []) {
        const ndn = this.dnKey(m);
        if (had.has(ndn)) continue;
        if (!ndn || !tx.entryByNdn(ndn)) throw new LdapError(ResultCode.constraintViolation, `member: ${m} does not exist`);
      }
    }
    this.syncMemberUid(tx, attrs, before);
  }

  /** After an entry is added (as stored): its members learn memberOf; if it is a person, groups already naming it. */
  afterAdd(tx: WriteTx, entry: { dn: string; ndn: string }, attrs: KeyedAttributes) {
    for (const m of attrs.get('member')?.values ?? []) {
      const ndn = this.dnKey(m);
      if (ndn) this.updateMemberOf(tx, ndn, entry.dn, true);
    }
    const groups = tx.entriesWithValue('member', entry.ndn);
    if (groups.length === 0) return;
    for (const gid of groups) {
      const g = this.load(tx, gid);
      if (!g) continue;
      this.updateMemberOf(tx, entry.ndn, g.entry.dn, true);
      // A member named before its entry existed (migration): its uid joins memberUid now.
      const uid = attrs.get('uid')?.values[0];
      if (uid !== undefined && this.follows(g.attrs) && this.adjustMemberUid(g.attrs, [uid], [])) this.save(tx, gid, g.attrs);
    }
  }

  /** After a group's member values changed: memberOf follows on the members added and removed. */
  afterMembersChanged(tx: WriteTx, groupDn: string, before: string[], after: string[]) {
    const keys = (vs: string[]) => new Set(vs.map((v) => this.dnKey(v)).filter((v): v is string => !!v));
    const was = keys(before);
    const now = keys(after);
    for (const k of now) if (!was.has(k)) this.updateMemberOf(tx, k, groupDn, true);
    for (const k of was) if (!now.has(k)) this.updateMemberOf(tx, k, groupDn, false);
  }

  /**
   * After an entry is deleted: it leaves every group's member, and its members lose memberOf. (Its uids
   * leave memberUid through uidsChanged, which the writer calls for a deleted entry.)
   */
  afterDelete(tx: WriteTx, ndn: string, dn: string, attrs: KeyedAttributes) {
    for (const m of attrs.get('member')?.values ?? []) {
      const k = this.dnKey(m);
      if (k) this.updateMemberOf(tx, k, dn, false);
    }
    for (const gid of tx.entriesWithValue('member', ndn)) {
      const g = this.load(tx, gid);
      if (!g) continue;
      const members = g.attrs.get('member')!.values.filter((v) => this.dnKey(v) !== ndn);
      setValues(this.norm, g.attrs, 'member', members);
      this.save(tx, gid, g.attrs);
    }
  }

  /**
   * After entries were renamed or moved: groups that name them get the new DN in member; members of a
   * renamed group get the new DN in memberOf. (A changed uid reaches memberUid through uidsChanged.)
   */
  afterRename(tx: WriteTx, renames: { oldNdn: string; newDn: string }[]) {
    for (const r of renames) {
      for (const gid of tx.entriesWithValue('member', r.oldNdn)) this.replaceDnValue(tx, gid, 'member', r.oldNdn, r.newDn);
      for (const mid of tx.entriesWithValue('memberof', r.oldNdn)) this.replaceDnValue(tx, mid, 'memberOf', r.oldNdn, r.newDn);
    }
  }

  private replaceDnValue(tx: WriteTx, id: number, attribute: string, oldNdn: string, newDn: string) {
    const loaded = this.load(tx, id);
    if (!loaded) return;
    const key = this.norm.requireAttribute(attribute).key;
    const values = (loaded.attrs.get(key)?.values ?? []).map((v) => (this.dnKey(v) === oldNdn ? newDn : v));
    setValues(this.norm, loaded.attrs, attribute, values);
    this.save(tx, id, loaded.attrs);
  }

  /**
   * An entry's uids went from `before` to `after` (deleted: after is empty; renamed; uid modified). Every
   * group naming a uid that went in memberUid follows, whatever its classes: one uid replaced by one new
   * uid is renamed there; any other uid that went is removed.
   */
  uidsChanged(tx: WriteTx, before: string[], after: string[]) {
    const gone = before.filter((u) => !after.includes(u));
    const came = after.filter((u) => !before.includes(u));
    if (gone.length === 1 && came.length === 1) this.uidChanged(tx, gone[0], came[0]);
    else for (const u of gone) this.uidChanged(tx, u, undefined);
  }

  /** One uid renamed (newUid) or gone (undefined) in every group's memberUid. */
  private uidChanged(tx: WriteTx, oldUid: string, newUid: string | undefined) {
    const info = this.norm.requireAttribute('memberUid');
    const key = this.norm.equalityKey(info, oldUid) ?? oldUid;
    for (const gid of tx.entriesWithValue('memberuid', key)) {
      const g = this.load(tx, gid);
      if (g && this.adjustMemberUid(g.attrs, [], [oldUid])) {
        if (newUid !== undefined) this.adjustMemberUid(g.attrs, [newUid], []);
        this.save(tx, gid, g.attrs);
      }
    }
  }
}
