import type { AttributeValues, Change } from '../../ldap/types';
import type { StoredEntry, WriteTx } from '../../store/types';
import { isOwnEntry } from '../acl';
import type { DirectoryContext } from '../context';
import { formatRdn } from '../dn';
import { matchedDNIn } from '../matched-dn';
import { LdapError, PolicyRefusal } from '../errors';
import { PolicyError } from '../../security/policy/types';
import { identityDN, type Identity } from '../identity';
import type { Normalization, NormalizedDN } from '../normalize';
import { ResultCode } from '../../ldap/result-codes';
import { assertDistinct, assertOptionsAllowed, fromAttributeMap, keyAttributes, toAttributeMap, type KeyedAttributes } from './entry-attributes';
import { GroupMembership } from './group-membership';
import { stampCreated, stampModified, stampPasswordChanged, stampStructural } from './operational';
import { toStoredHash } from './passwords';
import { planPasswordChanges } from './password-changes';
import { checkEntrySchema } from './schema-check';
import { checkUniqueness } from './uniqueness';
import type { PasswordPolicyLayer, PasswordSetter } from '../accounts/password-policy';
import type { PasswordPolicy } from '../../security/policy/types';
import { isSupportedHash } from '../../security/passwords';
import { parseGeneralizedTime } from '../matching';

export interface WriteOptions {
  /** Import from another directory: operational attributes (entryUUID, timestamps) are taken as given. */
  migration?: boolean;
  /** A password set by this write must be changed by its owner at the next login (pwdReset). */
  reset?: boolean;
  /** The caller verified the old password already (Password Modify with oldPasswd). */
  oldVerified?: boolean;
  /**
   * With migration: the modify replaces the entry as a whole by an imported one (an import taking over an
   * entry that `cairn init` made), so its structural object class may change.
   */
  replacesEntry?: boolean;
  /** A device credential's NT hash (accounts engine only), stored with the entry in the same transaction. */
  deviceNtHash?: string;
}

/** Add, modify, delete and rename, each in one transaction with schema checks and group consistency. */
export class Writer {
  private readonly groups: GroupMembership;

  constructor(
    private readonly ctx: DirectoryContext,
    private readonly policy: PasswordPolicyLayer,
  ) {
    this.groups = new GroupMembership(ctx.norm);
  }

  private get norm() {
    return this.ctx.norm;
  }

  /** The entry a new entry goes below; undefined for the naming context itself. */
  private parentOf(tx: WriteTx, dn: NormalizedDN): StoredEntry | undefined {
    if (dn.nrdns.length === 0) throw new LdapError(ResultCode.unwillingToPerform, 'the root DSE cannot be changed');
    if (dn.ndn === this.ctx.namingContextNdn) return undefined;
    if (!dn.ndn.endsWith(',' + this.ctx.namingContextNdn)) {
      throw new LdapError(ResultCode.noSuchObject, `${dn.dn} is not within the naming context ${this.ctx.namingContext}`);
    }
    const parentNdn = dn.nrdns.slice(1).join(',');
    const parent = tx.entryByNdn(parentNdn);
    if (!parent) {
      throw new LdapError(ResultCode.noSuchObject, `parent entry of ${dn.dn} does not exist`, matchedDNIn(tx, dn));
    }
    return parent;
  }

  private rejectUserModification(attrs: KeyedAttributes, options: WriteOptions) {
    if (options.migration) return;
    for (const slot of attrs.values()) {
      if (slot.info.type.noUserModification) {
        throw new LdapError(ResultCode.constraintViolation, `${slot.info.type.name}: no user modification allowed`);
      }
    }
  }

