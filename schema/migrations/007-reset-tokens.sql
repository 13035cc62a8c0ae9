-- Forgotten passwords: one reset link per account at a time (a newer request replaces it), stored only
-- as a hash of the token the mail carries, spent on use, gone with the entry.
CREATE TABLE reset_tokens (
  entry_id     INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
  token_hash   TEXT NOT NULL UNIQUE,
  requested_at INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
