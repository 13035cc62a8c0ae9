import { expect } from 'chai';
import Database from 'better-sqlite3';
import { isUtf8 } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ADMIN_DN, ADMIN_PASSWORD, BASE, cairn, importLdif, initData, ldapTool, removeData, startServer, type RunningServer, asAdmin } from '../helpers/server';
import fixture from '../fixtures/hashes.json';

/**
 * A directory moved from OpenLDAP keeps its people's passwords: every scheme of test/fixtures/hashes.json
 * (made by slappasswd, mkpasswd, openssl, htpasswd, argon2) is imported as it is, binds with the right
 * password only (its exact bytes, non-UTF-8 included), and is stored as bcrypt after the first bind.
 */
const vectors = fixture.vectors
  .map((v) => ({ ...v, password: Buffer.from(v.password, 'hex'), wrong: v.wrong.map((w) => Buffer.from(w, 'hex')) }))
  // one person per scheme with a password that is not UTF-8, and the other spellings with an ASCII one
  .filter(
    (v, i, all) =>
      (!isUtf8(v.password) && all.findIndex((o) => o.scheme === v.scheme && !isUtf8(o.password)) === i) ||
      /\$2y\$|\$argon2d\$|\$argon2id\$|rounds=|\$y\$j75\$/.test(v.hash),
  )
  .map((v, i) => ({ ...v, uid: `legacy${i}` }));

const PEOPLE = `ou=people,${BASE}`;

describe('legacy password hashes (integration)', function () {
  this.timeout(300_000);
  let data: string;
  let server: RunningServer;

  before(async () => {
    data = initData();
    const ldif = vectors.flatMap((v) => [
      `dn: uid=${v.uid},${PEOPLE}`,
      'objectClass: inetOrgPerson',
      `uid: ${v.uid}`,
      `cn: ${v.scheme}`,
      `sn: ${v.uid}`,
      `userPassword: ${v.hash}`,
      '',
    ]);
    importLdif(data, ldif.join('\n'));
    server = await startServer(data);
  });
  after(async () => {
    await server?.stop();
    if (data) removeData(data);
  });

  function file(bytes: Buffer): string {
    const f = join(dirname(data), `pw-${randomBytes(6).toString('hex')}`);
    writeFileSync(f, bytes);
    return f;
  }
  /** ldapwhoami with the password's exact bytes, from a file (-y). */
  const bind = (dn: string, password: Buffer) => ldapTool('ldapwhoami', ['-x', '-H', server.url, '-D', dn, '-y', file(password)]);

  function storedHash(dn: string): string | undefined {
    const db = new Database(join(data, 'cairn.sqlite'), { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare('SELECT c.hash AS hash FROM credentials c JOIN entries e ON e.id = c.entry_id WHERE e.ndn = ?').get(dn.toLowerCase()) as
        { hash: string } | undefined;
      return row?.hash;
    } finally {
      db.close();
    }
  }

  it('the fixture gives one person per scheme', () => {
    expect(new Set(vectors.map((v) => v.scheme)).size).to.be.at.least(20);
  });

  for (const v of vectors) {
    const outcome = v.scheme === 'BCRYPT' ? 'a bcrypt hash is kept as it is' : 'after the first bind it is bcrypt';
    it(`${v.scheme} (${v.hash.slice(0, 24)}…): the right password binds, a wrong one gets 49, and ${outcome}`, () => {
      const dn = `uid=${v.uid},${PEOPLE}`;
      expect(storedHash(dn), 'imported as it is').to.equal(v.hash);
      for (const w of v.wrong) expect(bind(dn, w).status, `wrong ${w.toString('hex')}`).to.equal(49);
      expect(storedHash(dn), 'a failed bind does not rehash').to.equal(v.hash);
      const first = bind(dn, v.password);
      expect(first.status, first.stderr).to.equal(0);
      expect(first.stdout.toLowerCase()).to.contain(`dn:${dn}`.toLowerCase());
      if (v.scheme === 'BCRYPT') expect(storedHash(dn)).to.equal(v.hash);
      else expect(storedHash(dn)).to.match(/^\{CRYPT\}\$2b\$04\$/);
      expect(bind(dn, v.password).status, 'binds again, with the bcrypt hash').to.equal(0);
      for (const w of v.wrong) expect(bind(dn, w).status, `wrong ${w.toString('hex')} after the upgrade`).to.equal(49);
    });
  }

  it('an administrator may write a legacy hash with ldapmodify; it binds and becomes bcrypt', () => {
    const dn = `uid=${vectors[0].uid},${PEOPLE}`;
    for (const v of vectors.filter((x) => ['CRYPT-SHA512', 'PBKDF2-SHA512', 'ARGON2'].includes(x.scheme)).slice(0, 3)) {
      const mod = ldapTool('ldapmodify', asAdmin(server.url), `dn: ${dn}\nchangetype: modify\nreplace: userPassword\nuserPassword: ${v.hash}\n`);
      expect(mod.status, mod.stderr).to.equal(0);
      expect(storedHash(dn)).to.equal(v.hash);
      expect(bind(dn, v.wrong[0]).status).to.equal(49);
      expect(bind(dn, v.password).status).to.equal(0);
      expect(storedHash(dn)).to.match(/^\{CRYPT\}\$2b\$/);
    }
  });

  it('a hash of a scheme Cairn cannot verify is refused on import, by name, and nothing is written', () => {
    for (const [hash, name] of [
      ['{KERBEROS}someone@EXAMPLE.ORG', 'KERBEROS'],
      ['{CRYPT}$7$CU..../....abcdefgh$0123456789abcdefghijklmnopqrstuvwxyzABCDEF', 'CRYPT-SCRYPT'],
    ]) {
      const f = file(
        Buffer.from([`dn: uid=refused,${PEOPLE}`, 'objectClass: inetOrgPerson', 'uid: refused', 'cn: r', 'sn: r', `userPassword: ${hash}`, ''].join('\n')),
      );
      const r = cairn(['import', f], { data });
      expect(r.status).to.not.equal(0);
      expect(r.stderr).to.include(name);
      const search = ldapTool('ldapsearch', ['-x', '-LLL', '-H', server.url, '-D', ADMIN_DN, '-w', ADMIN_PASSWORD, '-b', PEOPLE, '(uid=refused)', '1.1']);
      expect(search.stdout).to.equal('');
    }
  });
});
