import { timingSafeEqual } from 'node:crypto';
import { argon2Check, isArgon2 } from './hashes/argon2';
import { bcryptCheck, isBcryptHash } from './hashes/bcrypt';
import { DES_CRYPT, desCrypt } from './hashes/des-crypt';
import { DIGESTS, digestCheck, isDigest } from './hashes/digests';
import { MD5_CRYPT, md5Crypt } from './hashes/md5-crypt';
import { PBKDF2_DIGESTS, parsePbkdf2, pbkdf2Key } from './hashes/pbkdf2';
import { isShaCrypt, SHA_CRYPT, shaCrypt } from './hashes/sha-crypt';
import { parseYescrypt, yescryptHash } from './hashes/yescrypt';

/**
 * The `{SCHEME}` password hashes Cairn verifies: every scheme a real OpenLDAP directory holds, so that a
 * directory can be imported as it is. Cairn writes bcrypt only; any other hash is replaced with bcrypt at
 * the first successful bind. Each family lives in its own file under hashes/; this file knows which
 * family a stored value belongs to, its name for reports, and whether it is well-formed.
 */

const SCHEME = /^\{([A-Z0-9-]+)\}(.*)$/is;

interface Family {
  /** The name reports use: `CRYPT-SHA512`, `BCRYPT`, `SSHA`, `PBKDF2-SHA256`, `ARGON2`… */
  name: string;
  /** Cheap enough to run on the event loop (a single digest); everything else goes to the worker threads. */
  fast: boolean;
  /** Native code that leaves the event loop by itself (libuv's thread pool): no hash thread is needed. */
  native?: boolean;
  wellFormed(text: string): boolean;
  verify(password: Buffer, text: string): boolean | Promise<boolean>;
}

/** The `{CRYPT}` families, tried in order on the text after `{CRYPT}`. */
const CRYPT_FAMILIES: [RegExp, Family][] = [
  [/^\$2[a-z]\$/, { name: 'BCRYPT', fast: false, native: true, wellFormed: isBcryptHash, verify: (pw, t) => bcryptCheck(pw, t) }],
  [/^\$1\$/, { name: 'CRYPT-MD5', fast: false, wellFormed: (t) => MD5_CRYPT.test(t), verify: md5Verify }],
  [/^\$apr1\$/, { name: 'CRYPT-APR1', fast: false, wellFormed: (t) => MD5_CRYPT.test(t), verify: md5Verify }],
  [/^\$5\$/, { name: 'CRYPT-SHA256', fast: false, wellFormed: isShaCrypt, verify: shaVerify }],
  [/^\$6\$/, { name: 'CRYPT-SHA512', fast: false, wellFormed: isShaCrypt, verify: shaVerify }],
  [/^\$y\$/, { name: 'CRYPT-YESCRYPT', fast: false, wellFormed: (t) => parseYescrypt(t) !== undefined, verify: yescryptVerify }],
  [
    /^[./0-9A-Za-z]{13}$/,
    { name: 'CRYPT-DES', fast: false, wellFormed: (t) => DES_CRYPT.test(t), verify: async (pw, t) => same(await desCrypt(pw, t.slice(0, 2)), t) },
  ],
];

/** `{CRYPT}` variants Cairn does not verify, named so that a report can say which one was refused. */
const OTHER_CRYPTS: [RegExp, string][] = [
  [/^\$7\$/, 'CRYPT-SCRYPT'],
  [/^\$gy\$/, 'CRYPT-GOST-YESCRYPT'],
  [/^\$sha1\$/, 'CRYPT-SHA1'],
  [/^\$md5[$,]/, 'CRYPT-SUNMD5'],
  [/^\$3\$/, 'CRYPT-NT'],
  [/^_/, 'CRYPT-BSDI'],
];

const OTHER_SCHEMES: Record<string, Family> = {
  ARGON2: { name: 'ARGON2', fast: false, wellFormed: isArgon2, verify: (pw, t) => argon2Check(pw, t) },
};
for (const scheme of Object.keys(DIGESTS)) {
  OTHER_SCHEMES[scheme] = { name: scheme, fast: true, wellFormed: (t) => isDigest(scheme, t), verify: (pw, t) => digestCheck(pw, scheme, t) };
}
for (const scheme of Object.keys(PBKDF2_DIGESTS)) {
  OTHER_SCHEMES[scheme] = {
    name: scheme,
    fast: false,
    wellFormed: (t) => parsePbkdf2(scheme, t) !== undefined,
    verify: (pw, t) => {
      const h = parsePbkdf2(scheme, t);
      return h !== undefined && timingSafeEqual(pbkdf2Key(pw, h), h.key);
    },
  };
}

