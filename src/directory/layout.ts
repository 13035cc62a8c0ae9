import { escapeDNValue } from './dn';
import type { Normalization } from './normalize';

/**
 * Where Cairn keeps what below the naming context, as `cairn init` lays it out: people, groups, service
 * accounts and password policies each in an organisational unit of their own; administrators are the
 * members of cn=admins in ou=groups. Lookups find people and groups anywhere under the base (an import may
 * bring ou=People or ou=Group); what is decided by place (services, admins, the default policy) is here.
 */
export const UNITS = ['people', 'groups', 'services', 'policies'] as const;
export type Unit = (typeof UNITS)[number];

export const unitDN = (base: string, unit: Unit) => `ou=${unit},${base}`;

/** Where `cairn user add` puts a person. */
export const personDN = (base: string, uid: string) => `uid=${escapeDNValue(uid)},${unitDN(base, 'people')}`;
/** Where `cairn group add` puts a group (and `cairn init` the default group). */
export const groupDN = (base: string, cn: string) => `cn=${escapeDNValue(cn)},${unitDN(base, 'groups')}`;
/** Where `cairn service add` puts a service account. */
export const serviceDN = (base: string, cn: string) => `cn=${escapeDNValue(cn)},${unitDN(base, 'services')}`;
/** A password policy entry; `default` governs every entry without a pwdPolicySubentry. */
export const policyDN = (base: string, cn: string) => `cn=${escapeDNValue(cn)},${unitDN(base, 'policies')}`;
export const defaultPolicyDN = (base: string) => policyDN(base, 'default');

/** The group whose members are administrators (full access): `cairn admin add|remove` and `cairn init` manage it. */
export const adminsGroupDN = (base: string) => groupDN(base, 'admins');
/** The administrator `cairn init` makes. */
export const initialAdminDN = (base: string) => personDN(base, 'admin');

/** The container of service accounts: their binds are read-only, and they are never people. */
export const servicesDN = (base: string) => unitDN(base, 'services');

/**
 * Device credentials (Wi-Fi), outside the people tree so that sssd and nslcd never see them as people:
 * made on the first one, not by `cairn init`.
 */
export const devicesDN = (base: string) => `ou=devices,${base}`;
export const deviceDN = (base: string, name: string) => `uid=${escapeDNValue(name)},${devicesDN(base)}`;

/** A test for device credentials (entries below ou=devices) by normalized DN. */
export function deviceCredentialTest(norm: Normalization, base: string): (ndn: string) => boolean {
  const suffix = ',' + norm.normalizeDN(devicesDN(base)).ndn;
  return (ndn) => ndn.endsWith(suffix);
}

/** A test for service accounts (entries below ou=services) by normalized DN: made once, asked per entry. */
export function serviceAccountTest(norm: Normalization, base: string): (ndn: string) => boolean {
  const suffix = ',' + norm.normalizeDN(servicesDN(base)).ndn;
  return (ndn) => ndn.endsWith(suffix);
}
