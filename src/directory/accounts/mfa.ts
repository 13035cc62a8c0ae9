import type { Config } from '../../config';
import type { SecretBox } from '../../security/secret-box';
import { generateTotpSecret, isBase32Secret, matchTotpStep, totpUri } from '../../security/totp';
import type { StoredEntry } from '../../store/types';
import type { DirectoryContext } from '../context';
import { EntryView } from '../entry-view';
import { LdapError } from '../errors';
import { serviceAccountTest } from '../layout';
import type { PasswordPolicyLayer } from './password-policy';
import { ResultCode } from '../../ldap/result-codes';
import { updateServerState } from '../server-state';
import { formatRecoveryCode, generateRecoveryCode, normalizeRecoveryCode, RECOVERY_CODES_PER_SET } from '../../security/typable-secrets';

export type CodeCheck = 'ok' | 'wrong' | 'replay';

/** Where a bind comes from: the client's address, and who has authenticated before on the same connection. */
export interface BindOrigin {
  address: string;
  earlierIdentities: readonly string[];
}

/**
 * The client to whom the identical password+code may be granted again: sssd and nslcd open a fresh
 * connection for each of the binds of one login or password change. A connection on which someone else
 * authenticated before is shared, a pool of FreeRADIUS or of a web application that logs in many people:
 * a replay through it is another login attempt, and gets no grace.
 */
export function reuseClient(origin: BindOrigin | undefined, ndn: string): string | undefined {
  if (!origin || origin.earlierIdentities.some((earlier) => earlier !== ndn)) return undefined;
  return origin.address;
}

/**
 * MFA by a TOTP code appended to the password: who must use it, checking a code once (with a short,
 * per-client grace for the identical password+code that sssd and nslcd send again while changing a
 * password), and enrolment. Secrets are sealed with the data folder's key and live in their own table.
 */
export class MfaLayer {
  constructor(
    private readonly ctx: DirectoryContext,
    private readonly box: SecretBox,
    private readonly config: Config['mfa'],
    private readonly policy: PasswordPolicyLayer,
  ) {}

  private now(): number {
    return this.ctx.now();
  }

  private isService(entry: StoredEntry) {
    return serviceAccountTest(this.ctx.norm, this.ctx.namingContext)(entry.ndn);
  }

  /** Group DNs whose members must use MFA: the config's and the governing policy entry's cairnMfaRequiredGroup. */
  private async requiredGroups(entry: StoredEntry): Promise<Set<string>> {
    const dn = (v: string) => this.ctx.norm.rule('distinguishedNameMatch')!(v);
    const policyDn = (await this.policy.policyFor(entry)).dn;
    const policyEntry = await this.ctx.store.entryByNdn(this.ctx.norm.normalizeDN(policyDn).ndn);
    const fromPolicy = policyEntry ? EntryView.of(policyEntry, this.ctx.norm).values('cairnmfarequiredgroup') : [];
    return new Set([...this.config.requiredGroups, ...fromPolicy].map(dn).filter((v): v is string => v !== undefined));
  }

  /** Whether this account must give a code, and whether it has a confirmed secret to give one with. */
  async requirement(entry: StoredEntry): Promise<{ required: boolean; enrolled: boolean }> {
    const record = await this.ctx.store.totp(entry.id);
    const enrolled = record?.confirmed === true;
    if (enrolled) return { required: true, enrolled };
    if (this.isService(entry) && this.config.servicesExempt) return { required: false, enrolled };
    const groups = await this.requiredGroups(entry);
    if (groups.size === 0) return { required: false, enrolled };
    const dn = this.ctx.norm.rule('distinguishedNameMatch')!;
    const memberOf = EntryView.of(entry, this.ctx.norm).values('memberof');
    return { required: memberOf.some((g) => groups.has(dn(g) ?? '')), enrolled };
  }

