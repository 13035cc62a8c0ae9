import type Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Applies the numbered SQL files (`NNN-name.sql`) above the database's user_version, each in a transaction. */
export function migrate(db: Database.Database, dir: string): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const files = readdirSync(dir)
    .filter((f) => /^\d+-.*\.sql$/.test(f))
    .map((f) => ({ file: f, version: parseInt(f, 10) }))
    .sort((a, b) => a.version - b.version);
  const latest = files.length ? files[files.length - 1].version : 0;
  if (current > latest) {
    throw new Error(`the database is at schema version ${current}, newer than this Cairn (${latest}); upgrade Cairn`);
  }
  // A migration may edit a table's definition in place (PRAGMA writable_schema, for changes that leave the
  // stored rows as they are), which better-sqlite3's defensive mode forbids: it is lifted for migrations only.
  db.unsafeMode(true);
  try {
    for (const { file, version } of files) {
      if (version <= current) continue;
      const sql = readFileSync(join(dir, file), 'utf8');
      db.transaction(() => {
        db.exec(sql);
        db.pragma(`user_version = ${version}`);
      })();
    }
  } finally {
    db.unsafeMode(false);
  }
  return latest;
}
