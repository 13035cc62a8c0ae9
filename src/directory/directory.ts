import type { Config } from '../config';
import type { LogFields, Logger } from '../log';
import type { PasswordHasher } from '../security/passwords';
import type { Store } from '../store/types';
import type { AttributeValues, Change } from '../ldap/types';
import { AccessControl } from './acl';
import { PasswordPolicyLayer } from './accounts/password-policy';
import { Accounts } from './accounts/accounts';
import { systemClock, type Clock } from './accounts/clock';
import type { SecretBox } from '../security/secret-box';
import { loadBlocklist } from '../security/policy/blocklist';
import { AuditTrail, type BulkAuditRecord } from './audit';
import type { DirectoryContext } from './context';
import { EntryView } from './entry-view';
import { LdapError } from './errors';
import type { Identity } from './identity';
import type { StoredEntry } from '../store/types';
import { SchemaIndexer } from './entry-indexer';
import { Normalization } from './normalize';
import { ResultCode } from '../ldap/result-codes';
import type { Schema } from './schema/registry';
import { evaluateFilter } from './search/evaluate';
import { runSearch, type SearchOutcome, type SearchParams, type SearchSink } from './search/run-search';
import type { ServerFeatures } from './special-entries';
import { Writer, type WriteOptions } from './write/writer';
import { toStoredHash } from './write/passwords';
import { formatGeneralizedTime } from './matching';
import { matchedDNOf } from './matched-dn';

export interface DirectoryOptions {
  store: Store;
  schema: Schema;
  config: Config;
  hasher: PasswordHasher;
  log: Logger;
  features: ServerFeatures;
  /** Where every write is recorded; the main log when absent. */
  audit?: Logger;
  /** Seals TOTP secrets at rest. */
  secrets: SecretBox;
  /** The time every account rule reads; the system clock unless a test passes its own. */
  clock?: Clock;
}

/** The directory API: the LDAP server and the CLI are two front doors onto these same methods. */
export class Directory {
  private readonly writer: Writer;
  /** Passwords, password policy, MFA, lockout and expiry: the one door onto accounts. */
  readonly accounts: Accounts;

  private constructor(
    private readonly ctx: DirectoryContext,
    private readonly audit: AuditTrail,
    secrets: SecretBox,
  ) {
    const policy = new PasswordPolicyLayer(ctx, loadBlocklist());
    this.writer = new Writer(ctx, policy);
    this.accounts = new Accounts(ctx, this.writer, audit, secrets, policy);
  }

  /**
   * Gives the store the schema's indexer; when the index was built under another schema (or by an older
   * Cairn), the store rebuilds it first, which is logged.
   */
  static async prepareIndex(store: Store, norm: Normalization, log: Logger): Promise<void> {
    const reindexed = await store.useIndexer(new SchemaIndexer(norm));
    if (reindexed > 0) log.info('the index was rebuilt for the schema in use', { entries: reindexed });
  }

  static async open(o: DirectoryOptions): Promise<Directory> {
    const now = o.clock ?? systemClock;
    const base = await o.store.meta('base');
    if (!base) throw new Error('the data folder holds no initialised directory (run "cairn init")');
    const norm = new Normalization(o.schema);
    await Directory.prepareIndex(o.store, norm, o.log);
    const ctx: DirectoryContext = {
      store: o.store,
      norm,
      acl: new AccessControl(norm, o.config.access),
      config: o.config,
      hasher: o.hasher,
      log: o.log,
      namingContext: base,
      namingContextNdn: norm.normalizeDN(base).ndn,
      features: o.features,
      startedAt: formatGeneralizedTime(now()),
      now,
      matchedDN: (ndn: string) => matchedDNOf(o.store, norm.normalizeDN(ndn)),
    };
    return new Directory(ctx, new AuditTrail(o.audit ?? o.log), o.secrets);
  }

  get namingContext() {
    return this.ctx.namingContext;
  }

  /** The server's log (the reminder job and the CLI's bulk tools write to it). */
  get log(): Logger {
    return this.ctx.log;
  }

  get namingContextNdn() {
    return this.ctx.namingContextNdn;
  }

  /** The schema's normalization: DNs, attribute and class names, matching rules (read-only). */
  get norm(): Normalization {
    return this.ctx.norm;
  }

