import Database from 'better-sqlite3';

/**
 * Refuses when any process has the database open, a running server above all: an open WAL connection
 * keeps a shared lock on the file, so taking it in exclusive locking mode fails at once. Costs one open.
 * A file SQLite cannot read is in use by nobody (a server would not have started on it).
 */
export function assertNotInUse(database: string, what: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(database, { fileMustExist: true, timeout: 500 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new Error(`${what} is in use by a running Cairn server or command; stop it first`, { cause: err });
    }
  } finally {
    db?.close();
  }
}
