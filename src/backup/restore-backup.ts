import Database from 'better-sqlite3';
import { chmodSync, constants, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config';
import { migrationsDir } from '../paths';
import { dataPaths, mfaKeyFile } from '../data-folder';
import { migrate } from '../store/migrate';
import { BACKUP_TABLE, CARRIED_FILES, inspectBackup, type CarriedFile } from './format';
import { assertNotInUse } from './in-use';

export interface RestoreSummary {
  entries: number;
  mfaPeople: number;
  /** When the backup was taken (ISO 8601). */
  created: string;
  /** Where what the restore replaced was put, when it replaced anything. */
  replacedDir?: string;
}

/** Writes a file in one step (a temporary file renamed over it), with exactly the given mode. */
function writeReplacing(file: string, contents: Buffer, mode: number) {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/**
 * Brings a backup back into a data folder. Everything is checked before anything changes: the file (intact,
 * a Cairn backup, a key that opens its MFA secrets, a schema this Cairn can migrate), and the folder (no
 * directory, or `force` and no process using it). The database is prepared as a copy inside the folder
 * and migrated there; then whatever it replaces is moved to replaced-TIME/ in the folder (never deleted),
 * the key files are written (mode 0600), and the database is renamed into place last.
 */
export function restoreBackup(file: string, dataDir: string, config: Config, force: boolean): RestoreSummary {
  const backup = inspectBackup(file);
  const paths = dataPaths(dataDir);
  const targets: Record<CarriedFile, string> = { mfaKey: mfaKeyFile(config, dataDir), tlsCert: paths.cert, tlsKey: paths.key };
  const hasDirectory = existsSync(paths.database);
  if (hasDirectory && !force)
    throw new Error(`${paths.dir} already holds a directory; refusing to replace it (--force replaces it and keeps the old one aside)`);
  if (hasDirectory) assertNotInUse(paths.database, paths.database);

  const createdDir = !existsSync(paths.dir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const tmp = join(paths.dir, `.restore-${process.pid}.sqlite`);
  try {
    copyFileSync(resolve(file), tmp, constants.COPYFILE_EXCL);
    chmodSync(tmp, 0o600);
    const db = new Database(tmp, { fileMustExist: true });
    try {
      db.exec(`DROP TABLE ${BACKUP_TABLE}`);
      migrate(db, migrationsDir);
    } finally {
      db.close();
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    if (createdDir) rmSync(paths.dir, { recursive: true, force: true });
    throw new Error(`${file}: ${(err as Error).message}; nothing was restored`, { cause: err });
  }

  const aside = join(paths.dir, `replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  let replacedAny = false;
  const putAside = (path: string, name: string) => {
    if (!existsSync(path)) return;
    const to = join(aside, name);
    mkdirSync(dirname(to), { recursive: true, mode: 0o700 });
    try {
      renameSync(path, to);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      copyFileSync(path, to); // a key file configured on another file system: it is overwritten below
    }
    replacedAny = true;
  };
  for (const suffix of ['', '-wal', '-shm']) putAside(paths.database + suffix, `cairn.sqlite${suffix}`);
  for (const [item, contents] of Object.entries(backup.files) as [CarriedFile, Buffer][]) {
    const target = targets[item];
    if (existsSync(target) && !readFileSync(target).equals(contents)) putAside(target, CARRIED_FILES[item].name);
    writeReplacing(target, contents, CARRIED_FILES[item].mode);
  }
  renameSync(tmp, paths.database);
  return { entries: backup.entries, mfaPeople: backup.mfaPeople, created: backup.created, replacedDir: replacedAny ? aside : undefined };
}
