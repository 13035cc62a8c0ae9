/** Who is asking: the bound identity of a connection, or the CLI acting as the administrator. */
export type Identity =
  { kind: 'anonymous' } | { kind: 'user'; dn: string; ndn: string; entryId: number; isAdmin: boolean; isService: boolean } | { kind: 'system' };

export const ANONYMOUS: Identity = { kind: 'anonymous' };
export const SYSTEM: Identity = { kind: 'system' };

export const identityDN = (who: Identity): string => (who.kind === 'user' ? who.dn : who.kind === 'system' ? 'cn=cairn' : '');
