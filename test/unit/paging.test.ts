import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefaults } from '../../src/config';
import { silentLogger } from '../../src/log';
import { initDirectory, openDirectory, type OpenDirectory } from '../../src/runtime';
import { LdapError } from '../../src/directory/errors';
import { SYSTEM, type Identity } from '../../src/directory/identity';
import { parseFilterString } from '../../src/directory/filter/parse-string';
import type { SearchParams } from '../../src/directory/search/run-search';
import { ResultCode } from '../../src/ldap/result-codes';

const BASE = 'dc=example,dc=com';

/** Paged results (RFC 2696) through the directory: stateless cookies that continue only the search they came from. */
describe('paged results cookies', function () {
  this.timeout(30000);
  let dir: string;
  let opened: OpenDirectory;
  let alice: Identity;
  let bob: Identity;

  const params = (cookie: Buffer = Buffer.alloc(0), filter = '(objectClass=inetOrgPerson)'): SearchParams => ({
    baseDN: `ou=people,${BASE}`,
    scope: 'sub',
    filter: parseFilterString(filter),
    attributes: ['uid'],
    typesOnly: false,
    sizeLimit: 0,
    timeLimit: 0,
    paged: { size: 2, cookie },
  });
  const page = async (who: Identity, p: SearchParams) => {
    const uids: string[] = [];
    const outcome = await opened.directory.search(who, p, { send: (e) => void uids.push(String(e.attributes[0]?.values[0])), isAbandoned: () => false });
    return { uids, cookie: outcome.cookie ?? Buffer.alloc(0) };
  };
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => undefined,
      (e: unknown) => (e instanceof LdapError ? e.resultCode : e),
    );

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-paging-'));
    const config = loadDefaults();
    config.security.bcryptCost = 4;
    await initDirectory(dir, BASE, 'Admin-Password-1234', config, silentLogger());
    opened = await openDirectory(dir, config, silentLogger(), { hashing: 'inline' });
    const d = opened.directory;
    for (const uid of ['alice', 'bob', 'carol', 'dave', 'erin']) {
      await d.add(SYSTEM, `uid=${uid},ou=people,${BASE}`, [
        { type: 'objectClass', values: ['inetOrgPerson'] },
        { type: 'uid', values: [uid] },
        { type: 'cn', values: [uid] },
        { type: 'sn', values: [uid] },
      ]);
    }
    const as = async (uid: string): Promise<Identity> => {
      const e = (await d.storedEntry(d.norm.normalizeDN(`uid=${uid},ou=people,${BASE}`).ndn))!;
      return { kind: 'user', dn: e.dn, ndn: e.ndn, entryId: e.id, isAdmin: false, isService: false };
    };
    alice = await as('alice');
    bob = await as('bob');
  });
  after(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('continue the same search page by page, each entry once', async () => {
    const seen: string[] = [];
    let cookie: Buffer = Buffer.alloc(0);
    do {
      const r = await page(alice, params(cookie));
      seen.push(...r.uids);
      cookie = r.cookie;
    } while (cookie.length > 0);
    expect(seen.sort()).to.deep.equal(['admin', 'alice', 'bob', 'carol', 'dave', 'erin']);
  });

  it("are refused in another person's search, in another search, and when altered (53, nothing sent)", async () => {
    const { cookie } = await page(alice, params());
    expect(cookie).to.have.length.greaterThan(0);
    expect(await refusal(page(bob, params(cookie))), "alice's cookie in bob's identical search").to.equal(ResultCode.unwillingToPerform);
    expect(await refusal(page(alice, params(cookie, '(uid=*)'))), 'another filter').to.equal(ResultCode.unwillingToPerform);
    const altered = Buffer.from(cookie);
    altered[15] ^= 1;
    expect(await refusal(page(alice, params(altered))), 'an altered cookie').to.equal(ResultCode.unwillingToPerform);
    expect((await page(alice, params(cookie))).uids, 'still good in its own search').to.have.length(2);
  });
});
