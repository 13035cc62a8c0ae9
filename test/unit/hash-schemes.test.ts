import { expect } from 'chai';
import { isUtf8 } from 'node:buffer';
import { scryptSync } from 'node:crypto';
import bcryptjs from 'bcryptjs';
import { valueFromBytes } from '../../src/bytes';
import { hashQueue, hashThreads } from '../../src/metrics/counts';
import { HashPool } from '../../src/security/hash-pool';
import { hashScheme, isBcrypt, isSupportedHash, looksLikeUnsupportedHash, verifiesInline, verifyHash } from '../../src/security/hash-schemes';
import { encodeLittleEndian64 } from '../../src/security/hashes/crypt64';
import { PasswordHasher } from '../../src/security/passwords';
import fixture from '../fixtures/hashes.json';

/** Hashes made by slappasswd, mkpasswd (libxcrypt), openssl, htpasswd and argon2 (test/fixtures/make-hashes.py). */
const vectors = fixture.vectors.map((v) => ({ ...v, password: Buffer.from(v.password, 'hex'), wrong: v.wrong.map((w) => Buffer.from(w, 'hex')) }));
const label = (b: Buffer) => JSON.stringify(valueFromBytes(b));

describe('password hash schemes', function () {
  this.timeout(120_000);

  describe('every vector from the real tools', () => {
    for (const v of vectors) {
      it(`${v.scheme} ${v.hash.slice(0, 28)}… accepts ${label(v.password)} and refuses ${v.wrong.map(label).join(', ')}`, async () => {
        expect(hashScheme(v.hash)).to.equal(v.scheme);
        expect(isSupportedHash(v.hash), 'supported').to.equal(true);
        expect(looksLikeUnsupportedHash(v.hash)).to.equal(false);
        expect(await verifyHash(v.password, v.hash), 'right password').to.equal(true);
        for (const w of v.wrong) expect(await verifyHash(w, v.hash), `wrong password ${label(w)}`).to.equal(false);
      });
    }
  });

  it('the fixture covers every scheme the task names, with a non-UTF-8 password for each', () => {
    const schemes = new Set(vectors.map((v) => v.scheme));
    for (const s of [
      'CRYPT-SHA512',
      'CRYPT-SHA256',
      'CRYPT-MD5',
      'CRYPT-APR1',
      'CRYPT-DES',
      'CRYPT-YESCRYPT',
      'BCRYPT',
      'MD5',
      'SMD5',
      'SHA',
      'SSHA',
      'SHA256',
      'SSHA256',
      'SHA512',
      'SSHA512',
      'PBKDF2',
      'PBKDF2-SHA1',
      'PBKDF2-SHA256',
      'PBKDF2-SHA512',
      'ARGON2',
    ]) {
      expect(schemes.has(s), s).to.equal(true);
      expect(
        vectors.some((v) => v.scheme === s && !isUtf8(v.password)),
        `${s} non-UTF-8`,
      ).to.equal(true);
    }
    for (const prefix of ['$2a$', '$2b$', '$2y$', '$argon2i$', '$argon2d$', '$argon2id$', '$6$rounds=', '$5$rounds=']) {
      expect(
        vectors.some((v) => v.hash.includes(prefix)),
        prefix,
      ).to.equal(true);
    }
  });

  it('yescrypt with the classic-scrypt flavor is scrypt itself', async () => {
    const salt = Buffer.from('sodium chloride!');
    const dk = scryptSync('pleaseletmein', salt, 32, { N: 1024, r: 8, p: 1 });
    // flavor 0 ('.'), log2 N = 10 ('7' is 9, plus 1), r = 8 ('5' is 7, plus 1)
    const stored = `{CRYPT}$y$.75$${encodeLittleEndian64(salt)}$${encodeLittleEndian64(dk)}`;
    expect(hashScheme(stored)).to.equal('CRYPT-YESCRYPT');
    expect(await verifyHash(Buffer.from('pleaseletmein'), stored)).to.equal(true);
    expect(await verifyHash(Buffer.from('pleaseletmeout'), stored)).to.equal(false);
  });

  it('a well-formed hash of an unknown scheme is refused and named', () => {
    const cases: [string, string][] = [
      ['{KERBEROS}user@EXAMPLE.ORG', 'KERBEROS'],
      ['{SASL}u@R', 'SASL'],
      ['{CRYPT}$7$CU..../....abcdefgh$0123456789abcdefghijklmnopqrstuvwxyzABCDEF', 'CRYPT-SCRYPT'],
      ['{CRYPT}$gy$j9T$abcdefghijklmnopqrstuv$0123456789abcdefghijklmnopqrstuvwxyzABCDEF', 'CRYPT-GOST-YESCRYPT'],
      ['{CRYPT}_J9..CCCCXBrJUJV154M', 'CRYPT-BSDI'],
      ['{UNIX}x', 'UNIX'],
    ];
    for (const [value, name] of cases) {
      expect(hashScheme(value), value).to.equal(name);
      expect(isSupportedHash(value), value).to.equal(false);
      expect(looksLikeUnsupportedHash(value), value).to.equal(true);
    }
    expect(hashScheme('plain text')).to.equal(undefined);
    expect(looksLikeUnsupportedHash('plain text')).to.equal(false);
  });

  it('malformed or over-costly values of known schemes are not supported', () => {
    for (const value of [
      '{SSHA}abc',
      '{MD5}CY9rzUYh03PK3k6DJie0==',
      '{CRYPT}$6$rounds=99999999$saltsalt$' + 'a'.repeat(86),
      '{CRYPT}$6$saltsalt$' + 'a'.repeat(43),
      '{CRYPT}$5$rounds=999$saltsalt$' + 'a'.repeat(43),
      '{CRYPT}$2b$31$' + 'a'.repeat(53),
      '{CRYPT}$1$toolongsalt$' + 'a'.repeat(22),
      '{CRYPT}$y$jFT$abc$' + 'a'.repeat(43), // bad salt
      '{CRYPT}$y$jHT$TuDjYCII4Q.LUfFO2LmB10$6WfeCZ9K0IXLr6rtgh9L2j93rMIEg4LEcyAPURndzjD', // 4 GiB
      '{CRYPT}abc',
      '{PBKDF2-SHA256}10000$4IYqcgb9m19gHQLW.yVt9Q$hJQz9jCDyw7JexmEyAzJwUdPjqHk6Bod',
      '{PBKDF2-SHA256}0$4IYqcgb9m19gHQLW.yVt9Q$hJQz9jCDyw7JexmEyAzJwUdPjqHk6BodsWNtR0IeuZk',
      '{ARGON2}$argon2i$v=19$m=99999999,t=3,p=1$cz3vKzy6V1JpPgtq67EAwA$KjDGH5BkeFT7g21OHjoGhMW5PDcKzm+jOOIwk5DTWVU',
    ]) {
      expect(isSupportedHash(value), value).to.equal(false);
      expect(looksLikeUnsupportedHash(value), value).to.equal(true);
    }
  });

  it('a password with a NUL byte never matches a {CRYPT} hash (as in OpenLDAP)', async () => {
    const v = vectors.find((x) => x.scheme === 'CRYPT-MD5')!;
    expect(await verifyHash(Buffer.concat([v.password, Buffer.from([0, 0x41])]), v.hash)).to.equal(false);
  });

  it('only the single digests run inline; every other scheme goes to the worker threads', () => {
    for (const v of vectors)
      expect(verifiesInline(v.hash), v.hash).to.equal(
        ['MD5', 'SMD5', 'SHA', 'SSHA', 'SHA256', 'SSHA256', 'SHA384', 'SSHA384', 'SHA512', 'SSHA512'].includes(v.scheme),
      );
  });

  describe('PasswordHasher over the worker pool', () => {
    let pool: HashPool;
    let hasher: PasswordHasher;
    before(() => {
      pool = new HashPool(2);
      hasher = new PasswordHasher(pool, 4);
    });
    after(() => pool.close());

    it('verifies a surrogate-escaped password over its exact bytes, in every scheme', async () => {
      for (const v of vectors.filter((x) => !/^\{CRYPT\}\$y\$j[9B]T/.test(x.hash) && !x.hash.includes('rounds=20000'))) {
        expect(await hasher.verify(valueFromBytes(v.password), v.hash), v.hash).to.equal(true);
        expect(await hasher.verify(valueFromBytes(v.wrong[0]), v.hash), v.hash).to.equal(false);
      }
    });

    it('hashes the exact bytes with bcrypt: a non-UTF-8 password and another byte in its place differ', async () => {
      const raw = valueFromBytes(Buffer.from('caf\xe9', 'latin1'));
      const stored = await hasher.hash(raw);
      expect(isBcrypt(stored)).to.equal(true);
      expect(stored).to.match(/^\{CRYPT\}\$2b\$04\$/);
      expect(await hasher.verify(raw, stored)).to.equal(true);
      expect(await hasher.verify(valueFromBytes(Buffer.from('caf\xe8', 'latin1')), stored)).to.equal(false);
      expect(await hasher.verify('café', stored)).to.equal(false);
      expect(await hasher.verifyNothing(raw)).to.equal(false);
    });

    it('a password with a NUL byte set in Cairn (bcrypt over every byte) binds; a crypt(3) hash from elsewhere never matches one', async () => {
      const withNul = valueFromBytes(Buffer.from('abc\0defgh-42', 'latin1'));
      const stored = await hasher.hash(withNul);
      expect(await hasher.verify(withNul, stored)).to.equal(true);
      expect(await hasher.verify('abc', stored)).to.equal(false);
      const sha512 = vectors.find((x) => x.hash.startsWith('{CRYPT}$6$') && !x.hash.includes('rounds='))!;
      expect(await hasher.verify(valueFromBytes(Buffer.concat([sha512.password, Buffer.from([0])])), sha512.hash)).to.equal(false);
    });

    it('a password over 4096 bytes matches nothing and is not hashed (sha-crypt would take minutes)', async () => {
      const long = 'Aa1-'.repeat(1100);
      const sha512 = vectors.find((x) => x.hash.startsWith('{CRYPT}$6$'))!;
      expect(await hasher.verify(long, sha512.hash)).to.equal(false);
      let refused: unknown;
      await hasher.hash(long).catch((e: unknown) => {
        refused = e;
      });
      expect(String(refused)).to.match(/at most 4096 bytes/);
    });

    it('bcrypt Cairn writes (@node-rs/bcrypt) verifies with bcryptjs, and the other way round', async () => {
      const ours = (await hasher.hash('Correct horse 1')).slice(7);
      expect(bcryptjs.compareSync('Correct horse 1', ours)).to.equal(true);
      expect(bcryptjs.compareSync('Correct horse 2', ours)).to.equal(false);
      const theirs = '{CRYPT}' + bcryptjs.hashSync('Correct horse 3 ü', 5);
      expect(await hasher.verify('Correct horse 3 ü', theirs)).to.equal(true);
      expect(await hasher.verify('Correct horse 3 u', theirs)).to.equal(false);
      // 72 bytes count, as in every bcrypt
      const long = 'x'.repeat(72);
      const stored = await hasher.hash(long + 'tail');
      expect(await hasher.verify(long + 'other', stored)).to.equal(true);
      expect(bcryptjs.compareSync(long, stored.slice(7))).to.equal(true);
    });

    it('bcrypt runs natively with no hash thread, at most the pool size at once; an imported scheme starts a thread', async () => {
      const threads = async () => (await hashThreads.get()).values[0].value;
      const queued = async () => (await hashQueue.get()).values[0].value;
      const fresh = new HashPool(2);
      const h = new PasswordHasher(fresh, 4);
      const before = await threads();
      const stored = await h.hash('Native pass 1');
      const five = Array.from({ length: 5 }, (_, i) => h.verify(i % 2 ? 'Native pass 1' : 'wrong', stored));
      expect(await queued(), 'two run, three wait').to.equal(3);
      expect(await Promise.all(five)).to.deep.equal([false, true, false, true, false]);
      expect(await queued()).to.equal(0);
      expect(await threads(), 'no thread for bcrypt').to.equal(before);
      const sha512 = vectors.find((x) => x.hash.startsWith('{CRYPT}$6$') && !x.hash.includes('rounds='))!;
      expect(await h.verify(valueFromBytes(sha512.password), sha512.hash)).to.equal(true);
      expect(await threads(), 'one thread for sha-crypt').to.equal(before + 1);
      await fresh.close();
      expect(await threads()).to.equal(before);
    });
  });

  it('an inline pool (a CLI command) hashes and verifies on the calling thread, with no thread started', async () => {
    const pool = new HashPool('inline');
    const hasher = new PasswordHasher(pool, 4);
    const before = (await hashThreads.get()).values[0].value;
    const stored = await hasher.hash('Inline pass 1');
    expect(stored).to.match(/^\{CRYPT\}\$2b\$04\$/);
    expect(await hasher.verify('Inline pass 1', stored)).to.equal(true);
    expect(await hasher.verify('Inline pass 2', stored)).to.equal(false);
    const md5crypt = vectors.find((x) => x.hash.startsWith('{CRYPT}$1$'))!;
    expect(await hasher.verify(valueFromBytes(md5crypt.password), md5crypt.hash)).to.equal(true);
    expect((await hashThreads.get()).values[0].value, 'hash threads started').to.equal(before);
    await pool.close();
    expect(await hasher.verify('Inline pass 1', stored).catch((e: unknown) => String(e))).to.match(/closed/);
  });
});
