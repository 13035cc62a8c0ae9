-- App passwords: for programs that bind over LDAP with a person's name (a mail client through Dovecot, a
-- NAS, a printer's address book). Generated, named, bcrypt only, scoped to where the bind may come from;
-- never the portal, never a password change. Gone with the entry.
CREATE TABLE app_passwords (
  id           INTEGER PRIMARY KEY,
  entry_id     INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  hash         TEXT NOT NULL,
  scope        TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  UNIQUE (entry_id, name)
);
