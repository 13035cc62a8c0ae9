-- Earlier password hashes, for the policy's pwdInHistory; secrets, so never attribute rows.
CREATE TABLE password_history (
  entry_id   INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
  hash       TEXT NOT NULL,
  changed_at INTEGER NOT NULL
);
CREATE INDEX password_history_entry ON password_history(entry_id, changed_at);
