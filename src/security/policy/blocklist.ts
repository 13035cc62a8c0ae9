import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configDir } from '../../paths';

const defaultFile = join(configDir, 'common-passwords.txt');
const cache = new Map<string, ReadonlySet<string>>();

/**
 * The common passwords in a text file, one a line, lower-cased; blank lines and lines starting with # are skipped.
 * Read once per file.
 */
export function loadBlocklist(file: string = defaultFile): ReadonlySet<string> {
  const path = resolve(file);
  let entries = cache.get(path);
  if (!entries) {
    const lines = readFileSync(path, 'utf8').split(/\r?\n/);
    entries = new Set(lines.map((line) => line.trim().toLowerCase()).filter((line) => line !== '' && !line.startsWith('#')));
    cache.set(path, entries);
  }
  return entries;
}
