import { randomInt } from 'node:crypto';
import { valueByteLength } from '../../bytes';
import { MAX_PASSWORD_BYTES } from '../passwords';
import { PasswordPolicy, PersonalData, PolicyError, QualityFailure } from './types';

const UPPER = /\p{Lu}/u;
const LOWER = /\p{Ll}/u;
const DIGIT = /\p{Nd}/u;
const LETTER = /\p{L}/u;

interface ClassCounts {
  upper: number;
  lower: number;
  digit: number;
  special: number;
}

/** Counts per code point; a letter without case (e.g. CJK) is neither upper nor lower, and not special. */
function countClasses(chars: readonly string[]): ClassCounts {
  const counts: ClassCounts = { upper: 0, lower: 0, digit: 0, special: 0 };
  for (const ch of chars) {
    if (UPPER.test(ch)) counts.upper++;
    else if (LOWER.test(ch)) counts.lower++;
    else if (DIGIT.test(ch)) counts.digit++;
    else if (!LETTER.test(ch)) counts.special++;
  }
  return counts;
}

function quality(message: string): QualityFailure {
  return { error: PolicyError.insufficientPasswordQuality, message };
}

/** "must contain a digit" for 1, "must contain at least 3 digits" for more. */
function mustContain(required: number, singular: string, plural: string, suffix = ''): string {
  if (required === 1) return `must contain a ${singular}${suffix}`;
  return `must contain at least ${required} ${plural}${suffix}`;
}

function checkClasses(counts: ClassCounts, policy: PasswordPolicy): QualityFailure | undefined {
  if (counts.upper < policy.minUpper) return quality(mustContain(policy.minUpper, 'capital letter', 'capital letters'));
  if (counts.lower < policy.minLower) {
    return quality(mustContain(policy.minLower, 'lower-case letter', 'lower-case letters'));
  }
  if (counts.digit < policy.minDigit) return quality(mustContain(policy.minDigit, 'digit', 'digits'));
  if (counts.special < policy.minSpecial) {
    return quality(mustContain(policy.minSpecial, 'special character', 'special characters', ' (not a letter or digit)'));
  }
  const classes = [counts.upper, counts.lower, counts.digit, counts.special].filter((n) => n > 0).length;
  if (classes < policy.minClasses) {
    return quality(`must use at least ${policy.minClasses} of: capital letters, lower-case letters, digits, special characters`);
  }
  return undefined;
}

function checkPersonal(lowerPassword: string, personal: PersonalData): QualityFailure | undefined {
  const checks: Array<[string | undefined, string]> = [
    [personal.uid, 'user name'],
    [personal.givenName, 'given name'],
    [personal.sn, 'surname'],
    ...personal.mailNames.map((name): [string, string] => [name, 'mail address']),
  ];
  for (const [value, what] of checks) {
    if (value === undefined) continue;
    const needle = value.trim().toLowerCase();
    if ([...needle].length >= 3 && lowerPassword.includes(needle)) return quality(`must not contain your ${what}`);
  }
  return undefined;
}

const longestEntryCache = new WeakMap<ReadonlySet<string>, number>();

function longestEntry(blocklist: ReadonlySet<string>): number {
  let longest = longestEntryCache.get(blocklist);
  if (longest === undefined) {
    longest = 0;
    for (const entry of blocklist) longest = Math.max(longest, [...entry].length);
    longestEntryCache.set(blocklist, longest);
  }
  return longest;
}

/** The span [start, end) from the first to the last character matching the pattern, if any does. */
function span(chars: readonly string[], pattern: RegExp): [number, number] | undefined {
  const positions = chars.flatMap((ch, i) => (pattern.test(ch) ? [i] : []));
  return positions.length > 0 ? [positions[0], positions[positions.length - 1] + 1] : undefined;
}

/**
 * True when the password is a listed entry with only digits and special characters around it,
 * e.g. "Password123!" for "password". Every candidate keeps the password's core: its letters, or for a
 * password without letters its digits, so "99123456!" does not hit "123456" but "123456!" does.
 */
function isBlocklisted(lowerPassword: string, blocklist: ReadonlySet<string>): boolean {
  if (blocklist.has(lowerPassword)) return true;
  const chars = [...lowerPassword];
  const core = span(chars, LETTER) ?? span(chars, DIGIT);
  if (!core) return false;
  const [coreStart, coreEnd] = core;
  // Candidates longer than the longest entry cannot match; this keeps long passwords cheap.
  const maxLength = longestEntry(blocklist);
  for (let start = 0; start <= coreStart; start++) {
    const maxEnd = Math.min(chars.length, start + maxLength);
    for (let end = coreEnd; end <= maxEnd; end++) {
      if (blocklist.has(chars.slice(start, end).join(''))) return true;
    }
  }
  return false;
}

