-- Entries: the DN in three forms, and the attributes (display names and values) as one JSON object,
-- so an entry is read with one row lookup. attr_index holds the normalised values that filters use.
CREATE TABLE entries (
  id        INTEGER PRIMARY KEY,
  parent_id INTEGER REFERENCES entries(id),
  dn        TEXT NOT NULL,
  ndn       TEXT NOT NULL UNIQUE,
  -- normalised RDNs from the root down, joined by ','; a subtree is a range of this column
  path      TEXT NOT NULL UNIQUE,
  attrs     TEXT NOT NULL
);
CREATE INDEX entries_parent ON entries(parent_id, id);

CREATE TABLE attr_index (
  attr     TEXT NOT NULL,
  norm     TEXT NOT NULL,
  entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
  PRIMARY KEY (attr, norm, entry_id)
) WITHOUT ROWID;
CREATE INDEX attr_index_entry ON attr_index(entry_id, attr);

-- Secrets never live in entries or attr_index, so no search can return them.
CREATE TABLE credentials (
  entry_id   INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
  hash       TEXT NOT NULL,
  changed_at INTEGER NOT NULL
);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