  /**
   * Checks a code: the current step or `mfa.window` steps either side, once per account; again within
   * `mfa.reuseSeconds` only for the same `client` (none: no grace).
   */
  async checkCode(entry: StoredEntry, code: string, client: string | undefined): Promise<CodeCheck> {
    const record = await this.ctx.store.totp(entry.id);
    if (!record?.confirmed) return 'wrong';
    const now = this.now();
    const step = matchTotpStep(this.box.open(record.sealedSecret), code, now, this.config.window);
    if (step === undefined) return 'wrong';
    const mac = this.box.mac(`${entry.id}:${step}:${code}`);
    if (await this.ctx.store.claimTotpStep(entry.id, step)) {
      if (this.config.reuseSeconds > 0 && client !== undefined)
        await this.ctx.store.rememberTotpUse(entry.id, client, mac, now + this.config.reuseSeconds * 1000, now);
      return 'ok';
    }
    if (this.config.reuseSeconds > 0 && client !== undefined && (await this.ctx.store.recentTotpUse(entry.id, client, mac, now))) return 'ok';
    return 'replay';
  }

  /** A new secret (or the given one), pending until confirmed with a code from the app. */
  async enroll(entry: StoredEntry, secret?: string): Promise<{ secret: string; uri: string }> {
    if (secret !== undefined && !isBase32Secret(secret))
      throw new LdapError(ResultCode.invalidAttributeSyntax, 'the secret must be base32 (A-Z, 2-7), at least 16 characters');
    const s = (secret ?? generateTotpSecret()).replace(/\s+/g, '').toUpperCase();
    await this.ctx.store.write((tx) => tx.setTotp(entry.id, this.box.seal(s), false, this.now()));
    await this.setEnabled(entry, false);
    const account = EntryView.of(entry, this.ctx.norm).values('uid')[0] ?? entry.dn;
    return { secret: s, uri: totpUri(account, this.config.issuer, s) };
  }

  async confirm(entry: StoredEntry, code: string): Promise<void> {
    const record = await this.ctx.store.totp(entry.id);
    if (!record) throw new LdapError(ResultCode.noSuchAttribute, `${entry.dn} has no MFA enrolment to confirm (run "cairn mfa enroll")`);
    if (matchTotpStep(this.box.open(record.sealedSecret), code, this.now(), this.config.window) === undefined) {
      throw new LdapError(ResultCode.invalidCredentials, 'that code does not match the enrolled secret; check the app and the clock');
    }
    await this.ctx.store.write((tx) => tx.confirmTotp(entry.id));
    await this.setEnabled(entry, true);
  }

  /**
   * A new set of recovery codes for a confirmed enrolment, replacing the old set; returned once, stored
   * only as keyed hashes.
   */
  async newRecoveryCodes(entry: StoredEntry): Promise<string[]> {
    if (!(await this.ctx.store.totp(entry.id))?.confirmed)
      throw new LdapError(ResultCode.unwillingToPerform, 'recovery codes stand in for the app: turn on two-step sign-in first');
    const codes = Array.from({ length: RECOVERY_CODES_PER_SET }, generateRecoveryCode);
    const now = this.now();
    await this.ctx.store.write((tx) =>
      tx.setRecoveryCodes(
        entry.id,
        codes.map((c) => this.recoveryHash(entry, c)),
        now,
      ),
    );
    return codes.map(formatRecoveryCode);
  }

  /** Spends one of the account's recovery codes: false when the text is not an unused one of its codes. */
  async useRecoveryCode(entry: StoredEntry, typed: string): Promise<boolean> {
    const code = normalizeRecoveryCode(typed);
    if (!code || !(await this.ctx.store.totp(entry.id))?.confirmed) return false;
    return this.ctx.store.useRecoveryCode(entry.id, this.recoveryHash(entry, code), this.now());
  }

  recoveryCodesLeft(entry: StoredEntry): Promise<number> {
    return this.ctx.store.recoveryCodesLeft(entry.id);
  }

  private recoveryHash(entry: StoredEntry, code: string): string {
    return this.box.mac(`recovery:${entry.id}:${code}`);
  }

  async reset(entry: StoredEntry): Promise<void> {
    await this.ctx.store.write((tx) => tx.deleteTotp(entry.id));
    await this.setEnabled(entry, false);
  }

  /** cairnMfaEnabled on the entry: what administrators and the person can read. */
  private setEnabled(entry: StoredEntry, on: boolean) {
    return updateServerState(this.ctx, entry.id, (_view, set) => set('cairnMfaEnabled', on ? ['TRUE'] : []));
  }
}