interface Classified {
  /** The name for reports, known or not. */
  name: string;
  text: string;
  family?: Family;
}

function classify(value: string): Classified | undefined {
  const m = SCHEME.exec(value);
  if (!m) return undefined;
  const scheme = m[1].toUpperCase();
  const text = m[2];
  if (scheme !== 'CRYPT') {
    const family = OTHER_SCHEMES[scheme];
    return { name: family?.name ?? scheme, text, family };
  }
  const known = CRYPT_FAMILIES.find(([pattern]) => pattern.test(text));
  if (known) return { name: known[1].name, text, family: known[1] };
  return { name: OTHER_CRYPTS.find(([pattern]) => pattern.test(text))?.[1] ?? 'CRYPT', text };
}

/** The scheme of a stored userPassword value for reports (`CRYPT-SHA512`, `BCRYPT`, `SSHA`…); undefined if it is not a `{…}` hash. */
export function hashScheme(value: string): string | undefined {
  return classify(value)?.name;
}

/** True when a userPassword value is a well-formed hash of a scheme Cairn verifies (and must not hash again). */
export function isSupportedHash(value: string): boolean {
  const c = classify(value);
  return c?.family !== undefined && c.family.wellFormed(c.text);
}

/** True when a value looks like a `{SCHEME}` hash Cairn cannot verify: refuse it rather than store it as text. */
export function looksLikeUnsupportedHash(value: string): boolean {
  return SCHEME.test(value) && !isSupportedHash(value);
}

/** True for the `{CRYPT}` bcrypt Cairn writes itself (any other hash is replaced after a successful bind). */
export function isBcrypt(stored: string): boolean {
  const c = classify(stored);
  return c?.family?.name === 'BCRYPT' && c.family.wellFormed(c.text);
}

/** True when verifying against this stored hash is a single digest, cheap enough for the event loop. */
export function verifiesInline(stored: string): boolean {
  return classify(stored)?.family?.fast === true;
}

/** True when verifying against this stored hash runs off the event loop without a hash thread. */
export function verifiesNatively(stored: string): boolean {
  return classify(stored)?.family?.native === true;
}

/**
 * Whether a password (its exact bytes) matches a stored hash. A hash Cairn does not verify, or a
 * malformed one, never matches. As in OpenLDAP, a password with a NUL byte never matches a crypt(3) hash
 * from elsewhere (crypt(3) would have cut it there); bcrypt, which Cairn writes over every byte, is exempt.
 */
export async function verifyHash(password: Uint8Array, stored: string): Promise<boolean> {
  const c = classify(stored);
  if (!c?.family || !c.family.wellFormed(c.text)) return false;
  const pw = Buffer.from(password.buffer, password.byteOffset, password.byteLength);
  if (/^\{crypt\}/i.test(stored) && c.family.name !== 'BCRYPT' && pw.includes(0)) return false;
  try {
    return await c.family.verify(pw, c.text);
  } catch {
    return false; // a library that cannot read a hash we took for well-formed: it cannot match
  }
}

function same(computed: string, stored: string): boolean {
  const a = Buffer.from(computed, 'utf16le');
  const b = Buffer.from(stored, 'utf16le');
  return a.length === b.length && timingSafeEqual(a, b);
}

function md5Verify(pw: Buffer, text: string): boolean {
  const m = MD5_CRYPT.exec(text);
  return m !== null && same(md5Crypt(pw, m[1], m[2]), text);
}

function shaVerify(pw: Buffer, text: string): boolean {
  const m = SHA_CRYPT.exec(text);
  if (!m) return false;
  return same(shaCrypt(pw, m[1] as '5' | '6', m[3] === undefined ? undefined : Number(m[3]), m[4]), text);
}

function yescryptVerify(pw: Buffer, text: string): boolean {
  const setting = parseYescrypt(text);
  return setting !== undefined && same(yescryptHash(pw, setting), text);
}
