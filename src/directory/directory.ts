import type { Config } from '../config';
import type { Logger } from '../log';
import type { PasswordHasher } from '../security/passwords';
import type { Store } from '../store/types';
import type { AttributeValues, Change } from '../ldap/types';
import { AccessControl } from './acl';
import { PasswordPolicyLayer } from './password-policy';
import { MfaLayer, type BindOrigin } from './mfa';
import type { SecretBox } from '../security/secret-box';
import { changePassword, type PasswordChangeRequest } from './change-password';
import { loadBlocklist } from '../security/policy/blocklist';
import { audited } from './audit';
import { identityOf, simpleBind, type BindOutcome } from './bind';
import type { DirectoryContext } from './context';
import { EntryView } from './entry-view';
import { LdapError } from './errors';
import { ANONYMOUS, type Identity } from './identity';
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
}

/** The directory API: the LDAP server and the CLI are two front doors onto these same methods. */
export class Directory {
  readonly ctx: DirectoryContext;
  private readonly writer: Writer;
  readonly policy: PasswordPolicyLayer;
  readonly mfa: MfaLayer;

  private constructor(
    ctx: DirectoryContext,
    private readonly audit: Logger,
    secrets: SecretBox,
  ) {
    this.ctx = ctx;
    this.policy = new PasswordPolicyLayer(ctx, loadBlocklist());
    this.mfa = new MfaLayer(ctx, secrets, ctx.config.mfa, this.policy);
    this.writer = new Writer(ctx, this.policy);
  }

  static async open(o: DirectoryOptions): Promise<Directory> {
    const base = await o.store.meta('base');
    if (!base) throw new Error('the data folder holds no initialised directory (run "cairn init")');
    const norm = new Normalization(o.schema);
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
      startedAt: formatGeneralizedTime(Date.now()),
      matchedDN: (ndn: string) => matchedDNOf(o.store, norm.normalizeDN(ndn)),
    };
    return new Directory(ctx, o.audit ?? o.log, o.secrets);
  }

  get namingContext() {
    return this.ctx.namingContext;
  }

  /** A simple bind; `origin` (the connection's client) decides the MFA code's per-client grace. */
  bind(name: string, password: string, origin?: BindOrigin): Promise<BindOutcome> {
    return simpleBind(this.ctx, this.policy, this.mfa, name, password, origin);
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
    const hidden = new Set(this.ctx.norm.schema.subtypes(info.key).filter((t) => !this.ctx.acl.canRead(who, entry.ndn, t.key)).map((t) => t.key));
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

  /** Password Modify (RFC 3062) and `cairn user passwd`: audited like every other write. */
  changePassword(who: Identity, req: PasswordChangeRequest, expiredDn?: string, options: { reset?: boolean; origin?: BindOrigin } = {}) {
    return audited(this.audit, who, { op: 'modify', dn: req.userIdentity ?? (who.kind === 'user' ? who.dn : ''), attributes: ['passwordModify:userPassword'] }, async () =>
      changePassword({ ctx: this.ctx, writer: this.writer, policy: this.policy, mfa: this.mfa }, await this.current(who), req, expiredDn, options),
    );
  }

  /** Lifts a lockout: pwdAccountLockedTime and the failure count go (administrators and the CLI). */
  unlock(who: Identity, dn: string) {
    return audited(this.audit, who, { op: 'modify', dn, attributes: ['unlock:pwdAccountLockedTime'] }, async () => {
      const actor = await this.current(who);
      this.ctx.acl.checkWrite(actor, 'unlock', dn);
      await this.writer.modify(
        actor,
        dn,
        [
          { operation: 'replace', modification: { type: 'pwdAccountLockedTime', values: [] } },
          { operation: 'replace', modification: { type: 'pwdFailureTime', values: [] } },
        ],
        { migration: true },
      );
    });
  }

  /**
   * A connection's identity as of now: membership of cn=admins is decided at bind, but a write must see a
   * removal at once. An entry that no longer exists writes nothing.
   */
  private async current(who: Identity): Promise<Identity> {
    if (who.kind !== 'user') return who;
    const entry = await this.ctx.store.entryById(who.entryId);
    return entry && entry.ndn === who.ndn ? identityOf(this.ctx, entry) : ANONYMOUS;
  }

  add(who: Identity, dn: string, attributes: AttributeValues[], options?: WriteOptions) {
    return audited(this.audit, who, { op: 'add', dn, attributes: attributes.map((a) => a.type) }, async () =>
      this.writer.add(await this.current(who), dn, attributes, options),
    );
  }

  modify(who: Identity, dn: string, changes: Change[], options?: WriteOptions) {
    const attributes = changes.map((c) => `${c.operation}:${c.modification.type}`);
    return audited(this.audit, who, { op: 'modify', dn, attributes }, async () => this.writer.modify(await this.current(who), dn, changes, options));
  }

  modifyDN(who: Identity, dn: string, newRdn: string, deleteOldRdn: boolean, newSuperior?: string) {
    return audited(this.audit, who, { op: 'modifyDN', dn, newDN: newSuperior ? `${newRdn},${newSuperior}` : newRdn }, async () =>
      this.writer.modifyDN(await this.current(who), dn, newRdn, deleteOldRdn, newSuperior),
    );
  }

  delete(who: Identity, dn: string) {
    return audited(this.audit, who, { op: 'delete', dn }, async () => this.writer.delete(await this.current(who), dn));
  }
}
