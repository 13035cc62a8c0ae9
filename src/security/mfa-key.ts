import { existsSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

/** What the directory holds sealed with the MFA key: how many enrolments (pending or confirmed), and one of their secrets. */
export interface SealedEnrolments {
  count: number;
  sample: string | undefined;
}

const restoreHint = (file: string) =>
  `restore it from a backup ("cairn restore BACKUP --force", or copy the key file from a backup back to ${file})`;

/**
 * The MFA key for a directory. A new key is made only while nobody is enrolled: with enrolments, a missing
 * key is refused (a new one would fail every MFA bind), and so is a key that does not open their secrets.
 */
export function openMfaKey(file: string, enrolled: SealedEnrolments): SecretBox {
  if (!existsSync(file)) {
    if (enrolled.count > 0) {
      throw new Error(`the MFA key ${file} is missing and ${enrolled.count} MFA enrolment(s) depend on it; ${restoreHint(file)}; a new key would lock them out`);
    }
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process (a worker) made it at the same moment: use that one.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the MFA key ${file}: ${(err as Error).message}`);
    }
  }
  const box = SecretBox.fromFile(file);
  if (enrolled.sample !== undefined) {
    try {
      box.open(enrolled.sample);
    } catch {
      throw new Error(`the MFA key ${file} does not open the MFA secrets stored in the directory (a different key?); ${restoreHint(file)}`);
    }
  }
  return box;
}
