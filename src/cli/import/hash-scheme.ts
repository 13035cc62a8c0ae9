/**
 * STAND-IN until src/security's hashScheme(value) is merged: replace the import of this file with it.
 * The scheme of a userPassword value as a person reads it: "SSHA", "CRYPT (bcrypt)", "cleartext", ….
 */
export function hashScheme(value: string): string {
  const m = /^\{([A-Za-z0-9._-]+)\}(.*)$/s.exec(value);
  if (!m) return 'cleartext';
  const scheme = m[1].toUpperCase();
  if (scheme !== 'CRYPT') return scheme;
  if (/^\$2[abxy]?\$/.test(m[2])) return 'CRYPT (bcrypt)';
  if (/^\$1\$/.test(m[2])) return 'CRYPT (MD5)';
  if (/^\$5\$/.test(m[2])) return 'CRYPT (SHA-256)';
  if (/^\$6\$/.test(m[2])) return 'CRYPT (SHA-512)';
  return 'CRYPT (DES)';
}
