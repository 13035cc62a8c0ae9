import { ResultCode } from '../../ldap/result-codes';
import { ntHash } from '../../security/hashes/md4';
import { generateDevicePassword } from '../../security/typable-secrets';
import type { StoredEntry } from '../../store/types';
import type { DirectoryContext } from '../context';
import { EntryView } from '../entry-view';
import { InputError, LdapError } from '../errors';
import { SYSTEM, type Identity } from '../identity';
import { deviceCredentialTest, deviceDN, devicesDN, serviceDN } from '../layout';
import { parseGeneralizedTime } from '../matching';
import { findEntries, valuesOf } from '../search/find-entries';
import { runSearch, type SearchParams, type SearchSink } from '../search/run-search';
import type { Writer } from '../write/writer';
import type { PasswordPolicyLayer } from './password-policy';

/** A device credential as its owner and administrators see it; the password is shown only when made. */
export interface DeviceCredential {
  /** The user name the device signs in with: the owner's uid, a dot, the device's name. */
  name: string;
  dn: string;
  owner: string;
  createdAt?: number;
  /** The last LDAP bind with it (EAP-TTLS/PAP, applications); MSCHAPv2 is checked by FreeRADIUS, which Cairn does not see. */
  lastUsedAt?: number;
}

const DEVICE_NAME = /^[a-z0-9][a-z0-9-]{0,23}$/;

/**
 * Device credentials (Wi-Fi): for each of a person's devices a user name and a password Cairn generates,
 * stored as bcrypt (LDAP binds, EAP-TTLS/PAP) and as an NT hash (MSCHAPv2, PEAP). They live under
 * ou=devices, not among people: they open no login, no portal, no password change, and need no MFA code.
 * A credential works only while its owner exists, is not locked, and is in one of the groups wifi.groups
 * names; only the services wifi.ntHashReaders names read the NT hash, and only of such a credential.
 */
export class DeviceCredentials {
  private readonly isDevice: (ndn: string) => boolean;
  private readonly searcher = { search: (who: Identity, p: SearchParams, sink: SearchSink) => runSearch(this.ctx, who, p, sink) };

  constructor(
    private readonly ctx: DirectoryContext,
    private readonly writer: Writer,
    private readonly policy: PasswordPolicyLayer,
  ) {
    this.isDevice = deviceCredentialTest(ctx.norm, ctx.namingContext);
  }

  isDeviceEntry(entry: Pick<StoredEntry, 'ndn'>): boolean {
    return this.isDevice(entry.ndn);
  }

  /** Makes a credential for one of the owner's devices; the password is returned once. */
  async add(who: Identity, owner: StoredEntry, device: string): Promise<DeviceCredential & { password: string }> {
    this.ctx.acl.checkOwnOrAdministrator(who, owner.ndn, owner.dn, 'make a Wi-Fi credential for');
    if (!DEVICE_NAME.test(device)) throw new InputError(`device name "${device}": lower-case letters, digits and "-", at most 24 characters`);
    const uid = EntryView.of(owner, this.ctx.norm).values('uid')[0];
    if (uid === undefined) throw new InputError(`${owner.dn} has no uid`);
    if (!(await this.inWifiGroup(owner)))
      throw new LdapError(
        ResultCode.insufficientAccessRights,
        `${uid} is in none of the Wi-Fi groups (wifi.groups: ${this.ctx.config.wifi.groups.join(', ') || 'none'})`,
      );
    await this.ensureContainer();
    const name = `${uid}.${device}`;
    const password = generateDevicePassword();
    const hash = await this.ctx.hasher.hash(password);
    // Stored as made here: a generated password needs no quality check, and no pwdChangedTime (it does not expire).
    const dn = await this.writer.add(
      SYSTEM,
      deviceDN(this.ctx.namingContext, name),
      [
        { type: 'objectClass', values: ['top', 'cairnDevice'] },
        { type: 'uid', values: [name] },
        { type: 'cairnOwner', values: [owner.dn] },
        { type: 'userPassword', values: [hash] },
      ],
      { migration: true, deviceNtHash: ntHash(password) },
    );
    return { name, dn, owner: owner.dn, createdAt: this.ctx.now(), password };
  }

