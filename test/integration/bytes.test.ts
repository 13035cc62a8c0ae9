import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BASE, TEST_ENV, cairn, importLdif, initData, ldapTool, removeData, startServer, type RunningServer, asAdmin } from '../helpers/server';

/** A JPEG-like value that is not UTF-8: the bytes that used to come back as U+FFFD. */
const PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF'), Buffer.from([0x00, 0xe9, 0x80, 0xc3]), randomBytes(4000)]);

/** Values are bytes: what a client writes is what every client reads back, and a password is its bytes. */
describe('values are bytes, end to end', function () {
  this.timeout(60000);
  let server: RunningServer;
  let dir: string;
  const admin = () => asAdmin(server.url);
  const file = (name: string, bytes: Buffer | string) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  /** ldapsearch -t writes each non-printable value to a file and prints its file:// URL. */
  const readValues = (dn: string, attr: string): Buffer[] => {
    const out = mkdtempSync(join(dir, 'read-'));
    const r = spawnSync('ldapsearch', [...admin(), '-LLL', '-o', 'ldif-wrap=no', '-t', '-T', out, '-b', dn, '-s', 'base', '(objectClass=*)', attr], {
      env: TEST_ENV,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).to.equal(0);
    const urls = [...r.stdout.matchAll(/:< file:\/\/(\S+)/g)].map((m) => m[1]);
    return urls.map((u) => readFileSync(u));
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-bytes-'));
    const data = initData();
    importLdif(
      data,
      `dn: uid=bea,ou=people,${BASE}\nobjectClass: inetOrgPerson\nuid: bea\ncn: Bea\nsn: Binary\n` +
        `jpegPhoto:: ${PHOTO.toString('base64')}\n` +
        `description:: ${Buffer.from([0x63, 0x61, 0x66, 0xe9]).toString('base64')}\n`,
    );
    server = await startServer(data);
  });
  after(async () => {
    await server?.stop();
    removeData(server.data);
    rmSync(dir, { recursive: true, force: true });
  });

  it('an imported binary value reads back byte-identical (ldapsearch -t)', () => {
    const [photo] = readValues(`uid=bea,ou=people,${BASE}`, 'jpegPhoto');
    expect(photo.equals(PHOTO)).to.equal(true);
    const [description] = readValues(`uid=bea,ou=people,${BASE}`, 'description');
    expect(description.toString('hex')).to.equal('636166e9');
  });

  it('a binary value written with ldapmodify -f (a file URL) reads back byte-identical', () => {
    const cert = randomBytes(1200);
    cert[0] = 0x30;
    const photo = file('photo2.jpg', PHOTO.subarray(0, 999));
    const certFile = file('cert.der', cert);
    const ldif = file(
      'binary.ldif',
      `dn: uid=bea,ou=people,${BASE}\nchangetype: modify\nreplace: jpegPhoto\njpegPhoto:< file://${photo}\n-\nadd: objectClass\nobjectClass: strongAuthenticationUser\n-\nadd: userCertificate;binary\nuserCertificate;binary:< file://${certFile}\n-\n`,
    );
    const r = ldapTool('ldapmodify', [...admin(), '-f', ldif]);
    expect(r.status, r.stderr).to.equal(0);
    expect(readValues(`uid=bea,ou=people,${BASE}`, 'jpegPhoto')[0].equals(PHOTO.subarray(0, 999))).to.equal(true);
    expect(readValues(`uid=bea,ou=people,${BASE}`, 'userCertificate;binary')[0].equals(cert)).to.equal(true);
  });

  it('attribute options are kept: userCertificate;binary comes back under that name, cn;lang-de is its own value', () => {
    const ldif = file('lang.ldif', `dn: uid=bea,ou=people,${BASE}\nchangetype: modify\nadd: cn;lang-de\ncn;lang-de: Bea auf Deutsch\n-\n`);
    expect(ldapTool('ldapmodify', [...admin(), '-f', ldif]).status).to.equal(0);
    /** What the administrator's ldapsearch prints of bea, with these attributes. */
    const readBea = (...attrs: string[]) =>
      ldapTool('ldapsearch', [...admin(), '-LLL', '-o', 'ldif-wrap=no', '-b', `uid=bea,ou=people,${BASE}`, '-s', 'base', '(objectClass=*)', ...attrs]);
    const all = readBea('cn', 'userCertificate');
    expect(all.stdout).to.include('cn: Bea\n');
    expect(all.stdout).to.include('cn;lang-de: Bea auf Deutsch\n');
    expect(all.stdout).to.match(/\nuserCertificate;binary:: /);
    const tagged = readBea('cn;lang-de');
    expect(tagged.stdout).to.include('cn;lang-de: Bea auf Deutsch');
    expect(tagged.stdout).not.to.include('cn: Bea\n');
    const byTag = (filter: string) => ldapTool('ldapsearch', [...admin(), '-LLL', '-b', BASE, filter, '1.1']).stdout.includes('uid=bea');
    expect(byTag('(cn=Bea auf Deutsch)')).to.equal(true);
    expect(byTag('(cn;lang-de=Bea auf Deutsch)')).to.equal(true);
    expect(byTag('(cn;lang-de=Bea)')).to.equal(false);
    expect(byTag('(cn;lang-fr=Bea auf Deutsch)')).to.equal(false);
  });

  it('a value with options is found by a filter that SQL cannot answer alone (a residual filter) too', () => {
    const r = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', BASE, '(|(cn=Bea auf Deutsch)(hasSubordinates=TRUE))', '1.1']);
    expect(r.stdout).to.include(`uid=bea,ou=people,${BASE}`);
  });

  it('the attributes Cairn keeps itself take no options: userPassword;x-foo, uid;x-a are refused (17), nothing stored', () => {
    for (const [attr, value] of [
      ['userPassword;x-foo', 'S3cret-plain-pw'],
      ['uid;x-a', 'bea2'],
    ]) {
      const ldif = file(`opt-${attr.replace(/;.*/, '')}.ldif`, `dn: uid=bea,ou=people,${BASE}\nchangetype: modify\nadd: ${attr}\n${attr}: ${value}\n-\n`);
      const r = ldapTool('ldapmodify', [...admin(), '-f', ldif]);
      expect(r.status, attr).to.equal(17);
      expect(r.stderr).to.include('takes no attribute options');
    }
    const add = ldapTool(
      'ldapadd',
      admin(),
      `dn: uid=opt,ou=people,${BASE}\nobjectClass: inetOrgPerson\nuid: opt\ncn: O\nsn: O\nuserPassword;x-foo: S3cret-plain-pw\n`,
    );
    expect(add.status).to.equal(17);
    const all = ldapTool('ldapsearch', [...admin(), '-LLL', '-b', BASE, '(|(uid=opt)(uid=bea2))', '*', '+']);
    expect(all.stdout).to.equal('');
  });

  it('a DN with a character outside the BMP keeps it', () => {
    const r = ldapTool('ldapadd', admin(), `dn: cn=Smile 😀,ou=people,${BASE}\nobjectClass: organizationalRole\ncn: Smile 😀\n`);
    expect(r.status, r.stderr).to.equal(0);
    const s = ldapTool('ldapsearch', [...admin(), '-LLL', '-o', 'ldif-wrap=no', '-b', `cn=Smile 😀,ou=people,${BASE}`, '-s', 'base', '(objectClass=*)', 'cn']);
    expect(s.status, s.stderr).to.equal(0);
    expect(s.stdout).to.include(`cn:: ${Buffer.from('Smile 😀').toString('base64')}`);
  });

  it('cairn export writes binary values in base64', () => {
    const exported = cairn(['export'], { data: server.data });
    expect(exported.status, exported.stderr).to.equal(0);
    expect(exported.stdout).to.include(`jpegPhoto:: ${PHOTO.subarray(0, 999).toString('base64').slice(0, 40)}`);
    expect(exported.stdout).to.include(`description:: ${Buffer.from([0x63, 0x61, 0x66, 0xe9]).toString('base64')}`);
  });

  it('cairn user show prints a value that is not UTF-8 in base64, text as it is', () => {
    const shown = cairn(['user', 'show', 'bea'], { data: server.data });
    expect(shown.status, shown.stderr).to.equal(0);
    expect(shown.stdout).to.include(`description:: ${Buffer.from([0x63, 0x61, 0x66, 0xe9]).toString('base64')}\n`);
    expect(shown.stdout).to.include('cn;lang-de: Bea auf Deutsch\n');
  });

  it('a password containing a byte that is not UTF-8 binds only with exactly that byte', () => {
    const dn = `uid=bea,ou=people,${BASE}`;
    const latin1 = Buffer.concat([Buffer.from('Caf'), Buffer.from([0xe9]), Buffer.from('-Passw0rd-long')]);
    const set = ldapTool('ldappasswd', [...admin(), '-T', file('new.pw', latin1), dn]);
    expect(set.status, set.stderr).to.equal(0);
    const bind = (bytes: Buffer) =>
      ldapTool('ldapwhoami', ['-x', '-H', server.url, '-D', dn, '-y', file(`try-${randomBytes(4).toString('hex')}`, bytes)]).status;
    expect(bind(latin1)).to.equal(0);
    for (const other of [Buffer.from([0xe8]), Buffer.from([0xc9]), Buffer.from('\uFFFD'), Buffer.from('é')]) {
      const attempt = Buffer.concat([latin1.subarray(0, 3), other, latin1.subarray(4)]);
      expect(bind(attempt), attempt.toString('hex')).to.equal(49);
    }
  });

  it('a DN that is not UTF-8 is refused as invalid DN syntax, and nothing is written', () => {
    const ldif = file(
      'bad-dn.ldif',
      Buffer.concat([Buffer.from('dn: uid=caf'), Buffer.from([0xe9]), Buffer.from(`,ou=people,${BASE}\nchangetype: add\nobjectClass: account\nuid: x\n`)]),
    );
    const r = ldapTool('ldapmodify', [...admin(), '-f', ldif]);
    expect(r.status).to.equal(34);
    expect(r.stderr).to.include('a DN must be UTF-8');
    expect(ldapTool('ldapsearch', [...admin(), '-LLL', '-b', BASE, '(uid=x)', '1.1']).stdout).to.equal('');
  });
});
