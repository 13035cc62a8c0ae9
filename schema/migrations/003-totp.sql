-- TOTP secrets (encrypted with the data folder's key; never attribute rows) and the last time step each
-- account used, so a code is accepted once.
CREATE TABLE totp (
  entry_id   INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
  secret     TEXT NOT NULL,
  confirmed  INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  last_step  INTEGER NOT NULL DEFAULT 0
);

-- A code accepted for a client address may be sent again, identical, for a short while: sssd and nslcd
-- bind two or three times with the same typed password+code while changing a password.
CREATE TABLE totp_reuse (
  entry_id   INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
  client     TEXT NOT NULL,
  code_mac   TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (entry_id, client, code_mac)
);
