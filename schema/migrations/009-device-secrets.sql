-- Device credentials (Wi-Fi): the NT hash MSCHAPv2 needs, for credentials Cairn generated for one device
-- (never for a login password). Kept apart from the entry like every secret; gone with the entry.
CREATE TABLE device_secrets (
  entry_id     INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
  nt_hash      TEXT NOT NULL,
  last_used_at INTEGER
);
