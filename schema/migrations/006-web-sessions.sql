-- The portal's sessions, kept here so that every server worker knows them and a restart keeps them. Only
-- a hash of the session token is stored: the database does not hold what a browser presents. A session
-- goes with its person's entry, and with every password change (sign-out everywhere).
CREATE TABLE web_sessions (
  token_hash  TEXT PRIMARY KEY,
  entry_id    INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
  created_at  INTEGER NOT NULL,
  seen_at     INTEGER NOT NULL,
  restriction TEXT
);
CREATE INDEX web_sessions_entry ON web_sessions (entry_id);
