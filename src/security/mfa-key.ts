import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

/** What the directory holds sealed with the MFA key: how many enrolments (pending or confirmed), and one of their secrets. */
export interface SealedEnrolments {
  count: number;
  sample: string | undefined;
}

const restoreHint = (file: string) =>
  `put the right key back: copy the original key file to ${file}, or bring back a backup made by "cairn backup" with "cairn restore BACKUP --force" (it carries the key); without either, "cairn mfa new-key --reset-enrolments" starts over`;

/**
 * The MFA key for a directory. A new key is made only while nobody is enrolled: with enrolments, a missing
 * key is refused (a new one would fail every MFA bind), and so is a key that does not open their secrets.
 */
export function openMfaKey(file: string, enrolled: SealedEnrolments): SecretBox {
  if (!existsSync(file)) {
    if (enrolled.count > 0) {
      throw new Error(
        `the MFA key ${file} is missing and ${enrolled.count} MFA enrolment(s) depend on it; ${restoreHint(file)}; a new key would lock them out`,
      );
    }
    try {
      writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process (a worker) made it at the same moment: use that one.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the MFA key ${file}: ${(err as Error).message}`, { cause: err });
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

/** Whether the key file is there and opens the sample secret: what decides that "cairn mfa new-key" may replace it. */
export function mfaKeyWorks(file: string, enrolled: SealedEnrolments): boolean {
  if (!existsSync(file)) return false;
  try {
    openMfaKey(file, enrolled);
    return true;
  } catch {
    return false;
  }
}

/** Writes a new key file; a key file already there is renamed to FILE.replaced-TIME, never deleted. Returns where it went. */
export function writeNewMfaKey(file: string): string | undefined {
  let aside: string | undefined;
  if (existsSync(file)) {
    aside = `${file}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(file, aside);
  }
  writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return aside;
}
