import Database from 'better-sqlite3';
import { statSync } from 'node:fs';

const WRITE_WAIT_MS = 1000;
const RETRY_MS = 50;

export type EntryKind = 'people' | 'groups' | 'services' | 'other';

/**
 * The serving process's own read connection to the database, for /readyz and the gauges read at scrape
 * time. It never waits on SQLite's busy handler (timeout 0): a check that finds the write lock taken looks
 * again a little later, so the event loop is never held.
 */
export class DatabaseProbe {
  private db?: Database.Database;

  constructor(private readonly file: string) {}

  private open(): Database.Database {
    this.db ??= new Database(this.file, { fileMustExist: true, timeout: 0 });
    return this.db;
  }

  /** Undefined when a write could start (the write lock taken, then let go, writing nothing); else why not. */
  async writable(): Promise<string | undefined> {
    const deadline = Date.now() + WRITE_WAIT_MS;
    for (;;) {
      try {
        const db = this.open();
        db.exec('BEGIN IMMEDIATE');
        db.exec('ROLLBACK');
        return undefined;
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (!code.startsWith('SQLITE_BUSY')) return `the database is not writable: ${(err as Error).message}`;
        if (Date.now() >= deadline) return `the database is not writable: its write lock has been held for over ${WRITE_WAIT_MS} ms`;
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }

  /**
   * Entries by kind: those below ou=people, ou=groups and ou=services of the naming context, and the rest
   * (the base, the organisational units, policies, anything else). A subtree is a range of `path`.
   */
  entriesByKind(): Record<EntryKind, number> {
    const db = this.open();
    const total = db.prepare('SELECT count(*) FROM entries').pluck().get() as number;
    const units = db.prepare('SELECT ndn, path FROM entries WHERE parent_id = (SELECT id FROM entries WHERE parent_id IS NULL ORDER BY id LIMIT 1)').all() as {
      ndn: string;
      path: string;
    }[];
    const below = db.prepare('SELECT count(*) FROM entries WHERE path > ? AND path < ?').pluck();
    const counts: Record<EntryKind, number> = { people: 0, groups: 0, services: 0, other: 0 };
    for (const kind of ['people', 'groups', 'services'] as const) {
      const unit = units.find((u) => u.ndn.startsWith(`ou=${kind},`));
      if (unit) counts[kind] = below.get(unit.path + ',', unit.path + '-') as number;
    }
    counts.other = total - counts.people - counts.groups - counts.services;
    return counts;
  }

  /** The database file and its write-ahead log, in bytes. */
  sizes(): { main: number; wal: number } {
    const size = (f: string) => {
      try {
        return statSync(f).size;
      } catch {
        return 0;
      }
    };
    return { main: size(this.file), wal: size(this.file + '-wal') };
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}
