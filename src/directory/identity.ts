/** Who is asking: the bound identity of a connection, or the CLI acting as the administrator. */
export type Identity =
  | { kind: 'anonymous' }
  /**
   * isDevice: a device credential (ou=devices), which may authenticate and nothing else. appPassword: bound
   * with this app password of the person's, which reads as the person and writes nothing.
   */
  | { kind: 'user'; dn: string; ndn: string; entryId: number; isAdmin: boolean; isService: boolean; isDevice?: boolean; appPassword?: string }
  | { kind: 'system' };

export const ANONYMOUS: Identity = { kind: 'anonymous' };
export const SYSTEM: Identity = { kind: 'system' };

export const identityDN = (who: Identity): string => (who.kind === 'user' ? who.dn : who.kind === 'system' ? 'cn=cairn' : '');

/** A bound entry's identity. */
export type UserIdentity = Extract<Identity, { kind: 'user' }>;
