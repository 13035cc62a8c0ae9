// Leaving OpenLDAP: a slapcat of a real Debian slapd (nis.schema, ppolicy, memberof, sudo and autofs,
// every password scheme slappasswd makes, binary photos and certificates, people at uidNumber 1000 and
// 10000) goes into a plain `cairn init` with one `cairn import`, and everything still works: binds with
// the old passwords, lockout, password history, groups, bytes, sudo rules, automount maps, services.
// The directory is built by slapd itself (test/helpers/slapd-directory.ts); every expectation comes from
// its manifest.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cairn, startServer, TEST_ENV, type RunningServer } from '../helpers/server';
import { runToolSync } from '../helpers/tool-runner';
import { buildSlapdDirectory, makeContent, passwordFile, slapdMissing, type Manifest, type Person, type SlapdDirectory } from '../helpers/slapd-directory';

const SEED = 'cairn-migration';
/** The people as the seed makes them, to name one test per person; the built manifest has their passwords. */
const PEOPLE = makeContent(SEED).people;

interface Found {
  dn: string;
  attrs: Map<string, Buffer[]>;
}

interface ToolResult {
  status: number | null;
  out: string;
}

function tool(cmd: string, args: string[], input?: string): ToolResult {
  const r = runToolSync({ tool: cmd, args, input, env: TEST_ENV, timeout: 30000, encoding: 'latin1' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/**
 * ldapsearch's LDIF (-LLL, unwrapped) into entries, values as bytes. With -t, ldapsearch writes each
 * value that is not printable to a file and prints `name:< file://...`: those are read back as bytes.
 */
function parseSearch(out: string): Found[] {
  const found: Found[] = [];
  let cur: Found | undefined;
  for (const line of out.split('\n')) {
    const m = /^([^:]+)(:<|::?) ?(.*)$/.exec(line);
    if (!m) {
      cur = undefined;
      continue;
    }
    const [, name, sep, text] = m;
    const value = sep === '::' ? Buffer.from(text, 'base64') : sep === ':<' ? readFileSync(fileURLToPath(text)) : Buffer.from(text, 'latin1');
    if (name === 'dn') {
      cur = { dn: value.toString('utf8'), attrs: new Map() };
      found.push(cur);
    } else if (cur) {
      const key = name.toLowerCase();
      cur.attrs.set(key, [...(cur.attrs.get(key) ?? []), value]);
    }
  }
  return found;
}

const text = (f: Found | undefined, name: string) => (f?.attrs.get(name.toLowerCase()) ?? []).map((b) => b.toString('utf8'));

describe('migrating from OpenLDAP: a slapcat of a real slapd into a plain cairn init', function () {
  this.timeout(180000);
  let work = '';
  let built: SlapdDirectory;
  let m: Manifest;
  let init: ReturnType<typeof cairn>;
  let imported: ReturnType<typeof cairn>;
  let server: RunningServer | undefined;
  let admin = { dn: '', passwordFile: '' };
  let files = 0;

  before(async function () {
    const missing = slapdMissing();
    if (missing) {
      console.log(`    skipped: the migration test builds its directory with Debian's slapd, and ${missing}`);
      this.skip();
    }
    work = mkdtempSync(join(tmpdir(), 'cairn-migrate-'));
    built = await buildSlapdDirectory(join(work, 'slapd-directory'), SEED);
    m = built.manifest;
    mkdirSync(join(work, 'files'));
    mkdirSync(join(work, 'values'));
    const data = join(work, 'data');
    init = cairn(['init'], { data });
    const dn = /^Administrator: (.+)$/m.exec(init.stdout)?.[1] ?? '';
    const password = /^Administrator password \(shown once\): (\S+)$/m.exec(init.stdout)?.[1] ?? '';
    admin = { dn, passwordFile: passwordFile(join(work, 'files'), 'admin', password) };
    imported = cairn(['import', built.ldif], { data });
    if (init.status === 0 && imported.status === 0) server = await startServer(data);
  });

  after(async () => {
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  function url(): string {
    if (!server)
      throw new Error(`nothing to check: cairn init exited ${init.status}, cairn import exited ${imported.status}: ${init.stderr}${imported.stderr}`.trim());
    return server.url;
  }

  const pwFile = (password: Buffer | string) => passwordFile(join(work, 'files'), `pw${files++}`, password);
  const bind = (dn: string, password: Buffer | string) => tool('ldapwhoami', ['-x', '-H', url(), '-D', dn, '-y', pwFile(password)]);
  const asAdmin = () => ['-x', '-H', url(), '-D', admin.dn, '-y', admin.passwordFile];

  function search(base: string, filter: string, attrs: string[] = [], scope = 'sub', who: string[] = asAdmin()): Found[] {
    const r = tool('ldapsearch', [...who, '-LLL', '-o', 'ldif-wrap=no', '-t', '-T', join(work, 'values'), '-b', base, '-s', scope, filter, ...attrs]);
    expect(r.status, `ldapsearch -b ${base} ${filter}: ${r.out}`).to.equal(0);
    return parseSearch(r.out);
  }

  const person = (uid: string): Person => m.people.find((p) => p.uid === uid)!;

  it('cairn init, then cairn import of the slapcat, in one go: both exit 0 and the import counts every entry', () => {
    expect(init.status, init.stderr).to.equal(0);
    expect(admin.dn, init.stdout).to.not.equal('');
    expect(imported.status, `cairn import ${built.ldif}:\n${imported.stderr}`).to.equal(0);
    expect(imported.stdout).to.match(new RegExp(`\\b${m.entryCount}\\b`));
  });

  describe('every person binds with their old password, and a wrong one fails', () => {
    for (const p of PEOPLE.filter((q) => q.role !== 'locked')) {
      const how =
        p.scheme === 'ldappasswd' ? 'set with ldappasswd, {SSHA}' : p.scheme === 'cleartext' ? 'cleartext hashed by ppolicy_hash_cleartext, {SSHA}' : p.scheme;
      const bytes = p.password.toString('utf8').includes('\ufffd') ? ', a password that is not UTF-8' : '';
      it(`${p.uid} (${how}${bytes}${p.role ? `, ${p.role}` : ''})`, () => {
        const q = person(p.uid);
        const ok = bind(q.dn, q.password);
        expect(ok.status, `bind as ${q.dn}: ${ok.out}`).to.equal(0);
        const wrong = bind(q.dn, Buffer.concat([Buffer.from('wrong-'), q.password]));
        expect(wrong.status, `bind as ${q.dn} with a wrong password: ${wrong.out}`).to.equal(49);
      });
    }

    it("slapd's old cn=admin entry binds with its {SSHA} password", () => {
      const r = bind(m.rootDn, m.rootPassword);
      expect(r.status, r.out).to.equal(0);
    });
  });

  it('the person slapd locked (pwdAccountLockedTime) stays locked: the right password is refused', () => {
    const r = bind(m.locked.dn, m.locked.password);
    expect(r.status, r.out).to.equal(49);
    const [f] = search(m.locked.dn, '(objectClass=*)', ['pwdAccountLockedTime'], 'base');
    expect(text(f, 'pwdAccountLockedTime'), 'pwdAccountLockedTime, as slapd shows it').to.have.length(1);
  });

  it('the person an administrator reset (pwdReset) binds, then must change their password first', () => {
    const [f] = search(m.reset.dn, '(objectClass=*)', ['pwdReset'], 'base');
    expect(text(f, 'pwdReset')).to.deep.equal(['TRUE']);
    const r = bind(m.reset.dn, m.reset.password);
    expect(r.status, r.out).to.equal(0);
    const s = tool('ldapsearch', ['-x', '-H', url(), '-D', m.reset.dn, '-y', pwFile(m.reset.password), '-b', m.suffix, '-s', 'base', '(objectClass=*)', '1.1']);
    expect(s.status, s.out).to.equal(50);
  });

  it('the DNs keep their spelling (ou=People, ou=Group, ou=SUDOers)', () => {
    const ous = search(m.suffix, '(objectClass=organizationalUnit)', ['1.1'], 'one').map((f) => f.dn);
    for (const dn of [`ou=People,${m.suffix}`, `ou=Group,${m.suffix}`, `ou=SUDOers,${m.suffix}`, `ou=automount,${m.suffix}`]) expect(ous).to.include(dn);
    const people = search(`ou=People,${m.suffix}`, '(objectClass=posixAccount)', ['1.1'], 'one').map((f) => f.dn);
    expect(people).to.include.members(m.people.map((p) => p.dn));
  });

  it('people keep their uidNumber, gidNumber and shadowLastChange (1000..1020 and 10000..10020); a shadowLastChange older than pwdChangedTime moves to its day', () => {
    const found = search(`ou=People,${m.suffix}`, '(objectClass=posixAccount)', ['uid', 'uidNumber', 'gidNumber', 'shadowLastChange', 'pwdChangedTime']);
    let corrected = 0;
    for (const p of m.people) {
      const f = found.find((e) => text(e, 'uid')[0] === p.uid);
      expect(f, p.uid).to.not.equal(undefined);
      const changed = text(f, 'pwdChangedTime')[0];
      // slapd's ppolicy set pwdChangedTime when a password was changed through it (ldappasswd): that day wins.
      const changedDay = changed ? Math.floor(Date.UTC(+changed.slice(0, 4), +changed.slice(4, 6) - 1, +changed.slice(6, 8)) / 86400000) : -Infinity;
      const want = Math.max(p.shadowLastChange, changedDay);
      if (want !== p.shadowLastChange) corrected++;
      expect([text(f, 'uidNumber'), text(f, 'gidNumber'), text(f, 'shadowLastChange')], p.uid).to.deep.equal([
        [String(p.uidNumber)],
        [String(p.gidNumber)],
        [String(want)],
      ]);
    }
    expect(corrected, 'people whose password slapd changed after their shadowLastChange').to.be.greaterThan(0);
  });

  it('every posixGroup is found with every memberUid (one has 170)', () => {
    for (const g of m.posixGroups) {
      const found = search(m.suffix, `(&(objectClass=posixGroup)(cn=${g.cn})(gidNumber=${g.gidNumber}))`, ['memberUid', 'gidNumber']);
      const mine = found.filter((f) => f.dn === g.dn);
      expect(mine.length, `${g.dn} among ${found.map((f) => f.dn).join('; ')}`).to.equal(1);
      expect(text(mine[0], 'memberUid').sort(), g.dn).to.deep.equal([...g.memberUid].sort());
    }
    expect(m.posixGroups.some((g) => g.memberUid.length === 170)).to.equal(true);
  });

  it("a person's groups resolve with the filters nslcd and sssd (rfc2307) send", () => {
    for (const p of [m.people[0], m.people[m.people.length - 2]]) {
      const expected = m.posixGroups
        .filter((g) => g.memberUid.includes(p.uid))
        .map((g) => g.cn)
        .sort();
      const nslcd = search(m.suffix, `(&(objectClass=posixGroup)(|(memberUid=${p.uid})(member=${p.dn})))`, ['cn', 'gidNumber']);
      expect(nslcd.map((f) => text(f, 'cn')[0]).sort(), `nslcd's groups of ${p.uid}`).to.deep.equal(expected);
      const sssd = search(m.suffix, `(&(memberuid=${p.uid})(objectclass=posixGroup)(cn=*)(&(gidNumber=*)(!(gidNumber=0))))`, ['cn', 'gidNumber']);
      expect(sssd.map((f) => text(f, 'cn')[0]).sort(), `sssd's groups of ${p.uid}`).to.deep.equal(expected);
    }
  });

  it('each uidNumber and gidNumber names exactly its migrated entry, as getent passwd/group by number asks', () => {
    for (const p of m.people) {
      const found = search(m.suffix, `(&(objectClass=posixAccount)(uidNumber=${p.uidNumber}))`, ['1.1']).map((f) => f.dn);
      expect(found, `uidNumber ${p.uidNumber}`).to.deep.equal([p.dn]);
    }
    for (const g of m.posixGroups) {
      const found = search(m.suffix, `(&(objectClass=posixGroup)(gidNumber=${g.gidNumber}))`, ['1.1']).map((f) => f.dn);
      expect(found, `gidNumber ${g.gidNumber}`).to.deep.equal([g.dn]);
    }
  });

  it('the groupOfNames keeps its members, and they carry memberOf', () => {
    for (const g of m.namedGroups) {
      const [f] = search(g.dn, '(objectClass=groupOfNames)', ['member'], 'base');
      expect(
        text(f, 'member')
          .map((d) => d.toLowerCase())
          .sort(),
      ).to.deep.equal(g.member.map((d) => d.toLowerCase()).sort());
      for (const dn of g.member) {
        const [e] = search(dn, '(objectClass=*)', ['memberOf'], 'base');
        expect(
          text(e, 'memberOf').map((d) => d.toLowerCase()),
          dn,
        ).to.include(g.dn.toLowerCase());
      }
    }
  });

  it('photos (jpegPhoto) and certificates (userCertificate;binary) read back byte for byte', () => {
    const withBytes = m.people.filter((p) => p.photo || p.certificate);
    expect(withBytes.filter((p) => p.photo).length).to.be.greaterThan(5);
    expect(withBytes.filter((p) => p.certificate).length).to.be.greaterThan(2);
    for (const p of withBytes) {
      const [f] = search(p.dn, '(objectClass=*)', ['jpegPhoto', 'userCertificate;binary'], 'base');
      if (p.photo)
        expect(Buffer.compare(f.attrs.get('jpegphoto')?.[0] ?? Buffer.alloc(0), p.photo), `${p.uid}'s jpegPhoto (${p.photo.length} bytes)`).to.equal(0);
      if (p.certificate) {
        const cert = f.attrs.get('usercertificate;binary')?.[0] ?? Buffer.alloc(0);
        expect(Buffer.compare(cert, p.certificate), `${p.uid}'s userCertificate;binary (${p.certificate.length} bytes)`).to.equal(0);
      }
    }
  });

  it('cn;lang-de comes back with its language tag', () => {
    const tagged = m.people.filter((p) => p.cnDe);
    expect(tagged.length).to.be.greaterThan(3);
    for (const p of tagged) {
      const [f] = search(p.dn, '(objectClass=*)', ['cn;lang-de'], 'base');
      expect(text(f, 'cn;lang-de'), p.uid).to.deep.equal([p.cnDe]);
    }
  });

  it('the gecos with a Latin-1 byte (loaded with slapadd) reads back as the same bytes', () => {
    const [f] = search(m.legacy.dn, '(objectClass=*)', ['gecos'], 'base');
    expect(f?.attrs.get('gecos')?.[0]?.toString('hex')).to.equal(m.legacy.gecos!.toString('hex'));
  });

  it('the sudoRole entries are there with their rules', () => {
    const found = search(`ou=SUDOers,${m.suffix}`, '(objectClass=sudoRole)');
    for (const r of m.sudoRoles) {
      const f = found.find((e) => e.dn === r.dn);
      expect(f, `${r.dn} among ${found.map((e) => e.dn).join('; ')}`).to.not.equal(undefined);
      for (const [name, values] of Object.entries(r.attributes)) expect(text(f, name).sort(), `${r.cn} ${name}`).to.deep.equal([...values].sort());
    }
  });

  it('the automount maps and their entries are there', () => {
    const maps = search(`ou=automount,${m.suffix}`, '(objectClass=automountMap)', ['ou']);
    expect(maps.map((f) => f.dn).sort()).to.deep.equal(m.automountMaps.map((a) => a.dn).sort());
    const entries = search(`ou=automount,${m.suffix}`, '(objectClass=automount)', ['cn', 'automountInformation']);
    for (const a of m.automounts) {
      const f = entries.find((e) => e.dn === a.dn);
      expect(f, `${a.dn} among ${entries.map((e) => e.dn).join('; ')}`).to.not.equal(undefined);
      expect([text(f, 'cn'), text(f, 'automountInformation')]).to.deep.equal([[a.key], [a.information]]);
    }
  });

  it('the service accounts bind with their old passwords, read people, and cannot write', () => {
    for (const s of m.services) {
      const who = ['-x', '-H', url(), '-D', s.dn, '-y', pwFile(s.password)];
      expect(tool('ldapwhoami', who).status, `bind as ${s.dn}`).to.equal(0);
      const read = search(`ou=People,${m.suffix}`, `(uid=${m.people[0].uid})`, ['uid'], 'sub', who);
      expect(
        read.map((f) => f.dn),
        `${s.dn} reads a person`,
      ).to.deep.equal([m.people[0].dn]);
      const change = tool('ldapmodify', who, `dn: ${m.people[0].dn}\nchangetype: modify\nreplace: description\ndescription: written by ${s.dn}\n`);
      expect(change.status, `${s.dn} modifies a person: ${change.out}`).to.equal(50);
      const add = tool('ldapadd', who, `dn: cn=intruder,ou=Group,${m.suffix}\nobjectClass: posixGroup\ncn: intruder\ngidNumber: 4242\n`);
      expect(add.status, `${s.dn} adds a group: ${add.out}`).to.equal(50);
    }
  });

  // After the binds above: this one ends by changing the person's password.
  describe("slapd's pwdHistory comes along", () => {
    it('the history person cannot set an old password back, and can set a new one', () => {
      // With the old password given (-t), as a careful client sends it.
      const h = m.history;
      for (const old of h.oldPasswords) {
        const r = tool('ldappasswd', ['-x', '-H', url(), '-D', h.dn, '-y', pwFile(h.password), '-t', pwFile(h.password), '-T', pwFile(old)]);
        expect(r.out, `ldappasswd as ${h.uid} back to an old password`).to.match(/Constraint violation \(19\)/);
      }
      expect(bind(h.dn, h.password).status, 'the current password still works').to.equal(0);
      // The refusals above were the history's: a password never used before, as strong, is accepted.
      const fresh = Buffer.concat([Buffer.from('Never-used-'), h.password]);
      const r = tool('ldappasswd', ['-x', '-H', url(), '-D', h.dn, '-y', pwFile(h.password), '-t', pwFile(h.password), '-T', pwFile(fresh)]);
      expect(r.status, `ldappasswd as ${h.uid} to a new password: ${r.out}`).to.equal(0);
      expect(bind(h.dn, fresh).status, 'the new password works').to.equal(0);
    });
  });
});