  /** The credentials of one owner (or of everyone), oldest first. */
  async list(owner?: StoredEntry): Promise<DeviceCredential[]> {
    const filter = owner
      ? { type: 'equality' as const, attribute: 'cairnOwner', value: owner.dn }
      : { type: 'equality' as const, attribute: 'objectClass', value: 'cairnDevice' };
    const found = await findEntries(this.searcher, SYSTEM, devicesDN(this.ctx.namingContext), filter, ['uid', 'cairnOwner', 'createTimestamp']).catch(() => []);
    const out: DeviceCredential[] = [];
    for (const e of found) {
      const stored = await this.ctx.store.entryByNdn(this.ctx.norm.normalizeDN(e.dn).ndn);
      const secret = stored && (await this.ctx.store.deviceSecret(stored.id));
      out.push({
        name: valuesOf(e, 'uid')[0] ?? e.dn,
        dn: e.dn,
        owner: valuesOf(e, 'cairnOwner')[0] ?? '',
        createdAt: parseGeneralizedTime(valuesOf(e, 'createTimestamp')[0] ?? ''),
        lastUsedAt: secret?.lastUsedAt,
      });
    }
    return out;
  }

  /** Revokes one credential (by its name) of the owner. */
  async revoke(who: Identity, owner: StoredEntry, name: string): Promise<void> {
    this.ctx.acl.checkOwnOrAdministrator(who, owner.ndn, owner.dn, 'revoke a Wi-Fi credential of');
    const credential = (await this.list(owner)).find((c) => c.name === name);
    if (!credential) throw new LdapError(ResultCode.noSuchObject, `no Wi-Fi credential ${name} of ${owner.dn}`);
    await this.writer.delete(SYSTEM, credential.dn);
  }

  /** Whether a device credential may authenticate now: its owner exists, is not locked, and is in a Wi-Fi group. */
  async usable(device: StoredEntry): Promise<boolean> {
    const ownerDn = EntryView.of(device, this.ctx.norm).values('cairnowner')[0];
    if (ownerDn === undefined) return false;
    const owner = await this.ctx.store.entryByNdn(this.ctx.norm.normalizeDN(ownerDn).ndn);
    if (!owner || this.policy.isLocked(owner, await this.policy.policyFor(owner))) return false;
    return this.inWifiGroup(owner);
  }

  /** A successful LDAP bind with a device credential: when it was last used. */
  async used(device: StoredEntry): Promise<void> {
    await this.ctx.store.deviceUsed(device.id, this.ctx.now());
  }

  /** The NT hash for a reader: only an allowed service, only of a usable credential. */
  async ntHashFor(who: Identity, entry: StoredEntry): Promise<string | undefined> {
    if (!this.isDevice(entry.ndn)) return undefined;
    const readers = new Set(this.ctx.config.wifi.ntHashReaders.map((cn) => this.ctx.norm.normalizeDN(serviceDN(this.ctx.namingContext, cn)).ndn));
    if (!this.ctx.acl.mayReadNtHashes(who, readers)) return undefined;
    if (!(await this.usable(entry))) return undefined;
    return (await this.ctx.store.deviceSecret(entry.id))?.ntHash;
  }

  private async inWifiGroup(owner: StoredEntry): Promise<boolean> {
    const names = this.ctx.config.wifi.groups;
    if (names.length === 0) return false;
    const uid = EntryView.of(owner, this.ctx.norm).values('uid')[0];
    const groups = await findEntries(
      this.searcher,
      SYSTEM,
      this.ctx.namingContext,
      {
        type: 'and',
        filters: [
          { type: 'or', filters: names.map((cn) => ({ type: 'equality' as const, attribute: 'cn', value: cn })) },
          {
            type: 'or',
            filters: [
              { type: 'equality', attribute: 'member', value: owner.dn },
              ...(uid ? [{ type: 'equality' as const, attribute: 'memberUid', value: uid }] : []),
            ],
          },
        ],
      },
      ['1.1'],
    );
    return groups.length > 0;
  }

  private async ensureContainer(): Promise<void> {
    const dn = devicesDN(this.ctx.namingContext);
    if (await this.ctx.store.entryByNdn(this.ctx.norm.normalizeDN(dn).ndn)) return;
    await this.writer.add(SYSTEM, dn, [
      { type: 'objectClass', values: ['top', 'organizationalUnit'] },
      { type: 'ou', values: ['devices'] },
      { type: 'description', values: ['Device credentials (Wi-Fi): not people, never a login'] },
    ]);
  }
}
