-- Password-expiry reminders already sent: one row per account, password (its change time) and reminder,
-- so that a second run or a restart sends nothing twice, and a new password starts over.
CREATE TABLE reminders_sent (
  entry_id            INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
  password_changed_at TEXT NOT NULL,
  reminder            TEXT NOT NULL,
  sent_at             INTEGER NOT NULL,
  PRIMARY KEY (entry_id, password_changed_at, reminder)
);
