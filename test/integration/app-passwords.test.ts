/**
 * App passwords: for programs that bind with a person's DN (Dovecot, a NAS, a printer). Generated, scoped
 * to client addresses or to services that bind first on the same connection, no MFA code, never the
 * portal, never a write or a password change; revocable.
 */
import { expect } from 'chai';
import { ADMIN_DN, ADMIN_PASSWORD, BASE, bindAs, cairn, initData, ldapTool, removeData, startServer, type RunningServer } from '../helpers/server';

// ldapjs ships no types: the little this test uses.
interface LdapJsClient {
  bind(dn: string, password: string, cb: (err: (Error & { code?: number }) | null) => void): void;
  unbind(cb?: () => void): void;
  on(event: 'error', fn: () => void): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ldap = require('ldapjs') as { createClient(o: { url: string }): LdapJsClient };

const ALICE = `uid=alice,ou=people,${BASE}`;
const MAIL = `cn=mail,ou=services,${BASE}`;
const SERVICE_PASSWORD = 'Service-Account-8163';

/** Two binds on one connection, as an application does: its service account, then the person. */
async function bindThrough(url: string, first: [string, string], then: [string, string]): Promise<number> {
  const c = ldap.createClient({ url });
  c.on('error', () => undefined);
  const bind = (dn: string, pw: string) => new Promise<number>((resolve) => c.bind(dn, pw, (err) => resolve(err ? (err.code ?? -1) : 0)));
  try {
    expect(await bind(...first)).to.equal(0);
    return await bind(...then);
  } finally {
    c.unbind();
  }
}

describe("app passwords (cairn app-password, LDAP binds with a person's name)", function () {
  this.timeout(30000);
  let data: string;
  let server: RunningServer;
  const must = (args: string[]) => {
    const r = cairn(args, { data });
    expect(r.status, r.stderr).to.equal(0);
    return r.stdout;
  };
  const made = (out: string) => /\(shown once\): (\S+)/.exec(out)![1];
  const whoami = (dn: string, pw: string) => ldapTool('ldapwhoami', bindAs(server.url, dn, pw));

  before(async () => {
    data = initData();
    must(['user', 'add', 'alice', '--given', 'Alice', '--sn', 'Liddell', '--password', 'Tulip-Harbour-42']);
    must(['service', 'add', 'mail', '--password', SERVICE_PASSWORD]);
    // Alice uses MFA: her own password needs a code; an app password does not.
    must(['mfa', 'enroll', 'alice', '--secret', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP']);
    server = await startServer(data);
  });
  after(async () => {
    await server?.stop();
    removeData(data);
  });

  it('needs a scope; a bad address or an unknown service is refused in plain words', () => {
    expect(cairn(['app-password', 'add', 'alice', 'nas'], { data }).stderr).to.contain('an app password needs a scope');
    expect(cairn(['app-password', 'add', 'alice', 'nas', '--from', '10.0.0.0/33'], { data }).stderr).to.contain('the prefix length is out of range');
    expect(cairn(['app-password', 'add', 'alice', 'nas', '--service', 'nowhere'], { data }).stderr).to.contain('there is no service nowhere');
  });

  it('from an address in its scope: binds as the person with no code, and elsewhere not at all', () => {
    const nas = made(must(['app-password', 'add', 'alice', 'nas', '--from', '127.0.0.0/8']));
    expect(nas).to.match(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    expect(whoami(ALICE, nas).stdout.trim()).to.equal(`dn:${ALICE}`);
    const printer = made(must(['app-password', 'add', 'alice', 'printer', '--from', '10.9.8.7']));
    expect(whoami(ALICE, printer).status, 'a printer elsewhere').to.equal(49);
    expect(must(['app-password', 'list', 'alice'])).to.match(
      /^nas\tfrom 127\.0\.0\.0\/8\t[\d-]+ [\d:]+\t[\d-]+ [\d:]+\nprinter\tfrom 10\.9\.8\.7\t[\d-]+ [\d:]+\t-\n$/,
    );
  });

  it('through a service: only on a connection that service bound first', async () => {
    const mail = made(must(['app-password', 'add', 'alice', 'mail', '--service', 'mail']));
    expect(await bindThrough(server.url, [MAIL, SERVICE_PASSWORD], [ALICE, mail])).to.equal(0);
    expect(await bindThrough(server.url, [ADMIN_DN, ADMIN_PASSWORD], [ALICE, mail]), 'through another account').to.equal(49);
    expect(whoami(ALICE, mail).status, 'directly').to.equal(49);
  });

  it('changes nothing: no password change, no write', () => {
    const nas = made(must(['app-password', 'add', 'alice', 'nas2', '--from', '127.0.0.1']));
    const passwd = ldapTool('ldappasswd', [...bindAs(server.url, ALICE, nas), '-s', 'Chosen-Password-99']);
    expect(passwd.stdout + passwd.stderr)
      .to.contain('Insufficient access (50)')
      .and.to.contain('an app password changes nothing');
    const modify = ldapTool('ldapmodify', bindAs(server.url, ALICE, nas), `dn: ${ALICE}\nchangetype: modify\nreplace: mobile\nmobile: 123\n`);
    expect(modify.status).to.equal(50);
  });

  it('revoked: gone at once, one or all', () => {
    const nas = made(must(['app-password', 'add', 'alice', 'nas3', '--from', '127.0.0.1']));
    expect(must(['app-password', 'revoke', 'alice', 'nas3'])).to.equal('Revoked 1 app password of alice\n');
    expect(whoami(ALICE, nas).status).to.equal(49);
    expect(must(['app-password', 'revoke', 'alice', '--all'])).to.match(/^Revoked \d+ app passwords of alice\n$/);
    expect(must(['app-password', 'list', 'alice'])).to.equal('');
  });
});
