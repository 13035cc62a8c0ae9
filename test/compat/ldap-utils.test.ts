import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BASE, CompatDirectory, PEOPLE, personDn, SERVICE_PASSWORD } from './lib/directory';
import { workFolder } from './lib/host';

describe("OpenLDAP's tools over StartTLS and LDAPS, verifying Cairn's certificate", function () {
  this.timeout(60000);
  let directory: CompatDirectory;

  before(async () => {
    directory = await CompatDirectory.start();
  });
  after(async () => {
    await directory?.stop();
  });

  const tool = (name: string, args: string[], input?: string) => {
    const env = { ...process.env, LDAPCONF: '/dev/null', LDAPTLS_CACERT: directory.caFile, LDAPTLS_REQCERT: 'demand' };
    const r = spawnSync(name, args, { encoding: 'utf8', env, input, timeout: 30000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  };
  const transports = () => [
    { name: 'StartTLS', args: ['-ZZ', '-H', directory.server.url] },
    { name: 'LDAPS', args: ['-H', directory.server.ldapsUrl] },
  ];

  for (const transport of ['StartTLS', 'LDAPS'] as const) {
    describe(transport, () => {
      const over = () => transports().find((t) => t.name === transport)!.args;

      it('ldapwhoami', () => {
        const r = tool('ldapwhoami', [...over(), '-x', '-D', personDn('alice'), '-w', PEOPLE.alice.password]);
        expect(r.status, r.out).to.equal(0);
        expect(r.out.trim()).to.equal(`dn:${personDn('alice')}`);
      });

      it('ldapsearch with paged results, as a service account', () => {
        const r = tool('ldapsearch', [
          ...over(),
          '-x',
          '-LLL',
          '-D',
          directory.serviceDn('sssd'),
          '-w',
          SERVICE_PASSWORD,
          '-b',
          `ou=people,${BASE}`,
          '-E',
          'pr=2/noprompt',
          '(objectClass=posixAccount)',
          'uid',
        ]);
        expect(r.status, r.out).to.equal(0);
        const uids = [...r.out.matchAll(/^uid: (.*)$/gm)].map((m) => m[1]).sort();
        expect(uids).to.include.members(Object.keys(PEOPLE));
        expect(r.out.match(/^# pagedresults: cookie=/gm)?.length ?? 0).to.be.greaterThan(1);
      });

      it('ldapmodify: a person changes their own telephone number', () => {
        const number = transport === 'LDAPS' ? '+1 555 0101' : '+1 555 0102';
        const r = tool(
          'ldapmodify',
          [...over(), '-x', '-D', personDn('alice'), '-w', PEOPLE.alice.password],
          `dn: ${personDn('alice')}\nchangetype: modify\nreplace: telephoneNumber\ntelephoneNumber: ${number}\n`,
        );
        expect(r.status, r.out).to.equal(0);
        const read = tool('ldapsearch', [
          ...over(),
          '-x',
          '-LLL',
          '-D',
          personDn('alice'),
          '-w',
          PEOPLE.alice.password,
          '-b',
          personDn('alice'),
          '-s',
          'base',
          'telephoneNumber',
        ]);
        expect(read.out).to.contain(`telephoneNumber: ${number}`);
      });
    });
  }

  it('ldappasswd: a person changes their password (StartTLS), then binds with it (LDAPS)', () => {
    const r = tool('ldappasswd', [
      '-ZZ',
      '-H',
      directory.server.url,
      '-x',
      '-D',
      personDn('frank'),
      '-w',
      PEOPLE.frank.password,
      '-a',
      PEOPLE.frank.password,
      '-s',
      'Pebble-Canyon-7731',
    ]);
    expect(r.status, r.out).to.equal(0);
    expect(tool('ldapwhoami', ['-H', directory.server.ldapsUrl, '-x', '-D', personDn('frank'), '-w', 'Pebble-Canyon-7731']).status).to.equal(0);
    expect(tool('ldapwhoami', ['-H', directory.server.ldapsUrl, '-x', '-D', personDn('frank'), '-w', PEOPLE.frank.password]).status).to.equal(49);
  });

  it('ldappasswd: a refused password gets 19 and the reason', () => {
    const r = tool('ldappasswd', [
      '-ZZ',
      '-H',
      directory.server.url,
      '-x',
      '-D',
      personDn('alice'),
      '-w',
      PEOPLE.alice.password,
      '-a',
      PEOPLE.alice.password,
      '-s',
      'short',
    ]);
    expect(r.status).to.not.equal(0);
    expect(r.out).to.contain('Constraint violation (19)');
    expect(r.out).to.contain('the new password must be at least 12 characters');
  });

  it('a certificate the client does not trust is refused', () => {
    const other = join(workFolder('other-ca'), 'other.pem');
    const made = spawnSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', `${other}.key`, '-out', other],
      { encoding: 'utf8' },
    );
    expect(made.status, made.stderr).to.equal(0);
    const env = { ...process.env, LDAPCONF: '/dev/null', LDAPTLS_CACERT: other, LDAPTLS_REQCERT: 'demand' };
    const r = spawnSync('ldapwhoami', ['-ZZ', '-H', directory.server.url, '-x', '-D', personDn('alice'), '-w', PEOPLE.alice.password], {
      encoding: 'utf8',
      env,
    });
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.match(/certificate verify failed|Connect error/);
  });
});