  async add(who: Identity, dnText: string, attributes: AttributeValues[], options: WriteOptions = {}): Promise<string> {
    const dn = this.norm.normalizeDN(dnText);
    this.ctx.acl.checkWrite(who, 'add', dn.dn);
    const attrs = keyAttributes(this.norm, attributes);
    this.rejectUserModification(attrs, options);
    const password = attrs.get('userpassword');
    attrs.delete('userpassword');
    // OpenLDAP's pwdHistory (migration only; never an attribute here): "time#syntax#length#hash" values.
    const history = (attrs.get('pwdhistory')?.values ?? []).map(parsePwdHistory).filter((h): h is { at: number; hash: string } => h !== undefined);
    attrs.delete('pwdhistory');
    const draft = { id: 0, parentId: null, dn: dn.dn, ndn: dn.ndn, path: dn.path, attributes: toAttributeMap(attrs) };
    const policy = password ? await this.policy.policyFor(draft) : undefined;
    if (password && !options.migration && password.values.length === 1 && !isSupportedHash(password.values[0])) {
      await this.policy.checkNewPassword(draft, password.values[0], { self: false, oldVerified: false, reset: false }, this.ctx.hasher);
    }
    const hash = password ? await toStoredHash(password.values, this.ctx.hasher) : undefined;
    const now = this.ctx.now();
    return this.ctx.store.write((tx) => {
      if (tx.entryByNdn(dn.ndn)) throw new LdapError(ResultCode.entryAlreadyExists, `entry already exists: ${dn.dn}`);
      const parent = this.parentOf(tx, dn);
      const structural = checkSchema(this.norm, dn, attrs, hash !== undefined);
      checkUniqueness(tx, this.norm, attrs, undefined);
      stampCreated(this.norm, attrs, identityDN(who), now, structural);
      if (hash && policy) {
        // A migrated entry keeps the pwdChangedTime it brings, and gets none when it brings none: the
        // credential's own change time (this add) is what expiry then counts from.
        if (!options.migration) stampPasswordChanged(this.norm, attrs, now);
        const changed = parseGeneralizedTime(attrs.get('pwdchangedtime')?.values[0] ?? '') ?? now;
        this.policy.stampShadow(attrs, policy, changed, true);
      }
      this.groups.prepareGroup(tx, attrs, undefined, !options.migration);
      // Children end with their parent's stored DN, so a rename can rewrite a subtree's suffix in place.
      const storedDn = parent ? `${formatRdn(dn.rdns[0])},${parent.dn}` : dn.dn;
      const id = tx.insertEntry({
        parentId: parent?.id ?? null,
        dn: storedDn,
        ndn: dn.ndn,
        path: dn.path,
        attributes: toAttributeMap(attrs),
      });
      if (hash) tx.setCredential(id, hash, now);
      if (options.deviceNtHash) tx.setDeviceSecret(id, options.deviceNtHash);
      for (const h of history) tx.addPasswordHistory(id, h.hash, h.at, history.length);
      this.groups.afterAdd(tx, { dn: storedDn, ndn: dn.ndn }, attrs);
      return storedDn;
    });
  }

  async delete(who: Identity, dnText: string): Promise<void> {
    const dn = this.norm.normalizeDN(dnText);
    this.ctx.acl.checkWrite(who, 'delete', dn.dn);
    await this.ctx.store.write((tx) => {
      const entry = tx.entryByNdn(dn.ndn);
      if (!entry) throw new LdapError(ResultCode.noSuchObject, `no such entry: ${dn.dn}`, matchedDNIn(tx, dn));
      if (tx.hasChildren(entry.id)) throw new LdapError(ResultCode.notAllowedOnNonLeaf, `${entry.dn} has subordinate entries`);
      const attrs = fromAttributeMap(this.norm, entry.attributes);
      tx.deleteEntry(entry.id);
      this.groups.afterDelete(tx, entry.ndn, entry.dn, attrs);
      this.groups.uidsChanged(tx, attrs.get('uid')?.values ?? [], []);
    });
  }

