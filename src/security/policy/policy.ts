import type { PasswordPolicy } from './types';

/** Cairn's defaults, written into cn=default,ou=policies by `cairn init`, and used when no entry exists. */
export const DEFAULT_POLICY: Omit<PasswordPolicy, 'dn'> = {
  minLength: 12,
  maxLength: 0,
  checkQuality: 1,
  inHistory: 5,
  minAge: 0,
  maxAge: 0,
  expireWarning: 14 * 86400,
  graceAuthNLimit: 0,
  graceExpiry: 0,
  lockout: true,
  maxFailure: 10,
  failureCountInterval: 900,
  lockoutDuration: 900,
  mustChange: true,
  allowUserChange: true,
  safeModify: false,
  minUpper: 0,
  minLower: 0,
  minDigit: 0,
  minSpecial: 0,
  minClasses: 3,
  rejectPersonal: true,
  blocklist: true,
};

/** The policy entry's attribute for each field, as the schema names it. */
export const POLICY_ATTRIBUTES: Record<keyof Omit<PasswordPolicy, 'dn'>, string> = {
  minLength: 'pwdMinLength',
  maxLength: 'pwdMaxLength',
  checkQuality: 'pwdCheckQuality',
  inHistory: 'pwdInHistory',
  minAge: 'pwdMinAge',
  maxAge: 'pwdMaxAge',
  expireWarning: 'pwdExpireWarning',
  graceAuthNLimit: 'pwdGraceAuthNLimit',
  graceExpiry: 'pwdGraceExpiry',
  lockout: 'pwdLockout',
  maxFailure: 'pwdMaxFailure',
  failureCountInterval: 'pwdFailureCountInterval',
  lockoutDuration: 'pwdLockoutDuration',
  mustChange: 'pwdMustChange',
  allowUserChange: 'pwdAllowUserChange',
  safeModify: 'pwdSafeModify',
  minUpper: 'cairnPwdMinUpper',
  minLower: 'cairnPwdMinLower',
  minDigit: 'cairnPwdMinDigit',
  minSpecial: 'cairnPwdMinSpecial',
  minClasses: 'cairnPwdMinClasses',
  rejectPersonal: 'cairnPwdRejectPersonal',
  blocklist: 'cairnPwdBlocklist',
};

/** draft-behera 5.2.13: "If this attribute is not present, a value of TRUE is assumed." */
const TRUE_WHEN_ABSENT: ReadonlySet<string> = new Set(['allowUserChange']);

/**
 * A policy from its entry's values (by attribute key, lower case). Attributes the entry lacks take the
 * draft's meaning of absence: 0 and FALSE, but TRUE for pwdAllowUserChange.
 */
export function policyFromEntry(dn: string, valueOf: (key: string) => string | undefined): PasswordPolicy {
  const p = { dn } as PasswordPolicy;
  for (const [field, attribute] of Object.entries(POLICY_ATTRIBUTES) as [keyof Omit<PasswordPolicy, 'dn'>, string][]) {
    const raw = valueOf(attribute.toLowerCase());
    const kind = typeof DEFAULT_POLICY[field];
    (p as unknown as Record<string, number | boolean>)[field] =
      kind === 'boolean' ? (raw === undefined ? TRUE_WHEN_ABSENT.has(field) : raw === 'TRUE') : raw === undefined ? 0 : Number(raw);
  }
  return p;
}

/** The attribute values `cairn init` writes for the default policy. */
export function defaultPolicyAttributes(): { type: string; values: string[] }[] {
  return (Object.entries(POLICY_ATTRIBUTES) as [keyof typeof DEFAULT_POLICY, string][]).map(([field, attribute]) => {
    const v = DEFAULT_POLICY[field];
    return { type: attribute, values: [typeof v === 'boolean' ? (v ? 'TRUE' : 'FALSE') : String(v)] };
  });
}
