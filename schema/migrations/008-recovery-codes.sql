-- MFA recovery codes: a set made at once (a new set replaces the old one), each usable once to sign in to
-- the portal or to reset a forgotten password when the phone is lost. Only a keyed hash of each code is
-- stored. They go with the MFA secret (an MFA reset) and with the entry.
CREATE TABLE recovery_codes (
  entry_id   INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
  code_hash  TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  used_at    INTEGER,
  PRIMARY KEY (entry_id, code_hash)
);
