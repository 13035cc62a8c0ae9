-- Each value is indexed once. The second index of attr_index (by entry) held every row again: a third of
-- the database. The store now computes an entry's rows from its attributes (through the schema, as it did
-- when it wrote them) to change or delete them, so it needs no lookup by entry, and the foreign key
-- (whose ON DELETE CASCADE would scan the whole table without that index) goes too. Removing a foreign key
-- does not change how rows are stored, so the table's definition is edited in place (SQLite's documented
-- procedure for such changes: https://sqlite.org/lang_altertable.html#otheralter), not copied.
DROP INDEX attr_index_entry;
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = 'CREATE TABLE attr_index (
  attr     TEXT NOT NULL,
  norm     TEXT NOT NULL,
  entry_id INTEGER NOT NULL,
  PRIMARY KEY (attr, norm, entry_id)
) WITHOUT ROWID' WHERE type = 'table' AND name = 'attr_index';
PRAGMA writable_schema = RESET;
-- The index was built by the schema of its time: the store rebuilds it once, under the schema it opens with.
DELETE FROM meta WHERE key = 'index_fingerprint';
