import { expect } from 'chai';
import { BASE, importLdif, initData, ldapTool, peopleLdif, removeData, startServer, type RunningServer, asAdmin } from '../helpers/server';

/** Filters as wide and deep as group syncs and fuzzers send: a real answer, never "internal server error" (80). */
describe('wide and deep filters against cairn serve', function () {
  this.timeout(120000);
  let server: RunningServer;
  const search = (filter: string, ...attrs: string[]) =>
    ldapTool('ldapsearch', [...asAdmin(server.url), '-LLL', '-o', 'ldif-wrap=no', '-b', `ou=people,${BASE}`, filter, ...(attrs.length ? attrs : ['1.1'])]);
  const uids = (r: { stdout: string }) =>
    r.stdout
      .split('\n')
      .filter((l) => l.startsWith('dn: uid=user'))
      .map((l) => l.slice(8, 16))
      .sort();
  const user = (i: number) => `user${String(i).padStart(4, '0')}`;
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  before(async () => {
    const data = initData();
    importLdif(data, peopleLdif(100) + `\ndn: uid=long,ou=people,${BASE}\nobjectClass: inetOrgPerson\nuid: long\ncn: long\nsn: ${'ab '.repeat(1200)}end\n`);
    server = await startServer(data);
  });
  after(async () => {
    await server?.stop();
    removeData(server.data);
  });

  it('an OR of 5,000 uid equalities returns exactly the people it names', () => {
    const named = range(0, 5000).map((i) => (i % 50 === 0 ? user(i / 50) : `nobody${i}`));
    const r = search(`(|${named.map((u) => `(uid=${u})`).join('')})`);
    expect(r.status, r.stderr).to.equal(0);
    expect(uids(r)).to.deep.equal(range(0, 100).map(user));
  });

  it('an AND of 2,000 presence and equality terms, and of 1,000 ranges', () => {
    const terms = range(0, 500)
      .map(() => '(uid=*)(objectClass=posixAccount)(gidNumber=10001)(sn=7)')
      .join('');
    const r = search(`(&${terms})`);
    expect(r.status, r.stderr).to.equal(0);
    expect(uids(r)).to.deep.equal([user(7)]);
    const distinct = range(0, 1000)
      .map((i) => `(uidNumber>=${18000 + i})`)
      .join('');
    const d = search(`(&(objectClass=posixAccount)${distinct})`);
    expect(d.status, d.stderr).to.equal(0);
    expect(uids(d)).to.deep.equal(range(0, 100).map(user));
  });

  it('a NOT of an OR of 2,000', () => {
    const r = search(
      `(&(objectClass=posixAccount)(!(|${range(10, 2010)
        .map((i) => `(uid=${user(i)})`)
        .join('')})))`,
    );
    expect(r.status, r.stderr).to.equal(0);
    expect(uids(r)).to.deep.equal(range(0, 10).map(user));
  });

  it('1,000 substring terms, and one substring with 1,000 parts', () => {
    const r = search(
      `(|${range(0, 1000)
        .map((i) => `(mail=*${String(i).padStart(4, '0')}@*)`)
        .join('')})`,
    );
    expect(r.status, r.stderr).to.equal(0);
    expect(uids(r)).to.have.length(100);
    const parts = search(`(sn=${'a*b*'.repeat(1000)}end)`);
    expect(parts.status, parts.stderr).to.equal(0);
    expect(parts.stdout).to.contain('dn: uid=long,');
  });

  it('a filter nested 60 deep', () => {
    let f = `(uid=${user(42)})`;
    // 60 levels, 20 of them NOTs (an even number: the answer stays uid=user0042).
    for (let i = 0; i < 60; i++) f = i % 3 === 0 ? `(!${f})` : i % 3 === 1 ? `(&(objectClass=person)${f})` : `(|(uid=nobody${i})${f})`;
    const r = search(f);
    expect(r.status, r.stderr).to.equal(0);
    expect(uids(r)).to.deep.equal([user(42)]);
  });

  it('the costliest shapes under the limit (issue 12): exactly the entries the filter names', () => {
    const pad = (i: number) => String(i).padStart(4, '0');
    // An AND of 2,499 ORs across uid, cn and mail, each naming user0007 once.
    const andOfOrs = search(
      `(&${range(0, 2499)
        .map((i) => `(|(uid=${user(7)})(cn=a${i})(mail=a${i}))`)
        .join('')})`,
    );
    expect(andOfOrs.status, andOfOrs.stderr).to.equal(0);
    expect(uids(andOfOrs)).to.deep.equal([user(7)]);
    // An OR of 1,000 ANDs of a presence and a substring with no initial part: no index narrows it.
    const orOfAnds = search(
      `(|${range(0, 1000)
        .map((i) => `(&(cn=*)(mail=*r${pad(i * 7)}@*))`)
        .join('')})`,
    );
    expect(orOfAnds.status, orOfAnds.stderr).to.equal(0);
    expect(uids(orOfAnds)).to.deep.equal(
      range(0, 100)
        .filter((i) => i % 7 === 0)
        .map(user),
    );
    // A NOT of an OR across three attributes.
    const notOr = search(
      `(&(objectClass=posixAccount)(!(|${range(10, 3310)
        .map((i) => `(uid=${user(i)})(cn=User ${i})(mail=x${i})`)
        .join('')})))`,
    );
    expect(notOr.status, notOr.stderr).to.equal(0);
    expect(uids(notOr)).to.deep.equal(range(0, 10).map(user));
    // An AND of 2,499 ORs of a presence and a negated equality.
    const andOfNots = search(
      `(&${range(0, 2499)
        .map((i) => `(|(sn=*)(!(uid=${user(i)})))`)
        .join('')})`,
    );
    expect(andOfNots.status, andOfNots.stderr).to.equal(0);
    expect(uids(andOfNots)).to.deep.equal(range(0, 100).map(user));
    // An OR of 1,000 substrings over two attributes, the most a filter may hold.
    const substrings = search(
      `(|${range(0, 500)
        .map((i) => `(cn=*x${i}y*)(mail=*r${pad(i * 3)}@e*)`)
        .join('')})`,
    );
    expect(substrings.status, substrings.stderr).to.equal(0);
    expect(uids(substrings)).to.deep.equal(
      range(0, 100)
        .filter((i) => i % 3 === 0)
        .map(user),
    );
    // Presence of an attribute nobody has, and a big OR.
    const absent = search(
      `(&(description=*)(|${range(0, 5000)
        .map((i) => `(uid=${user(i % 100)})`)
        .join('')}))`,
    );
    expect(absent.status, absent.stderr).to.equal(0);
    expect(uids(absent)).to.deep.equal([]);
  });

  it('a filter of more than 10,000 elements is refused with adminLimitExceeded (11)', () => {
    const r = search(`(|${'(uid=a)'.repeat(10000)})`);
    expect(r.status).to.equal(11);
    expect(r.stderr).to.match(/Administrative limit exceeded/i);
    expect(r.stderr).to.contain('filter too large: more than 10000 elements');
    const ok = search(`(|${'(uid=a)'.repeat(9999)})`);
    expect(ok.status, ok.stderr).to.equal(0);
  });

  it('a filter of more than 1,000 substring or ordering assertions is refused with adminLimitExceeded (11)', () => {
    const r = search(
      `(|${range(0, 1000)
        .map((i) => `(cn=*${i}*)`)
        .join('')}(uidNumber>=5))`,
    );
    expect(r.status).to.equal(11);
    expect(r.stderr).to.contain('filter too costly: more than 1000 substring or ordering (>=, <=) assertions');
    const ok = search(
      `(|${range(0, 999)
        .map((i) => `(cn=*${i}*)`)
        .join('')}(uidNumber>=5))`,
    );
    expect(ok.status, ok.stderr).to.equal(0);
    expect(uids(ok)).to.have.length(100);
  });

  it('logs nothing at level error for all this', () => {
    expect(server.stderr()).to.not.match(/"level":"error"/);
  });
});