/** The policy's length rules alone (as with pwdCheckQuality 0): what the first administrator's password must pass. */
export function checkLength(password: string, policy: PasswordPolicy): QualityFailure | undefined {
  return checkQuality(password, { ...policy, checkQuality: 0 }, { mailNames: [] }, new Set());
}

/** The first rule the password breaks, in the documented order, or undefined when it passes them all. */
export function checkQuality(password: string, policy: PasswordPolicy, personal: PersonalData, blocklist: ReadonlySet<string>): QualityFailure | undefined {
  const chars = [...password];
  if (chars.length < policy.minLength) {
    return { error: PolicyError.passwordTooShort, message: `must be at least ${policy.minLength} characters` };
  }
  if (policy.maxLength > 0 && chars.length > policy.maxLength) {
    return { error: PolicyError.passwordTooLong, message: `must be at most ${policy.maxLength} characters` };
  }
  if (valueByteLength(password) > MAX_PASSWORD_BYTES) {
    return { error: PolicyError.passwordTooLong, message: `must be at most ${MAX_PASSWORD_BYTES} bytes` };
  }
  // As in OpenLDAP's ppolicy, pwdCheckQuality 0 turns off the quality rules but not the length rules.
  if (policy.checkQuality === 0) return undefined;

  const classFailure = checkClasses(countClasses(chars), policy);
  if (classFailure) return classFailure;

  const lowerPassword = password.toLowerCase();
  if (policy.rejectPersonal) {
    const personalFailure = checkPersonal(lowerPassword, personal);
    if (personalFailure) return personalFailure;
  }
  if (policy.blocklist && isBlocklisted(lowerPassword, blocklist)) {
    return quality('is too common (found in a list of common passwords)');
  }
  return undefined;
}

// Without look-alikes: no 0/O/o, 1/l/I, and no |, quotes or spaces.
const ALPHABETS = {
  upper: 'ABCDEFGHJKLMNPQRSTUVWXYZ',
  lower: 'abcdefghijkmnpqrstuvwxyz',
  digit: '23456789',
  special: '!#$%&*+-=?@^_~',
} as const;
type CharClass = keyof typeof ALPHABETS;
const ALL_CHARS = Object.values(ALPHABETS).join('');
const MAX_ATTEMPTS = 1000;

function pick(alphabet: string): string {
  return alphabet[randomInt(alphabet.length)];
}

function policyMinimum(policy: PasswordPolicy, charClass: CharClass): number {
  const byClass: Record<CharClass, number> = {
    upper: policy.minUpper,
    lower: policy.minLower,
    digit: policy.minDigit,
    special: policy.minSpecial,
  };
  return byClass[charClass];
}

/** How many of each class to place: at least 2 of each, fewer only when the maximum length leaves no room. */
function classQuotas(policy: PasswordPolicy, length: number): Record<CharClass, number> {
  const classes = Object.keys(ALPHABETS) as CharClass[];
  for (const floor of [2, 1, 0]) {
    const quotas = Object.fromEntries(classes.map((c) => [c, Math.max(floor, policyMinimum(policy, c))])) as Record<CharClass, number>;
    const total = Object.values(quotas).reduce((sum, n) => sum + n, 0);
    if (total <= length) return quotas;
  }
  throw new Error(`the password policy ${policy.dn} asks for more characters than its maximum length allows`);
}

function shuffle(chars: string[]): string[] {
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j], chars[i]];
  }
  return chars;
}

/** A random password that passes the policy's rules, for admin resets and new accounts. */
export function generatePassword(policy: PasswordPolicy, blocklist: ReadonlySet<string>, personal: PersonalData): string {
  let length = Math.max(policy.minLength, 16);
  if (policy.maxLength > 0) length = Math.min(length, policy.maxLength);
  if (length < policy.minLength) {
    throw new Error(`the password policy ${policy.dn} has a maximum length below its minimum length`);
  }
  const quotas = classQuotas(policy, length);
  // Checked as if every quality rule were on, so even a lax policy never hands out a common or personal password.
  const strict: PasswordPolicy = { ...policy, checkQuality: 1, rejectPersonal: true, blocklist: true };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const chars: string[] = [];
    for (const [charClass, count] of Object.entries(quotas) as Array<[CharClass, number]>) {
      for (let i = 0; i < count; i++) chars.push(pick(ALPHABETS[charClass]));
    }
    while (chars.length < length) chars.push(pick(ALL_CHARS));
    const password = shuffle(chars).join('');
    if (checkQuality(password, strict, personal, blocklist) === undefined) return password;
  }
  throw new Error(`cannot generate a password that passes the password policy ${policy.dn}`);
}
