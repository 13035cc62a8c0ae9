import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFilterString } from '../../src/directory/filter/parse-string';
import { Normalization } from '../../src/directory/normalize';
import { compileFilter } from '../../src/directory/search/compile-filter';
import { fromAttributeMap, indexRows } from '../../src/directory/write/entry-attributes';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { AttributeMap, ScopeQuery } from '../../src/store/types';
import { loadSchema } from '../../src/directory/schema/load';

const schema = loadSchema(join(__dirname, '..', '..', '..', 'schema'));
const norm = new Normalization(schema);

/** Filters compiled to SQL, run against a real SQLite store with people and groups. */
describe('filters in SQL', function () {
  this.timeout(60000);
  const dir = mkdtempSync(join(tmpdir(), 'cairn-plan-'));
  const store = new SqliteStore(join(dir, 'db.sqlite'));
  let scope: ScopeQuery;
  const PEOPLE = 5000;

  const insert = (dn: string, parentId: number | null, attributes: AttributeMap) =>
    store.write((tx) => {
      const n = norm.normalizeDN(dn);
      return tx.insertEntry({ parentId, dn, ndn: n.ndn, path: n.path, attributes, index: indexRows(norm, fromAttributeMap(norm, attributes)) });
    });

  before(async () => {
    const base = await insert('dc=example,dc=com', null, { objectClass: ['dcObject', 'organization'], dc: ['example'], o: ['example'] });
    const people = await insert('ou=people,dc=example,dc=com', base, { objectClass: ['organizationalUnit'], ou: ['people'] });
    await store.write((tx) => {
      for (let i = 0; i < PEOPLE; i++) {
        const dn = `uid=u${i},ou=people,dc=example,dc=com`;
        const n = norm.normalizeDN(dn);
        const attributes: AttributeMap = {
          objectClass: ['inetOrgPerson', 'posixAccount'],
          uid: [`u${i}`],
          cn: [`User ${i}`],
          sn: [i % 2 ? 'Odd' : 'Even'],
          uidNumber: [String(1000 + i)],
          gidNumber: ['100'],
          homeDirectory: [`/home/u${i}`],
        };
        tx.insertEntry({ parentId: people, dn, ndn: n.ndn, path: n.path, attributes, index: indexRows(norm, fromAttributeMap(norm, attributes)) });
      }
    });
    scope = { kind: 'sub', id: base, path: norm.normalizeDN('dc=example,dc=com').path };
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (filter: string) => {
    const c = compileFilter(parseFilterString(filter), norm);
    const rows = await store.searchPage({ scope, filter: c.t, afterId: 0, limit: 100000 });
    return rows.map((r) => r.attributes.uid?.[0] ?? r.dn);
  };
  const plan = (filter: string) => store.explainSearch({ scope, filter: compileFilter(parseFilterString(filter), norm).t, afterId: 0, limit: 10 }).join('\n');

  it('an equality search by uid is an index lookup, not a scan of the entries', () => {
    const p = plan('(uid=u4321)');
    expect(p).to.match(/SEARCH (attr_index|d) USING PRIMARY KEY \(attr=\? AND norm=\?/);
    expect(p).to.match(/SEARCH e USING INTEGER PRIMARY KEY/);
    expect(p).to.not.match(/SCAN e\b/);
  });

  it('sssd\'s user lookup picks the uid equality as the driver', () => {
    const p = plan('(&(&(&(uid=u7)(objectclass=posixAccount))(uid=*))(&(uidNumber=*)(!(uidNumber=0))))');
    expect(p).to.match(/SEARCH (attr_index|d) USING PRIMARY KEY \(attr=\? AND norm=\?/);
    expect(p).to.not.match(/SCAN e\b/);
  });

  it('an OR of equalities is a union of index lookups', () => {
    const p = plan('(|(uid=u1)(uid=u2))');
    expect(p).to.not.match(/SCAN e\b/);
  });

  it('computes the right entries', async () => {
    expect(await run('(uid=U42)')).to.deep.equal(['u42']);
    expect(await run('(&(objectClass=posixAccount)(uidNumber>=5995))')).to.deep.equal(['u4995', 'u4996', 'u4997', 'u4998', 'u4999']);
    expect(await run('(&(uidNumber<=1002)(sn=even))')).to.deep.equal(['u0', 'u2']);
    expect(await run('(cn=user 123*)')).to.have.length(11);
    expect(await run('(cn=*ser 4999)')).to.deep.equal(['u4999']);
    expect(await run('(objectClass=person)')).to.have.length(PEOPLE);
    expect((await run('(&(uid=*)(!(sn=odd)))')).length).to.equal(PEOPLE / 2);
  });

  it('treats unknown attributes as Undefined, also under NOT', async () => {
    expect(await run('(nosuchattr=1)')).to.have.length(0);
    expect(await run('(!(nosuchattr=1))')).to.have.length(0);
    expect(await run('(|(nosuchattr=1)(uid=u3))')).to.deep.equal(['u3']);
    expect(await run('(!(&(nosuchattr=1)(uid=u3)))')).to.have.length(PEOPLE + 1);
  });

  it('treats a value the syntax cannot hold as Undefined', async () => {
    expect(await run('(uidNumber=abc)')).to.have.length(0);
    expect(await run('(!(uidNumber=abc))')).to.have.length(0);
  });
});
