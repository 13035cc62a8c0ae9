import Database from 'better-sqlite3';
import {
  chmodSync,
  closeSync,
  constants,
  copyFileSync,
  createReadStream,
  existsSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Config } from '../config';
import { dataPaths, mfaKeyFile } from '../data-folder';
import { checkMfaKey, countContents, writeBackupTable, type CarriedContents } from './format';

export interface BackupSummary {
  entries: number;
  mfaPeople: number;
  bytes: number;
  /** The names of the carried files: mfa.key, tls/cert.pem, tls/key.pem. */
  carried: (keyof CarriedContents)[];
}

/** The key material of a data folder: the MFA key wherever the configuration puts it, and the folder's own TLS pair. */
function carriedFiles(dataDir: string, config: Config): CarriedContents {
  const paths = dataPaths(dataDir);
  const read = (file: string) => (existsSync(file) ? readFileSync(file) : undefined);
  const files: CarriedContents = { mfaKey: read(mfaKeyFile(config, dataDir)), tlsCert: read(paths.cert), tlsKey: read(paths.key) };
  if (!files.tlsCert || !files.tlsKey) {
    delete files.tlsCert;
    delete files.tlsKey;
  }
  if (!files.mfaKey) delete files.mfaKey;
  return files;
}

function fsyncFile(file: string) {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Puts the finished file in place unless something appeared there meanwhile (where rename would replace it). */
function placeWithoutReplacing(tmp: string, dest: string, shown: string) {
  try {
    linkSync(tmp, dest);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new Error(`${shown} exists; refusing to overwrite it (--force replaces it)`, { cause: err });
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
    // A file system without hard links: an exclusive copy keeps the promise, at the cost of a second write.
    copyFileSync(tmp, dest, constants.COPYFILE_EXCL);
    chmodSync(dest, 0o600);
  }
}

/**
 * Writes a backup of the data folder to `target` (or standard output for "-") while servers may be writing:
 * VACUUM INTO reads the database in one read transaction, so the copy is the state at one instant (WAL lets
 * writers go on meanwhile). The copy is made next to the target (mode 0600), completed, flushed, then put
 * in place in one step: a failed backup leaves no partial file, and an existing file is replaced only with
 * `force`.
 */
export async function makeBackup(dataDir: string, config: Config, target: string, force: boolean): Promise<BackupSummary> {
  const paths = dataPaths(dataDir);
  if (!existsSync(paths.database)) throw new Error(`no directory in ${paths.dir} to back up`);
  const toStdout = target === '-';
  const dest = resolve(target);
  if (!toStdout && existsSync(dest) && !force) throw new Error(`${target} exists; refusing to overwrite it (--force replaces it)`);
  if (!toStdout && !existsSync(dirname(dest))) throw new Error(`cannot write ${target}: the folder ${dirname(dest)} does not exist`);
  const tmp = toStdout ? join(tmpdir(), `cairn-backup-${process.pid}-${Date.now()}.sqlite`) : join(dirname(dest), `.${basename(dest)}.${process.pid}.tmp`);
  writeFileSync(tmp, '', { mode: 0o600, flag: 'wx' });
  try {
    const source = new Database(paths.database, { fileMustExist: true, timeout: 10000 });
    try {
      source.prepare('VACUUM INTO ?').run(tmp);
    } finally {
      source.close();
    }
    const files = carriedFiles(dataDir, config);
    const copy = new Database(tmp, { fileMustExist: true });
    let counts;
    try {
      copy.pragma('journal_mode = DELETE');
      copy.pragma('synchronous = FULL');
      checkMfaKey(copy, files.mfaKey, mfaKeyFile(config, dataDir));
      writeBackupTable(copy, files, new Date().toISOString());
      counts = countContents(copy);
    } finally {
      copy.close();
    }
    fsyncFile(tmp);
    const bytes = statSync(tmp).size;
    if (toStdout) {
      await new Promise<void>((done, failed) => {
        const stream = createReadStream(tmp);
        stream.on('error', failed);
        stream.on('end', () => done());
        stream.pipe(process.stdout, { end: false });
      });
    } else if (force) {
      renameSync(tmp, dest);
    } else {
      placeWithoutReplacing(tmp, dest, target);
    }
    return { ...counts, bytes, carried: Object.keys(files) as (keyof CarriedContents)[] };
  } finally {
    rmSync(tmp, { force: true });
  }
}