  async modify(who: Identity, dnText: string, changes: Change[], options: WriteOptions = {}): Promise<void> {
    const dn = this.norm.normalizeDN(dnText);
    this.ctx.acl.checkModify(who, dn.ndn, dn.dn, changes);
    for (const c of changes) {
      const info = this.norm.requireAttribute(c.modification.type);
      if (!options.migration && info.type.noUserModification) {
        throw new LdapError(ResultCode.constraintViolation, `${info.type.name}: no user modification allowed`);
      }
    }
    const target = await this.ctx.store.entryByNdn(dn.ndn);
    const current = target && (await this.ctx.store.credential(target.id));
    const checkValues = (values: string[]) => this.ctx.acl.checkPasswordValues(who, options.migration === true, values);
    const self = isOwnEntry(who, dn.ndn);
    let policy: PasswordPolicy | undefined;
    let setter: PasswordSetter = { self, oldVerified: false, reset: options.reset ?? who.kind === 'user' };
    const { others: rest, outcome } = await planPasswordChanges(
      changes,
      this.norm,
      this.ctx.hasher,
      current?.hash,
      checkValues,
      async (password, oldVerified) => {
        if (!target || options.migration) return;
        setter = { ...setter, oldVerified: oldVerified || options.oldVerified === true, reset: self ? false : setter.reset };
        policy = await this.policy.checkNewPassword(target, password, setter, this.ctx.hasher, current?.hash);
      },
    );
    if (outcome.kind === 'set' && !policy && target) {
      policy = await this.policy.policyFor(target);
      // A hash cannot be checked: pwdCheckQuality 2 refuses it (draft-behera 5.2.3); migration is exempt.
      if (policy.checkQuality === 2 && !options.migration) {
        throw new PolicyRefusal(
          ResultCode.constraintViolation,
          'the new password is already hashed, so the policy cannot check its quality',
          PolicyError.insufficientPasswordQuality,
        );
      }
    }
    const now = this.ctx.now();
    await this.ctx.store.write((tx) => {
      const entry = tx.entryByNdn(dn.ndn);
      if (!entry) throw new LdapError(ResultCode.noSuchObject, `no such entry: ${dn.dn}`, matchedDNIn(tx, dn));
      const attrs = fromAttributeMap(this.norm, entry.attributes);
      const original = fromAttributeMap(this.norm, entry.attributes);
      for (const c of rest) applyChange(this, attrs, c);
      const entryDn = this.norm.normalizeDN(entry.dn);
      this.assertRdnKept(entryDn, attrs);
      const hasPassword = outcome.kind === 'set' || (outcome.kind === 'unchanged' && tx.credential(entry.id) !== undefined);
      const structural = checkSchema(this.norm, entryDn, attrs, hasPassword);
      const before = original.get('structuralobjectclass')?.values[0];
      if (before && before.toLowerCase() !== structural.toLowerCase()) {
        const allowed = upgradesRfc2307Group(before, structural, attrs) || (options.migration === true && options.replacesEntry === true);
        if (!allowed)
          throw new LdapError(ResultCode.objectClassModsProhibited, `structural object class modification from '${before}' to '${structural}' not allowed`);
        stampStructural(this.norm, attrs, structural);
      }
      checkUniqueness(tx, this.norm, attrs, entry.id);
      const restoresTimestamps = options.migration && rest.some((c) => this.norm.attribute(c.modification.type)?.key === 'modifytimestamp');
      if (!restoresTimestamps) stampModified(this.norm, attrs, identityDN(who), now);
      if (outcome.kind === 'set' && policy) this.policy.applyNewPassword(tx, entry.id, attrs, policy, setter, current?.hash, now);
      this.groups.prepareGroup(tx, attrs, original, !options.migration);
      tx.updateEntry(entry.id, toAttributeMap(attrs));
      if (outcome.kind === 'set') tx.setCredential(entry.id, outcome.hash, now);
      else if (outcome.kind === 'remove') tx.deleteCredential(entry.id);
      // A new or removed password signs the person out of the portal everywhere.
      if (outcome.kind === 'set' || outcome.kind === 'remove') tx.endWebSessions(entry.id);
      this.groups.afterMembersChanged(tx, entry.dn, original.get('member')?.values ?? [], attrs.get('member')?.values ?? []);
      this.groups.uidsChanged(tx, original.get('uid')?.values ?? [], attrs.get('uid')?.values ?? []);
    });
  }

  /** A modify may not remove the values the entry is named by (RFC 4511 4.6): notAllowedOnRDN (67). */
  private assertRdnKept(dn: NormalizedDN, attrs: KeyedAttributes) {
    for (const ava of dn.rdns[0] ?? []) {
      const info = this.norm.requireAttribute(ava.type);
      const want = this.norm.equalityKey(info, ava.value);
      if (!(attrs.get(info.key)?.values ?? []).some((v) => this.norm.equalityKey(info, v) === want)) {
        throw new LdapError(
          ResultCode.notAllowedOnRDN,
          `${info.type.name}: cannot remove the value the entry is named by (${ava.type}=${ava.value}); rename the entry first`,
        );
      }
    }
  }

