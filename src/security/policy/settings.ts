import { DEFAULT_POLICY, POLICY_ATTRIBUTES } from './policy';
import type { PasswordPolicy } from './types';

type Field = keyof Omit<PasswordPolicy, 'dn'>;

/** Numeric settings with a narrower range than "0 or more" (draft-behera 5.2.4; the four character classes). */
const RANGES: Partial<Record<Field, [number, number]>> = { checkQuality: [0, 2], minClasses: [0, 4] };
/** draft-behera's numbers are INTEGER; OpenLDAP's ppolicy keeps them in an int. */
const INT_MAX = 2147483647;

/**
 * What is wrong with VALUE for a password policy attribute (its schema name, any case), in plain words,
 * or undefined when it is a value the policy can use: TRUE or FALSE for a switch, a whole number within
 * the setting's range otherwise. The one check of a policy value before it is written (`cairn policy set`).
 */
export function policyValueProblem(attribute: string, value: string): string | undefined {
  const entry = (Object.entries(POLICY_ATTRIBUTES) as [Field, string][]).find(([, a]) => a.toLowerCase() === attribute.toLowerCase());
  if (!entry) return `${attribute} is not a password policy setting`;
  const [field, name] = entry;
  if (typeof DEFAULT_POLICY[field] === 'boolean') return value === 'TRUE' || value === 'FALSE' ? undefined : `${name} must be TRUE or FALSE, not "${value}"`;
  const [min, max] = RANGES[field] ?? [0, INT_MAX];
  if (!/^(0|[1-9][0-9]*)$/.test(value) || Number(value) < min || Number(value) > max) {
    return `${name} must be a whole number from ${min} to ${max}, not "${value}"`;
  }
  return undefined;
}
