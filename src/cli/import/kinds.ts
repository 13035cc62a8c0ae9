/** What an imported entry is, for the summary: by its object classes and where it sits. */
export type EntryKind =
  | 'people'
  | 'groups (groupOfNames)'
  | 'groups (posixGroup with memberUid only)'
  | 'groups (groupOfNames + posixGroup)'
  | 'services'
  | 'policies'
  | 'sudo rules'
  | 'automount'
  | 'containers'
  | 'other';

export const KIND_ORDER: EntryKind[] = [
  'people',
  'groups (groupOfNames)',
  'groups (posixGroup with memberUid only)',
  'groups (groupOfNames + posixGroup)',
  'services',
  'policies',
  'sudo rules',
  'automount',
  'containers',
  'other',
];

const has = (classes: Set<string>, ...names: string[]) => names.some((n) => classes.has(n.toLowerCase()));

/** classes: the entry's objectClass values; underServices: the entry sits below ou=services. */
export function entryKind(objectClasses: string[], underServices: boolean): EntryKind {
  const c = new Set(objectClasses.map((o) => o.toLowerCase()));
  if (underServices || has(c, 'cairnService')) return 'services';
  if (has(c, 'pwdPolicy', 'cairnPolicy')) return 'policies';
  if (has(c, 'sudoRole')) return 'sudo rules';
  if (has(c, 'automount', 'automountMap', 'nisMap', 'nisObject')) return 'automount';
  const names = has(c, 'groupOfNames', 'groupOfUniqueNames');
  const posix = has(c, 'posixGroup');
  if (names && posix) return 'groups (groupOfNames + posixGroup)';
  if (names) return 'groups (groupOfNames)';
  if (posix) return 'groups (posixGroup with memberUid only)';
  if (has(c, 'inetOrgPerson', 'organizationalPerson', 'person', 'posixAccount', 'shadowAccount', 'account')) return 'people';
  if (has(c, 'organizationalUnit', 'organization', 'dcObject', 'domain', 'container')) return 'containers';
  return 'other';
}

/**
 * An entry outside ou=services that looks like another server's rootdn or manager (cn=admin,<base> as
 * organizationalRole / simpleSecurityObject): imported as an ordinary entry, so the summary says so.
 */
export function looksLikeRootDn(objectClasses: string[], rdnValue: string): boolean {
  const c = new Set(objectClasses.map((o) => o.toLowerCase()));
  if (c.has('simplesecurityobject')) return true;
  return c.has('organizationalrole') && /^(admin|administrator|manager|root|ldapadmin)$/i.test(rdnValue);
}
