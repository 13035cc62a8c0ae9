import type { WriteTx } from '../../store/types';
import type { Normalization } from '../normalize';
import { LdapError } from '../errors';
import { ResultCode } from '../result-codes';
import { fromAttributeMap, indexRows, toAttributeMap, type KeyedAttributes } from './entry-attributes';

/**
 * Keeps group membership consistent, as OpenLDAP's memberof and refint overlays do: `memberOf` on every
 * member follows the groups' `member` values, and a posixGroup's `memberUid` follows `member`.
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
    tx.updateEntry(id, toAttributeMap(attrs), indexRows(this.norm, attrs));
  }

  private setValues(attrs: KeyedAttributes, name: string, values: string[]) {
    const info = this.norm.requireAttribute(name);
    if (values.length) attrs.set(info.key, { info, name: attrs.get(info.key)?.name ?? info.type.name, values });
    else attrs.delete(info.key);
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
    this.setValues(attrs, 'memberOf', next);
    this.save(tx, member.id, attrs);
  }

  private hasClass(attrs: KeyedAttributes, key: string) {
    return (attrs.get('objectclass')?.values ?? []).some((v) => this.norm.schema.objectClass(v)?.key === key);
  }

  /**
   * memberUid of an rfc2307bis group (groupOfNames + posixGroup) = the uids of its member entries, so a
   * group that loses its last member loses its memberUid too. A plain RFC 2307 posixGroup, which has no
   * member attribute, keeps the memberUid values it is given.
   */
  private syncMemberUid(tx: WriteTx, attrs: KeyedAttributes) {
    if (!this.hasClass(attrs, 'posixgroup') || !this.hasClass(attrs, 'groupofnames')) return;
    const uids: string[] = [];
    for (const m of attrs.get('member')?.values ?? []) {
      const ndn = this.dnKey(m);
      const e = ndn ? tx.entryByNdn(ndn) : undefined;
      const uid = e && fromAttributeMap(this.norm, e.attributes).get('uid')?.values[0];
      if (uid && !uids.some((u) => u.toLowerCase() === uid.toLowerCase())) uids.push(uid);
    }
    this.setValues(attrs, 'memberUid', uids);
  }

  /**
   * Before a group is stored: each member value that is new must name an existing entry (not during a
   * migration, where groups may come before their members), and memberUid follows member.
   */
  prepareGroup(tx: WriteTx, attrs: KeyedAttributes, before: string[], checkMembers: boolean) {
    if (checkMembers) {
      const had = new Set(before.map((v) => this.dnKey(v)));
      for (const m of attrs.get('member')?.values ?? []) {
        const ndn = this.dnKey(m);
        if (had.has(ndn)) continue;
        if (!ndn || !tx.entryByNdn(ndn)) throw new LdapError(ResultCode.constraintViolation, `member: ${m} does not exist`);
      }
    }
    this.syncMemberUid(tx, attrs);
  }

  /** After an entry is added: its members learn memberOf; if it is a person, groups already naming it. */
  afterAdd(tx: WriteTx, id: number) {
    const loaded = this.load(tx, id);
    if (!loaded) return;
    const { entry, attrs } = loaded;
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
      const before = JSON.stringify(g.attrs.get('memberuid')?.values ?? []);
      this.syncMemberUid(tx, g.attrs);
      if (JSON.stringify(g.attrs.get('memberuid')?.values ?? []) !== before) this.save(tx, gid, g.attrs);
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

  /** After an entry is deleted: it leaves every group (member and memberUid), and its members lose memberOf. */
  afterDelete(tx: WriteTx, ndn: string, dn: string, attrs: KeyedAttributes) {
    for (const m of attrs.get('member')?.values ?? []) {
      const k = this.dnKey(m);
      if (k) this.updateMemberOf(tx, k, dn, false);
    }
    for (const gid of tx.entriesWithValue('member', ndn)) {
      const g = this.load(tx, gid);
      if (!g) continue;
      const members = g.attrs.get('member')!.values.filter((v) => this.dnKey(v) !== ndn);
      this.setValues(g.attrs, 'member', members);
      this.syncMemberUid(tx, g.attrs);
      this.save(tx, gid, g.attrs);
    }
  }

  /**
   * After entries were renamed or moved: groups that name them get the new DN in member (and memberUid
   * follows, for a changed uid); members of a renamed group get the new DN in memberOf.
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
    this.setValues(loaded.attrs, attribute, values);
    if (key === 'member') this.syncMemberUid(tx, loaded.attrs);
    this.save(tx, id, loaded.attrs);
  }

  /**
   * RFC 2307 groups name people by uid alone (memberUid, no member): when a person with that uid is deleted
   * or renamed, those groups follow too. Groups with member are kept in step by syncMemberUid instead.
   */
  uidChanged(tx: WriteTx, oldUid: string, newUid: string | undefined) {
    const info = this.norm.requireAttribute('memberUid');
    const key = this.norm.equalityKey(info, oldUid) ?? oldUid;
    for (const gid of tx.entriesWithValue('memberuid', key)) {
      const g = this.load(tx, gid);
      if (!g || this.hasClass(g.attrs, 'groupofnames')) continue;
      const values = (g.attrs.get('memberuid')?.values ?? []).filter((v) => (this.norm.equalityKey(info, v) ?? v) !== key);
      if (newUid !== undefined) values.push(newUid);
      this.setValues(g.attrs, 'memberUid', values);
      this.save(tx, gid, g.attrs);
    }
  }
}