  /** Modify DN (RFC 4511 4.9): a new RDN, optionally a new parent; a whole subtree moves with its root. */
  async modifyDN(who: Identity, dnText: string, newRdnText: string, deleteOldRdn: boolean, newSuperior?: string): Promise<string> {
    const dn = this.norm.normalizeDN(dnText);
    this.ctx.acl.checkWrite(who, 'rename', dn.dn);
    const newRdn = this.norm.normalizeDN(newRdnText);
    if (newRdn.rdns.length !== 1) throw new LdapError(ResultCode.invalidDNSyntax, `invalid new RDN "${newRdnText}": give exactly one RDN`);
    const superior = newSuperior === undefined ? undefined : this.norm.normalizeDN(newSuperior);
    const now = this.ctx.now();
    return this.ctx.store.write((tx) => {
      const entry = tx.entryByNdn(dn.ndn);
      if (!entry) throw new LdapError(ResultCode.noSuchObject, `no such entry: ${dn.dn}`, matchedDNIn(tx, dn));
      if (entry.ndn === this.ctx.namingContextNdn) throw new LdapError(ResultCode.unwillingToPerform, 'the naming context itself cannot be renamed');
      const parent = superior ? tx.entryByNdn(superior.ndn) : entry.parentId === null ? undefined : tx.entryById(entry.parentId);
      if (!parent) {
        throw new LdapError(ResultCode.noSuchObject, `new superior ${superior?.dn ?? ''} does not exist`, superior && matchedDNIn(tx, superior));
      }
      if (parent.id === entry.id || parent.path.startsWith(entry.path + ',')) {
        throw new LdapError(ResultCode.unwillingToPerform, 'an entry cannot be moved below itself');
      }
      const newDn = `${formatRdn(newRdn.rdns[0])},${parent.dn}`;
      const target = this.norm.normalizeDN(newDn);
      const existing = tx.entryByNdn(target.ndn);
      if (existing && existing.id !== entry.id) throw new LdapError(ResultCode.entryAlreadyExists, `entry already exists: ${target.dn}`);

      const attrs = fromAttributeMap(this.norm, entry.attributes);
      const oldUids = [...(attrs.get('uid')?.values ?? [])];
      if (deleteOldRdn) {
        for (const ava of dn.rdns[0]) {
          const info = this.norm.requireAttribute(ava.type);
          const old = this.norm.equalityKey(info, ava.value);
          const slot = attrs.get(info.key);
          if (slot) slot.values = slot.values.filter((v) => this.norm.equalityKey(info, v) !== old);
          if (slot && slot.values.length === 0) attrs.delete(info.key);
        }
      }
      for (const ava of newRdn.rdns[0]) {
        const info = this.norm.requireAttribute(ava.type);
        const slot = attrs.get(info.key) ?? { info, name: info.type.name, values: [] as string[] };
        const want = this.norm.equalityKey(info, ava.value);
        if (!slot.values.some((v) => this.norm.equalityKey(info, v) === want)) slot.values.push(ava.value);
        attrs.set(info.key, slot);
      }
      checkSchema(this.norm, target, attrs, tx.credential(entry.id) !== undefined);
      checkUniqueness(tx, this.norm, attrs, entry.id);
      stampModified(this.norm, attrs, identityDN(who), now);
      const moved = [
        { oldNdn: entry.ndn, newDn },
        ...tx.descendants(entry.id).map((d) => ({ oldNdn: d.ndn, suffix: d.dn.slice(0, d.dn.length - entry.dn.length) })),
      ].map((r) => ('suffix' in r ? { oldNdn: r.oldNdn, newDn: `${r.suffix}${newDn}` } : r));
      tx.updateEntry(entry.id, toAttributeMap(attrs));
      tx.moveEntry(entry.id, parent.id, newDn, target.ndn, target.path);
      this.groups.afterRename(tx, moved);
      this.groups.uidsChanged(tx, oldUids, attrs.get('uid')?.values ?? []);
      return newDn;
    });
  }

  /** @internal used by applyChange */
  normalization() {
    return this.norm;
  }
}

/**
 * An RFC 2307 group (posixGroup as its structural class, as Debian's slapd stores it) that gains
 * groupOfNames becomes an rfc2307bis group, where posixGroup is auxiliary: the one change of structural
 * class allowed, since in Cairn's schema posixGroup never was structural. Its memberUid values stay.
 */
