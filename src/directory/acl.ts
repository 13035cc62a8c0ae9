import type { Config } from '../config';
import { isSupportedHash } from '../security/passwords';
import type { Change } from '../ldap/types';
import { LdapError } from './errors';
import type { Identity } from './identity';
import type { Normalization } from './normalize';
import { ResultCode } from '../ldap/result-codes';

const denied = (message: string) => new LdapError(ResultCode.insufficientAccessRights, message);

/**
 * Every access decision, in one place; the wire and the CLI never decide access themselves.
 * - members of cn=admins (and the CLI): everything;
 * - a person on their own entry: the attributes `access.selfWritable` lists, loginShell from `access.allowedShells`,
 *   and adding the auxiliary classes `access.selfAddableClasses` lists (ldapPublicKey, to hold SSH keys);
 * - services (ou=services) and other people: read only, without another person's password-policy state
 *   (services read it) and MFA state; userPassword and pwdHistory nobody reads. Search, filters and compare
 *   all follow these read rules;
 * - anonymous: the root DSE and cn=Subschema only.
 */
export class AccessControl {
  private readonly selfWritable: Set<string>;
  private readonly shells: Set<string>;
  private readonly selfClasses: Set<string>;

  constructor(
    private readonly norm: Normalization,
    config: Config['access'],
  ) {
    this.selfWritable = new Set(config.selfWritable.map((a) => norm.requireAttribute(a).key));
    this.shells = new Set(config.allowedShells);
    this.selfClasses = new Set(config.selfAddableClasses.map((c) => norm.schema.objectClass(c)?.key ?? c.toLowerCase()));
  }

  /** Anonymous clients may read only the root DSE and the subschema entry (sssd reads both before binding). */
  checkSearch(who: Identity, base: 'rootDSE' | 'subschema' | 'tree'): void {
    if (base === 'tree') checkNotDevice(who);
    if (who.kind === 'anonymous' && base === 'tree') {
      throw denied('anonymous clients may read only the root DSE and cn=subschema; bind first');
    }
  }

  /**
   * Attributes a reader may not use in filters at all: otherwise `(pwdAccountLockedTime=*)` would tell a
   * person who is locked out, even though the values are hidden. For them such a filter is Undefined.
   */
  hiddenInFilters(who: Identity): ReadonlySet<string> {
    if (isAdministrator(who)) return NOTHING;
    return who.kind === 'user' && who.isService ? MFA_STATE : PERSONAL_STATE;
  }

  /** Whether an attribute of an entry may be shown to this reader (search results, compare). */
  canRead(who: Identity, entryNdn: string, key: string): boolean {
    if (NEVER_READ.has(key)) return false;
    if (!PERSONAL_STATE.has(key)) return true;
    if (isAdministrator(who) || isOwnEntry(who, entryNdn)) return true;
    return who.kind === 'user' && who.isService && !MFA_STATE.has(key);
  }

  /**
   * Compare (RFC 4511 4.10) follows search's read rules: an attribute this reader may not read on this entry
   * gives insufficientAccessRights (50), as slapd answers without compare access, whether or not the entry
   * holds it, so neither the value nor its presence is told. `key` is the type's key (options and OIDs resolved).
   */
  checkCompare(who: Identity, entryNdn: string, key: string, name: string): void {
    this.checkSearch(who, 'tree');
    if (!this.canRead(who, entryNdn, key)) throw denied(`${name}: you may not read or compare this attribute of this entry`);
  }

  /**
   * The server's search limits (`search.sizeLimit`, `search.timeLimitSeconds`) hold for everyone but
   * administrators and the CLI, as slapd's `limits` can lift them for its rootdn and admin groups.
   */
  unlimitedSearch(who: Identity): boolean {
    return isAdministrator(who);
  }

  /** Add, delete and rename: administrators only. */
  checkWrite(who: Identity, operation: string, dn: string): void {
    checkNotDevice(who);
    checkNotAppPassword(who);
    if (isAdministrator(who)) return;
    if (who.kind === 'anonymous') throw denied(`anonymous clients may not ${operation} entries; bind first`);
    throw denied(`${identityName(who)} may not ${operation} ${dn}: only administrators may`);
  }

  /**
   * Turning on MFA (enrol, confirm): administrators for anyone; a person for their own entry while it has no
   * confirmed enrolment, so that a session alone cannot swap out a second factor that works. Service
   * accounts cannot.
   */
  checkMfaEnrolment(who: Identity, targetNdn: string, dn: string, confirmed: boolean, operation: string): void {
    if (isAdministrator(who)) return;
    if (who.kind === 'user' && !who.isService && isOwnEntry(who, targetNdn)) {
      if (!confirmed) return;
      throw denied(`two-step sign-in is already on for ${dn}: to set it up again, ask an administrator to reset it`);
    }
    this.checkWrite(who, operation, dn);
  }

