import { valueBytes } from '../bytes';
import { isAttributeDescription } from './parse';
import { LdifAttribute } from './types';

const MAX_LINE_LENGTH = 76;

export function ldifHeader(): string {
  return 'version: 1\n\n';
}

/** Writes a content record (dn, then one line per value), folded at 76 columns and ended by a blank line. */
export function formatLdifRecord(record: { dn: string; attributes: LdifAttribute[] }): string {
  const lines = [formatLine('dn', record.dn)];
  for (const attribute of record.attributes) {
    if (!isAttributeDescription(attribute.name)) {
      throw new Error(`cannot write LDIF: invalid attribute description "${attribute.name}"`);
    }
    for (const value of attribute.values) lines.push(formatLine(attribute.name, value));
  }
  return `${lines.map(fold).join('\n')}\n\n`;
}

function formatLine(name: string, value: string): string {
  if (value === '') return `${name}:`;
  if (isSafeString(value)) return `${name}: ${value}`;
  return `${name}:: ${valueBytes(value).toString('base64')}`;
}

/**
 * RFC 2849 SAFE-STRING, made stricter: control characters and DEL are base64-encoded too, and so is a trailing
 * space (which RFC 2849 says SHOULD be), so nothing invisible or easily stripped is written as plain text.
 */
function isSafeString(value: string): boolean {
  if (value[0] === ' ' || value[0] === ':' || value[0] === '<' || value.endsWith(' ')) return false;
  return /^[\x20-\x7e]*$/.test(value);
}

/** Every written line is ASCII, so folding by UTF-16 index never splits a character. */
function fold(line: string): string {
  if (line.length <= MAX_LINE_LENGTH) return line;
  const parts = [line.slice(0, MAX_LINE_LENGTH)];
  for (let i = MAX_LINE_LENGTH; i < line.length; i += MAX_LINE_LENGTH - 1) {
    parts.push(` ${line.slice(i, i + MAX_LINE_LENGTH - 1)}`);
  }
  return parts.join('\n');
}
