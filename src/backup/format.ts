import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { SecretBox } from '../security/secret-box';

/**
 * A backup is one SQLite file: a consistent copy of the directory's database plus one table, cairn_backup,
 * holding what is needed to read it back (the MFA key, the data folder's TLS certificate and key) and a
 * format marker. Restore checks the marker and removes the table.
 */
export const BACKUP_TABLE = 'cairn_backup';
export const BACKUP_FORMAT = 'cairn-backup-1';

/** The files a backup carries, by their name in cairn_backup, and the mode each is written back with. */
export const CARRIED_FILES = {
  mfaKey: { name: 'mfa.key', mode: 0o600 },
  tlsCert: { name: 'tls/cert.pem', mode: 0o644 },
  tlsKey: { name: 'tls/key.pem', mode: 0o600 },
} as const;
export type CarriedFile = keyof typeof CARRIED_FILES;
export type CarriedContents = Partial<Record<CarriedFile, Buffer>>;

export interface BackupContents {
  entries: number;
  /** People (and services) with a confirmed MFA enrolment. */
  mfaPeople: number;
  created: string;
  files: CarriedContents;
}

/** How many entries and confirmed MFA enrolments a database holds. */
export function countContents(db: Database.Database): { entries: number; mfaPeople: number } {
  return {
    entries: db.prepare('SELECT count(*) FROM entries').pluck().get() as number,
    mfaPeople: db.prepare('SELECT count(*) FROM totp WHERE confirmed = 1').pluck().get() as number,
  };
}

/**
 * Refuses key material that cannot read the database's MFA secrets: without the right key, a restored
 * directory would refuse every enrolled person.
 */
export function checkMfaKey(db: Database.Database, key: Buffer | undefined, source: string): void {
  const sealed = db.prepare('SELECT secret FROM totp LIMIT 1').pluck().get() as string | undefined;
  if (sealed === undefined) return;
  if (!key) throw new Error(`${source}: the database holds MFA secrets but there is no MFA key to read them with`);
  const box = SecretBox.fromKeyFileContents(key, `${source}: the MFA key`);
  try {
    box.open(sealed);
  } catch {
    throw new Error(`${source}: the MFA key does not open the MFA secrets in the database (a different key?)`);
  }
}

/** Adds the marker and the carried files to a fresh copy of the database. */
export function writeBackupTable(db: Database.Database, files: CarriedContents, created: string): void {
  db.exec(`CREATE TABLE ${BACKUP_TABLE} (name TEXT PRIMARY KEY, value BLOB NOT NULL)`);
  const put = db.prepare(`INSERT INTO ${BACKUP_TABLE} (name, value) VALUES (?, ?)`);
  db.transaction(() => {
    put.run('format', BACKUP_FORMAT);
    put.run('created', created);
    for (const [file, contents] of Object.entries(files) as [CarriedFile, Buffer][]) put.run(CARRIED_FILES[file].name, contents);
  })();
}

/** Reads and checks a backup file without changing it: an SQLite file, intact, with Cairn's marker and a key that fits. */
export function inspectBackup(file: string): BackupContents {
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  const notBackup = (why: string) => new Error(`${file} is not a Cairn backup (${why}); make one with "cairn backup"`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw notBackup((err as Error).message);
  }
  try {
    let problems: string[];
    try {
      problems = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_NOTADB') throw notBackup((err as Error).message);
      throw new Error(`${file} is damaged: ${(err as Error).message}`, { cause: err });
    }
    if (problems.length !== 1 || problems[0] !== 'ok') throw new Error(`${file} is damaged: ${problems.slice(0, 3).join('; ')}`);
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(BACKUP_TABLE) === undefined)
      throw notBackup(`no ${BACKUP_TABLE} table`);
    const rows = db.prepare(`SELECT name, value FROM ${BACKUP_TABLE}`).all() as { name: string; value: Buffer | string }[];
    const get = (name: string) => {
      const v = rows.find((r) => r.name === name)?.value;
      return v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(v, 'latin1');
    };
    const format = get('format')?.toString('latin1');
    if (format !== BACKUP_FORMAT) throw notBackup(`format "${format ?? 'none'}", this Cairn reads ${BACKUP_FORMAT}`);
    const files: CarriedContents = {};
    for (const [file, { name }] of Object.entries(CARRIED_FILES) as [CarriedFile, { name: string }][]) {
      const contents = get(name);
      if (contents) files[file] = contents;
    }
    let counts;
    try {
      counts = countContents(db);
    } catch (err) {
      throw notBackup((err as Error).message);
    }
    checkMfaKey(db, files.mfaKey, file);
    return { ...counts, created: get('created')?.toString('latin1') ?? 'unknown', files };
  } finally {
    db.close();
  }
}