  /** An entry as stored, by normalized DN, for the CLI's bulk tools (import); no access check. */
  async storedEntry(ndn: string): Promise<StoredEntry | undefined> {
    return (await this.ctx.store.entryByNdn(ndn)) ?? undefined;
  }

  /** New access rules, checked against the schema; nothing changes until useAccess (a reload takes all or nothing). */
  prepareAccess(access: Config['access']): AccessControl {
    return new AccessControl(this.ctx.norm, access);
  }

  useAccess(acl: AccessControl): void {
    this.ctx.acl = acl;
  }

  set bcryptCost(cost: number) {
    this.ctx.hasher.cost = cost;
  }

  search(who: Identity, params: SearchParams, sink: SearchSink): Promise<SearchOutcome> {
    return runSearch(this.ctx, who, params, sink);
  }

  /** Compare (RFC 4511 4.10): compareTrue (6) or compareFalse (5), by the attribute's equality rule. */
  async compare(who: Identity, dnText: string, attribute: string, value: string): Promise<boolean> {
    this.ctx.acl.checkSearch(who, 'tree');
    const dn = this.ctx.norm.normalizeDN(dnText);
    const info = this.ctx.norm.requireAttribute(attribute);
    const entry = await this.ctx.store.entryByNdn(dn.ndn);
    if (!entry) throw new LdapError(ResultCode.noSuchObject, `no such entry: ${dnText}`, await this.ctx.matchedDN(dn.ndn));
    // Access before presence: as in slapd, an unreadable attribute answers 50 whether the entry holds it or not.
    this.ctx.acl.checkCompare(who, entry.ndn, info.key, info.type.name);
    const view = new EntryView(entry.dn, entry.attributes, this.ctx.norm);
    // Subtypes this reader may not read count as absent, as in a search's results.
    const hidden = new Set(
      this.ctx.norm.schema
        .subtypes(info.key)
        .filter((t) => !this.ctx.acl.canRead(who, entry.ndn, t.key))
        .map((t) => t.key),
    );
    const present = this.ctx.norm.schema.subtypes(info.key).some((t) => !hidden.has(t.key) && view.values(t.key).length > 0);
    if (!present) throw new LdapError(ResultCode.noSuchAttribute, `${info.type.name}: no such attribute`);
    const result = evaluateFilter({ type: 'equality', attribute, value }, view, this.ctx.norm, hidden);
    if (result === undefined) throw new LdapError(ResultCode.inappropriateMatching, `${info.type.name}: no equality matching rule`);
    return result;
  }

  /** The hash Cairn would store for a userPassword value; lets bulk loads hash many in parallel first. */
  storedPasswordHash(value: string): Promise<string> {
    return toStoredHash([value], this.ctx.hasher);
  }

  /** A connection's identity as of now (see Accounts.current). */
  private current(who: Identity): Promise<Identity> {
    return this.accounts.current(who);
  }

  /** A bulk load (an import) as one audited operation: see AuditTrail.bulk. */
  bulk<T>(who: Identity, record: BulkAuditRecord, run: () => Promise<T>, outcome: (result: T) => LogFields): Promise<T> {
    return this.audit.bulk(who, record, run, outcome);
  }

  add(who: Identity, dn: string, attributes: AttributeValues[], options?: WriteOptions) {
    return this.audit.audited(who, { op: 'add', dn, attributes: attributes.map((a) => a.type) }, async () =>
      this.writer.add(await this.current(who), dn, attributes, options),
    );
  }

  modify(who: Identity, dn: string, changes: Change[], options?: WriteOptions) {
    const attributes = changes.map((c) => `${c.operation}:${c.modification.type}`);
    return this.audit.audited(who, { op: 'modify', dn, attributes }, async () => this.writer.modify(await this.current(who), dn, changes, options));
  }

  modifyDN(who: Identity, dn: string, newRdn: string, deleteOldRdn: boolean, newSuperior?: string) {
    return this.audit.audited(who, { op: 'modifyDN', dn, newDN: newSuperior ? `${newRdn},${newSuperior}` : newRdn }, async () =>
      this.writer.modifyDN(await this.current(who), dn, newRdn, deleteOldRdn, newSuperior),
    );
  }

  delete(who: Identity, dn: string) {
    return this.audit.audited(who, { op: 'delete', dn }, async () => this.writer.delete(await this.current(who), dn));
  }
}
