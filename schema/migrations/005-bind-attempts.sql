-- Password checks in flight: a bind reserves one before its slow hash comparison, so that failures
-- recorded plus checks under way never exceed pwdMaxFailure, however many binds arrive at once and on
-- whichever worker process. Rows left by a crashed process are ignored once older than a minute.
CREATE TABLE bind_attempts (
  id         INTEGER PRIMARY KEY,
  entry_id   INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
  started_at INTEGER NOT NULL
);
CREATE INDEX bind_attempts_entry ON bind_attempts (entry_id, started_at);