  /** A person's own credentials (Wi-Fi devices): the person, or an administrator. */
  checkOwnOrAdministrator(who: Identity, targetNdn: string, dn: string, operation: string): void {
    if (isAdministrator(who)) return;
    if (who.kind === 'user' && !who.isService && isOwnEntry(who, targetNdn)) return;
    throw denied(`${identityName(who)} may not ${operation} ${dn}`);
  }

  /** NT hashes of device credentials: only the service accounts named (wifi.ntHashReaders), never a person, not even an administrator. */
  mayReadNtHashes(who: Identity, readerNdns: ReadonlySet<string>): boolean {
    return who.kind === 'user' && who.isService && readerNdns.has(who.ndn);
  }

  /** Recovery codes stand in for a person's own phone: only that person makes them (not even an administrator). */
  checkOwnSecondFactor(who: Identity, targetNdn: string, dn: string): void {
    if (who.kind === 'user' && !who.isService && isOwnEntry(who, targetNdn)) return;
    throw denied(`only the person may make recovery codes for ${dn}`);
  }

  /** Modify: administrators anything; a person some attributes of their own entry. */
  checkModify(who: Identity, targetNdn: string, dn: string, changes: Change[]): void {
    checkNotDevice(who);
    checkNotAppPassword(who);
    if (isAdministrator(who)) return;
    if (who.kind === 'anonymous') throw denied('anonymous clients may not modify entries; bind first');
    if (who.kind !== 'user' || who.isService || !isOwnEntry(who, targetNdn)) {
      throw denied(`${identityName(who)} may not modify ${dn}${who.kind === 'user' && who.isService ? ': service accounts are read-only' : ''}`);
    }
    for (const c of changes) {
      const info = this.norm.requireAttribute(c.modification.type);
      if (
        info.key === 'objectclass' &&
        c.operation === 'add' &&
        c.modification.values.every((v) => this.selfClasses.has(this.norm.schema.objectClass(v)?.key ?? ''))
      ) {
        continue;
      }
      if (!this.selfWritable.has(info.key)) throw denied(`${info.type.name}: you may not change this attribute of your own entry`);
      if (info.key === 'loginshell') {
        const bad = c.modification.values.find((v) => !this.shells.has(v));
        if (bad !== undefined) throw denied(`loginShell: ${bad} is not an allowed shell (${[...this.shells].join(', ')})`);
      }
    }
  }

  /**
   * A userPassword value that is already a hash (`{SSHA}...`, `{CRYPT}...`) would skip every rule a password
   * must pass: only administrators, the CLI and imports (migration) may set one.
   */
  checkPasswordValues(who: Identity, migration: boolean, values: string[]): void {
    if (migration || isAdministrator(who)) return;
    if (values.some(isSupportedHash)) throw denied('userPassword: only administrators may set an already hashed password; send the password itself');
  }
  /**
   * Whose password a Password Modify (or `cairn user passwd`) may change: the person's own ('self'), or
   * anyone's for an administrator or the CLI ('reset': an administrator's change of their own password is
   * 'self', under the same rules as everyone's).
   */
  checkPasswordChange(who: Identity, entryNdn: string, dn: string): 'self' | 'reset' {
    checkNotDevice(who);
    checkNotAppPassword(who);
    if (isOwnEntry(who, entryNdn)) return 'self';
    if (isAdministrator(who)) return 'reset';
    throw denied(`you may not change the password of ${dn}`);
  }
}

/** A device credential (Wi-Fi) authenticates its device and does nothing else: no search, no write, no password change. */
function checkNotDevice(who: Identity): void {
  if (who.kind === 'user' && who.isDevice) throw denied(`${who.dn} is a device credential: it may only authenticate`);
}

/** A bind with an app password reads as the person and changes nothing: no write, no password change. */
function checkNotAppPassword(who: Identity): void {
  if (who.kind === 'user' && who.appPassword !== undefined)
    throw denied(`bound with the app password ${who.appPassword}: an app password changes nothing (use your own password)`);
}

/** Administrators: members of cn=admins, and the CLI acting as the system. */
const isAdministrator = (who: Identity) => who.kind === 'system' || (who.kind === 'user' && who.isAdmin);

/** Whether the bound person is acting on their own entry (then the write is theirs: self-service, not an administrator's reset). */
export const isOwnEntry = (who: Identity, entryNdn: string): boolean => who.kind === 'user' && who.ndn === entryNdn;

/** Password-policy state: administrators, services and the person may read it, other people not. */
const POLICY_STATE = new Set(['pwdchangedtime', 'pwdaccountlockedtime', 'pwdfailuretime', 'pwdreset', 'pwdgraceusetime', 'pwdpolicysubentry']);

/** Whether MFA is on: administrators and the person only. */
const MFA_STATE = new Set(['cairnmfaenabled']);
const PERSONAL_STATE = new Set([...POLICY_STATE, ...MFA_STATE]);
const NOTHING: ReadonlySet<string> = new Set();
/** Credentials and their history: never attribute rows, never shown or compared, not even to administrators. */
const NEVER_READ = new Set(['userpassword', 'pwdhistory']);

const identityName = (who: Identity) => (who.kind === 'user' ? who.dn : who.kind);