function upgradesRfc2307Group(before: string, after: string, attrs: KeyedAttributes): boolean {
  const classes = (attrs.get('objectclass')?.values ?? []).map((v) => v.toLowerCase());
  return before.toLowerCase() === 'posixgroup' && ['groupofnames', 'groupofuniquenames'].includes(after.toLowerCase()) && classes.includes('posixgroup');
}

/**
 * The schema check of an entry whose userPassword, if it has one, is a credential and not an attribute row:
 * for the schema it is part of the entry, so simpleSecurityObject (OpenLDAP's service accounts and
 * cn=admin), which MUST have it, is valid with a password, and a class that does not allow one is refused.
 */
function checkSchema(norm: Normalization, dn: NormalizedDN, attrs: KeyedAttributes, hasPassword: boolean): string {
  if (!hasPassword) return checkEntrySchema(norm, dn, attrs);
  const info = norm.requireAttribute('userPassword');
  // The value stands for the stored hash: userPassword's syntax (octets) takes any value.
  return checkEntrySchema(norm, dn, new Map(attrs).set(info.key, { info, name: info.type.name, values: ['{CREDENTIAL}'] }));
}

/** One modification (RFC 4511 4.6, RFC 4525 increment) applied to the entry's attributes in memory. */
function applyChange(w: Writer, attrs: KeyedAttributes, c: Change) {
  const norm = w.normalization();
  const info = norm.requireAttribute(c.modification.type);
  assertOptionsAllowed(info, c.modification.type);
  const slot = attrs.get(info.slotKey);
  const current = slot?.values ?? [];
  const name = slot?.name ?? info.displayName;
  const key = (v: string) => norm.equalityKey(info, v) ?? v;
  const values = c.modification.values;
  switch (c.operation) {
    case 'add': {
      if (values.length === 0) throw new LdapError(ResultCode.protocolError, `${info.type.name}: add needs at least one value`);
      assertDistinct(norm, info, values);
      const have = new Set(current.map(key));
      values.forEach((v, i) => {
        if (have.has(key(v))) throw new LdapError(ResultCode.attributeOrValueExists, `modify/add: ${info.type.name}: value #${i} already exists`);
      });
      attrs.set(info.slotKey, { info, name, values: [...current, ...values] });
      break;
    }
    case 'delete': {
      if (!slot) throw new LdapError(ResultCode.noSuchAttribute, `modify/delete: ${info.type.name}: no such attribute`);
      if (values.length === 0) {
        attrs.delete(info.slotKey);
        break;
      }
      const drop = new Set<string>();
      values.forEach((v, i) => {
        if (!current.some((c2) => key(c2) === key(v)))
          throw new LdapError(ResultCode.noSuchAttribute, `modify/delete: ${info.type.name}: value #${i} not found`);
        drop.add(key(v));
      });
      const left = current.filter((v) => !drop.has(key(v)));
      if (left.length) attrs.set(info.slotKey, { info, name, values: left });
      else attrs.delete(info.slotKey);
      break;
    }
    case 'replace': {
      assertDistinct(norm, info, values);
      if (values.length) attrs.set(info.slotKey, { info, name, values: [...values] });
      else attrs.delete(info.slotKey);
      break;
    }
    case 'increment': {
      if (!slot) throw new LdapError(ResultCode.noSuchAttribute, `modify/increment: ${info.type.name}: no such attribute`);
      if (values.length !== 1 || !/^-?\d+$/.test(values[0]))
        throw new LdapError(ResultCode.invalidAttributeSyntax, `modify/increment: ${info.type.name}: needs one integer value`);
      if (info.type.equality?.toLowerCase() !== 'integermatch')
        throw new LdapError(ResultCode.constraintViolation, `modify/increment: ${info.type.name}: not an integer attribute`);
      const by = BigInt(values[0]);
      attrs.set(info.slotKey, { info, name, values: current.map((v) => String(BigInt(v) + by)) });
      break;
    }
  }
}

/** One pwdHistory value as OpenLDAP's ppolicy writes it: `20240101120000Z#1.3.6.1.4.1.1466.115.121.1.40#43#{SSHA}...`. */
function parsePwdHistory(value: string): { at: number; hash: string } | undefined {
  const [time, , , ...rest] = value.split('#');
  const at = parseGeneralizedTime(time ?? '');
  const hash = rest.join('#');
  return at !== undefined && isSupportedHash(hash) ? { at, hash } : undefined;
}
