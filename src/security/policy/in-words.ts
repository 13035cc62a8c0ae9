import type { PasswordPolicy } from './types';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The password policy as a person reads it, one rule a line. */
export function policyInWords(p: PasswordPolicy): string[] {
  const rules: string[] = [];
  if (p.minLength > 0) rules.push(`at least ${plural(p.minLength, 'character')}${p.maxLength > 0 ? ` and at most ${p.maxLength}` : ''}`);
  if (p.minClasses > 0) rules.push(`at least ${p.minClasses} of: capital letters, lower-case letters, digits, special characters`);
  if (p.minUpper > 0) rules.push(`at least ${plural(p.minUpper, 'capital letter')}`);
  if (p.minLower > 0) rules.push(`at least ${plural(p.minLower, 'lower-case letter')}`);
  if (p.minDigit > 0) rules.push(`at least ${plural(p.minDigit, 'digit')}`);
  if (p.minSpecial > 0) rules.push(`at least ${plural(p.minSpecial, 'special character')}`);
  if (p.rejectPersonal) rules.push('not containing your user name, your name or your mail address');
  if (p.blocklist) rules.push('not a common password');
  if (p.inHistory > 0) rules.push(`not one of your last ${plural(p.inHistory, 'password')}`);
  return rules;
}
