import { BlockList, isIP } from 'node:net';
import { ResultCode } from '../../ldap/result-codes';
import { generateDevicePassword } from '../../security/typable-secrets';
import type { StoredEntry } from '../../store/types';
import type { DirectoryContext } from '../context';
import { InputError, LdapError } from '../errors';
import { serviceDN } from '../layout';
import type { BindOrigin } from './mfa';

/**
 * Where an app password may be used: binds that come from one of these client addresses or networks
 * (a mail server that binds as the person, a printer), or on a connection that one of these services bound
 * on first (an application that binds as its service account, searches, then binds as the person). At
 * least one of the two; a bind that fits neither is checked against the login password alone.
 */
export interface AppPasswordScope {
  addresses: string[];
  services: string[];
}

export interface AppPassword {
  name: string;
  scope: AppPasswordScope;
  createdAt: number;
  lastUsedAt?: number;
}

const NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

function blockList(addresses: string[]): BlockList {
  const list = new BlockList();
  for (const a of addresses) {
    const [ip, bits] = a.split('/');
    const family = isIP(ip);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (family === 0) throw new InputError(`"${a}" is not an address or a network (10.0.5.12, 10.0.5.0/24, ::1)`);
    if (bits === undefined) list.addAddress(ip, type);
    else {
      const n = Number(bits);
      if (!/^\d+$/.test(bits) || n > (family === 6 ? 128 : 32)) throw new InputError(`"${a}": the prefix length is out of range`);
      list.addSubnet(ip, n, type);
    }
  }
  return list;
}

/**
 * App passwords: generated passwords for programs that bind over LDAP with a person's DN, each named,
 * bcrypt only, shown once, revocable, and scoped. They need no MFA code; they never open the portal
 * and never change a password (the identity a bind with one gets says so, and acl.ts refuses).
 */
export class AppPasswords {
  constructor(private readonly ctx: DirectoryContext) {}

  async add(owner: StoredEntry, name: string, scope: AppPasswordScope): Promise<{ name: string; password: string }> {
    if (!NAME.test(name)) throw new InputError(`app password name "${name}": lower-case letters, digits and "-", at most 32 characters`);
    if (scope.addresses.length === 0 && scope.services.length === 0)
      throw new InputError('an app password needs a scope: the addresses it may be used from, or the services it may be used through (or both)');
    blockList(scope.addresses);
    for (const cn of scope.services) {
      const dn = this.ctx.norm.normalizeDN(serviceDN(this.ctx.namingContext, cn)).ndn;
      if (!(await this.ctx.store.entryByNdn(dn))) throw new InputError(`there is no service ${cn} (cairn service add ${cn})`);
    }
    if ((await this.ctx.store.appPasswords(owner.id)).some((a) => a.name === name))
      throw new LdapError(ResultCode.entryAlreadyExists, `${owner.dn} has an app password named ${name} already`);
    const password = generateDevicePassword();
    await this.ctx.store.addAppPassword(owner.id, name, await this.ctx.hasher.hash(password), JSON.stringify(scope), this.ctx.now());
    return { name, password };
  }

  async list(owner: StoredEntry): Promise<AppPassword[]> {
    return (await this.ctx.store.appPasswords(owner.id)).map((a) => ({
      name: a.name,
      scope: JSON.parse(a.scope) as AppPasswordScope,
      createdAt: a.createdAt,
      lastUsedAt: a.lastUsedAt,
    }));
  }

  async revoke(owner: StoredEntry, name?: string): Promise<number> {
    const gone = await this.ctx.store.deleteAppPasswords(owner.id, name);
    if (gone === 0 && name !== undefined) throw new LdapError(ResultCode.noSuchObject, `${owner.dn} has no app password named ${name}`);
    return gone;
  }

  /**
   * The app password a typed password is, among those whose scope this bind fits (none are tried for a
   * bind that fits no scope, so that they cost nothing there), or undefined.
   */
  async match(owner: StoredEntry, typed: string, origin: BindOrigin | undefined): Promise<string | undefined> {
    if (!origin) return undefined;
    const earlier = new Set(origin.earlierIdentities);
    for (const a of await this.ctx.store.appPasswords(owner.id)) {
      const scope = JSON.parse(a.scope) as AppPasswordScope;
      const fromAddress =
        scope.addresses.length > 0 &&
        blockList(scope.addresses).check(origin.address.replace(/^::ffff:/, ''), isIP(origin.address.replace(/^::ffff:/, '')) === 6 ? 'ipv6' : 'ipv4');
      const throughService = scope.services.some((cn) => earlier.has(this.ctx.norm.normalizeDN(serviceDN(this.ctx.namingContext, cn)).ndn));
      if (!fromAddress && !throughService) continue;
      if (await this.ctx.hasher.verify(typed, a.hash)) {
        await this.ctx.store.appPasswordUsed(a.id, this.ctx.now());
        return a.name;
      }
    }
    return undefined;
  }
}
