import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** A client configuration from config/clients/, as an administrator copies it. */
export function readTemplate(name: string): string {
  return readFileSync(join(ROOT, 'config', 'clients', name), 'utf8');
}

/** The configuration with its @NAME@ placeholders filled in; a placeholder without a value is an error. */
export function fillTemplate(text: string, values: Record<string, string | number>): string {
  return text.replace(/@([A-Z_]+)@/g, (whole, key: string) => {
    if (!(key in values)) throw new Error(`no value for ${whole}`);
    return String(values[key]);
  });
}

/** The values the README's copies of the configurations show. */
export const README_VALUES = {
  URI: 'ldap://ldap.example.com',
  HOST: 'ldap.example.com',
  PORT: 389,
  BASE: 'dc=example,dc=com',
  SCHEMA: 'rfc2307bis',
  BIND_DN: 'cn=CLIENT,ou=services,dc=example,dc=com',
  BIND_PASSWORD: 'the-password-cairn-printed',
  CA_FILE: '/etc/ssl/certs/cairn.pem',
  CACHE_SECONDS: 600,
};

/** A configuration as the README shows it: the example values, without the header comment. */
export function readmeCopy(name: string, client: string): string {
  const lines = fillTemplate(readTemplate(name), { ...README_VALUES, BIND_DN: README_VALUES.BIND_DN.replace('CLIENT', client) }).split('\n');
  while (lines.length && lines[0].startsWith('#')) lines.shift();
  return lines.join('\n').trim();
}
