import { SYSTEM } from './identity';
import { adminsGroupDN, serviceAccountTest } from './layout';
import type { Directory } from './directory';
import type { Filter } from '../ldap/filter';
import type { SearchResultEntry } from './search/run-search';
import { findEntries, valuesOf } from './search/find-entries';
import type { Scope } from '../ldap/types';
import { InputError } from './errors';

/**
 * Finding people, groups and administrators by name, as the system identity sees them: for the CLI and for
 * the portal's administrator pages (whose writes still go through access control as the administrator).
 */

/** Every entry under a base that matches, as the system identity sees it. */
export const findAll = (d: Directory, base: string, filter: Filter, attributes: string[] = ['*'], scope: Scope = 'sub'): Promise<SearchResultEntry[]> =>
  findEntries(d, SYSTEM, base, filter, attributes, scope);

export async function findOne(d: Directory, base: string, filter: Filter, what: string): Promise<SearchResultEntry> {
  return only(await findAll(d, base, filter), what);
}

/** The one entry found, or a clear error naming what was sought (and, when ambiguous, every match). */
function only(found: SearchResultEntry[], what: string): SearchResultEntry {
  if (found.length === 0) throw new InputError(`no ${what}`);
  if (found.length > 1) throw new InputError(`more than one ${what}: ${found.map((e) => e.dn).join('; ')}`);
  return found[0];
}

export { valuesOf };

/** The lowest free number in [min, max] above every number already used in that range. */
export async function nextFreeNumber(d: Directory, attribute: string, min: number, max: number): Promise<number> {
  const used = await findAll(
    d,
    d.namingContext,
    {
      type: 'and',
      filters: [
        { type: 'greaterOrEqual', attribute, value: String(min) },
        { type: 'lessOrEqual', attribute, value: String(max) },
      ],
    },
    [attribute],
  );
  let highest = min - 1;
  for (const e of used) for (const v of valuesOf(e, attribute)) highest = Math.max(highest, Number(v));
  if (highest + 1 > max) throw new InputError(`no free ${attribute} left in ${min}-${max} (see the ids settings)`);
  return highest + 1;
}

const eq = (attribute: string, value: string): Filter => ({ type: 'equality', attribute, value });
const anyClass = (...classes: string[]): Filter => ({ type: 'or', filters: classes.map((c) => eq('objectClass', c)) });

/** A group is an entry of one of the group classes, wherever it is. */
const GROUP = anyClass('groupOfNames', 'posixGroup', 'groupOfUniqueNames');

/** Service accounts live in ou=services; an entry there is never a person, even with a uid (account). */
const notAService = (d: Directory) => {
  const isService = serviceAccountTest(d.norm, d.namingContext);
  return (e: SearchResultEntry) => !isService(d.norm.normalizeDN(e.dn).ndn);
};

/** Every person: an entry with a uid anywhere under the base, outside ou=services. */
export async function allPeople(d: Directory, attributes: string[] = ['*']): Promise<SearchResultEntry[]> {
  return (await findAll(d, d.namingContext, { type: 'present', attribute: 'uid' }, attributes)).filter(notAService(d));
}

/** The one person with this uid anywhere under the base (outside ou=services), or a clear error. */
export async function personByUid(d: Directory, uid: string): Promise<SearchResultEntry> {
  return only((await findAll(d, d.namingContext, eq('uid', uid))).filter(notAService(d)), `person with uid ${uid}`);
}

/** Every group under the base, wherever it is. */
export const allGroups = (d: Directory, attributes: string[] = ['*']) => findAll(d, d.namingContext, GROUP, attributes);

/** The one group with this cn anywhere under the base, or a clear error (two groups may share a cn in different containers). */
export const groupByName = (d: Directory, name: string) => findOne(d, d.namingContext, { type: 'and', filters: [eq('cn', name), GROUP] }, `group ${name}`);

/** Whether an entry has an object class (by name, as the schema resolves it). */
export function hasClass(d: Directory, e: SearchResultEntry, name: string): boolean {
  const key = d.norm.schema.objectClass(name)?.key;
  return valuesOf(e, 'objectClass').some((v) => d.norm.schema.objectClass(v)?.key === key);
}

/**
 * Makes an existing entry an administrator: a member of cn=admins (full access once it binds again).
 * For an import that carries OpenLDAP's cn=admin (simpleSecurityObject + organizationalRole). Returns
 * false when it was one already.
 */
export async function makeAdministrator(d: Directory, dn: string): Promise<boolean> {
  const admins = await adminsGroup(d);
  const ndn = d.norm.normalizeDN(dn).ndn;
  if (memberKeys(d, admins).includes(ndn)) return false;
  await d.modify(SYSTEM, admins.dn, [{ operation: 'add', modification: { type: 'member', values: [dn] } }]);
  return true;
}

/** Takes an entry out of cn=admins; refuses to leave cn=admins empty (no one could administer over LDAP). */
export async function removeAdministrator(d: Directory, dn: string): Promise<void> {
  const admins = await adminsGroup(d);
  const ndn = d.norm.normalizeDN(dn).ndn;
  const keys = memberKeys(d, admins);
  const i = keys.indexOf(ndn);
  if (i < 0) throw new InputError(`${dn} is not an administrator (not a member of ${admins.dn})`);
  if (keys.length === 1) throw new InputError(`${dn} is the last administrator; make another one first (cairn admin add DN)`);
  await d.modify(SYSTEM, admins.dn, [{ operation: 'delete', modification: { type: 'member', values: [valuesOf(admins, 'member')[i]] } }]);
}

/** The DNs of cn=admins' members. */
export const administrators = async (d: Directory) => valuesOf(await adminsGroup(d), 'member');

async function adminsGroup(d: Directory): Promise<SearchResultEntry> {
  const dn = adminsGroupDN(d.namingContext);
  const found = await findAll(d, dn, { type: 'present', attribute: 'objectClass' }, ['member'], 'base').catch(() => []);
  if (found.length !== 1) throw new InputError(`${dn} does not exist; administrators are its members (create it with objectClass groupOfNames)`);
  return found[0];
}

const memberKeys = (d: Directory, group: SearchResultEntry) =>
  valuesOf(group, 'member').map((m) => {
    try {
      return d.norm.normalizeDN(m).ndn;
    } catch {
      return m;
    }
  });
