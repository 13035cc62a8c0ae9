import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFilterString } from '../../src/directory/filter/parse-string';
import { Normalization } from '../../src/directory/normalize';
import { compileFilter } from '../../src/directory/search/compile-filter';
import { SchemaIndexer } from '../../src/directory/entry-indexer';
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
  let peopleScope: ScopeQuery;
  const PEOPLE = 5000;

  const insert = (dn: string, parentId: number | null, attributes: AttributeMap) =>
    store.write((tx) => {
      const n = norm.normalizeDN(dn);
      return tx.insertEntry({ parentId, dn, ndn: n.ndn, path: n.path, attributes });
    });

  before(async () => {
    await store.useIndexer(new SchemaIndexer(norm));
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
        tx.insertEntry({ parentId: people, dn, ndn: n.ndn, path: n.path, attributes });
      }
    });
    scope = { kind: 'sub', id: base, path: norm.normalizeDN('dc=example,dc=com').path };
    peopleScope = { kind: 'sub', id: people, path: norm.normalizeDN('ou=people,dc=example,dc=com').path };
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

  it("sssd's user lookup picks the uid equality as the driver", () => {
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

  describe('wide filters (SQLite limits: 500 UNION terms, expression depth 1,000, 32,766 variables, 50,000-byte GLOB)', () => {
    const uids = (n: number, from = 0, prefix = 'u') => Array.from({ length: n }, (_, i) => `(uid=${prefix}${from + i})`).join('');
    const timed = async (filter: string) => {
      const t = Date.now();
      const r = await run(filter);
      return { r, ms: Date.now() - t };
    };

    it('an OR of 10,000 uid equalities runs, driven by one seek per value', async () => {
      const filter = `(|${uids(5000, 4000)}${uids(5000, 0, 'nobody')})`;
      const { r, ms } = await timed(filter);
      expect(r).to.have.length(1000);
      expect(r[0]).to.equal('u4000');
      expect(ms).to.be.below(5000);
      const p = plan(filter);
      expect(p).to.match(/SEARCH attr_index USING PRIMARY KEY \(attr=\? AND norm=\?\)/);
      expect(p).to.match(/SEARCH e USING INTEGER PRIMARY KEY/);
      expect(p).to.not.match(/SCAN (e|attr_index)\b/);
    });

    it('an OR of 2,000 equalities on different attributes is one join of the index with the list of them', async () => {
      const filter = `(|${Array.from({ length: 1000 }, (_, i) => `(uid=u${i})(uidNumber=${1000 + i})`).join('')})`;
      expect(await run(filter)).to.have.length(1000);
      const p = plan(filter);
      expect(p).to.match(/SCAN j VIRTUAL TABLE/);
      expect(p).to.match(/SEARCH attr_index USING PRIMARY KEY \(attr=\? AND norm=\?\)/);
      expect(p).to.not.match(/SCAN e\b/);
    });

    it('an AND of 2,000 distinct terms and an AND of 3,000 repeated ones', async () => {
      const ranges = Array.from({ length: 2000 }, (_, i) => `(uidNumber>=${1000 + i})`).join('');
      expect(await run(`(&(objectClass=person)${ranges})`)).to.have.length(PEOPLE - 1999);
      const same = '(uid=*)(cn=user 7)(sn=odd)'.repeat(1000);
      expect(await run(`(&${same})`)).to.deep.equal(['u7']);
    });

    it('a NOT of an OR of 2,000, and an AND of 2,000 NOTs', async () => {
      expect(await run(`(&(uidNumber<=1009)(!(|${uids(2000)})))`)).to.have.length(0);
      expect(await run(`(&(uid=*)(!(|${uids(2000, 3000)})))`)).to.have.length(PEOPLE - 2000);
      const nots = Array.from({ length: 2000 }, (_, i) => `(!(uid=u${i}))`).join('');
      expect(await run(`(&(uid=*)${nots})`)).to.have.length(PEOPLE - 2000);
    });

    it('an OR of 1,000 substring assertions, and one with 1,000 parts', async () => {
      const subs = Array.from({ length: 1000 }, (_, i) => `(cn=*er ${4000 + i})`).join('');
      expect(await run(`(|${subs})`)).to.have.length(1000);
      const parts = '*' + 'u*s*e*r*'.repeat(250);
      expect(await run(`(cn=${parts})`)).to.have.length(0);
      expect(await run('(cn=u*s*e*r* 42*)')).to.include('u42');
    });

    it('a substring pattern over 50,000 bytes is matched outside GLOB, byte for byte', async () => {
      const long = 'x'.repeat(60000);
      expect(await run(`(cn=*${long}*)`)).to.have.length(0);
      expect(await run(`(|(cn=*${long}*)(uid=u5))`)).to.deep.equal(['u5']);
      expect(await run(`(cn=User 4*${'9'.repeat(60000)}*)`)).to.have.length(0);
    });

    it('a wide filter (evaluated in JavaScript) answers as SQL does, also for bytes that are not UTF-8', async () => {
      const people = (await store.entryByNdn(norm.normalizeDN('ou=people,dc=example,dc=com').ndn))!.id;
      await insert('uid=w1,ou=people,dc=example,dc=com', people, { objectClass: ['device'], uid: ['w1'], cn: ['a\uDC80b'] });
      await insert('uid=w2,ou=people,dc=example,dc=com', people, { objectClass: ['device'], uid: ['w2'], cn: ['x\uD83D\uDC80y'] });
      // 40 ANDs of two leaves that match nothing make any filter wide (more than 32 leaves).
      const widen = (f: string) => `(|${f}${Array.from({ length: 40 }, (_, i) => `(&(uid=n${i})(sn=n${i}))`).join('')})`;
      for (const f of ['(cn=*\\80*)', '(cn=a\\80b)', '(cn=a\\80*)', '(cn=*\\80b)', '(cn=*\\f0\\9f\\92\\80*)', '(cn=x*y)', '(!(cn=*\\80*))', '(uid>=w)']) {
        expect(await run(widen(f)), f).to.deep.equal(await run(f));
      }
      expect(await run(widen('(cn=*\\80*)'))).to.deep.equal(['w1']);
    });

    it('a filter nested 60 deep', async () => {
      let f = '(uid=u9)';
      for (let i = 0; i < 60; i++) f = i % 2 ? `(&(objectClass=person)${f})` : `(|(uid=nobody${i})${f})`;
      expect(await run(f)).to.deep.equal(['u9']);
      let g = '(uid=u9)';
      for (let i = 0; i < 60; i++) g = `(!${g})`;
      expect(await run(g)).to.deep.equal(['u9']);
    });
  });

  describe('enumerating a subtree (sssd, nslcd, application syncs): every row read once for the whole walk', () => {
    let groupsScope: ScopeQuery;
    const explain = (q: ScopeQuery, filter: string) =>
      store.explainSearch({ scope: q, filter: compileFilter(parseFilterString(filter), norm).t, afterId: 0, limit: 500 }).join('\n');
    /** Every page of a walk, `size` entries at a time, as runSearch continues it: the ids in the order sent. */
    const walk = async (q: ScopeQuery, filter: string, size: number) => {
      const t = compileFilter(parseFilterString(filter), norm).t;
      const ids: number[] = [];
      for (let afterId = 0; ;) {
        const rows = await store.searchPage({ scope: q, filter: t, afterId, limit: size });
        ids.push(...rows.map((r) => r.id));
        if (rows.length < size) return ids;
        afterId = rows[rows.length - 1].id;
      }
    };

    before(async () => {
      const base = (await store.entryByNdn('dc=example,dc=com'))!.id;
      const groups = await insert('ou=groups,dc=example,dc=com', base, { objectClass: ['organizationalUnit'], ou: ['groups'] });
      for (let i = 0; i < 5; i++)
        await insert(`cn=g${i},ou=groups,dc=example,dc=com`, groups, { objectClass: ['posixGroup'], cn: [`g${i}`], gidNumber: [String(i)] });
      groupsScope = { kind: 'sub', id: groups, path: norm.normalizeDN('ou=groups,dc=example,dc=com').path };
    });

    it("a large subtree with objectClass=posixAccount walks that value's index rows in id order: no sort, no re-read per page", () => {
      const p = explain(peopleScope, '(objectClass=posixAccount)');
      expect(p).to.match(/SEARCH (attr_index|d) USING PRIMARY KEY \(attr=\? AND norm=\? AND entry_id>\?\)/);
      expect(p).to.not.match(/TEMP B-TREE/);
      expect(explain(peopleScope, '(&(objectclass=posixAccount)(uid=*)(&(uidNumber=*)(!(uidNumber=0))))')).to.not.match(/TEMP B-TREE/);
    });

    it('a large subtree with no equality walks the rows in id order from where the page ended', () => {
      const p = explain(peopleScope, '(uid=*)');
      expect(p).to.match(/(SCAN e|SEARCH e USING INTEGER PRIMARY KEY \(rowid>\?\))/);
      expect(p).to.not.match(/TEMP B-TREE/);
    });

    it('a small subtree is read through the path index (its few rows sorted)', () => {
      expect(explain(groupsScope, '(objectClass=posixGroup)')).to.match(/USING INDEX \S+ \(path>\? AND path<\?\)/);
    });

    it('paged walks return every entry of the scope once, in id order, whichever way they walk', async () => {
      const peopleChildren: ScopeQuery = { kind: 'children', id: peopleScope.id, path: norm.normalizeDN('ou=people,dc=example,dc=com').path };
      const walks: [ScopeQuery, string, number][] = [
        [peopleScope, '(objectClass=posixAccount)', PEOPLE],
        [peopleScope, '(uid=*)', PEOPLE + 2],
        [peopleScope, '(objectClass=*)', PEOPLE + 3],
        [peopleChildren, '(objectClass=*)', PEOPLE + 2],
        [groupsScope, '(objectClass=posixGroup)', 5],
        [scope, '(|(objectClass=posixGroup)(uid=u1))', 6],
        // Evaluated in JavaScript: a substring with no initial part scanned once for the walk, alone, under
        // an objectClass, or in a union; a range driving; a presence led by objectClass; a NOT of a presence.
        [peopleScope, '(cn=*ser 49*)', 111],
        [peopleScope, '(&(objectClass=posixAccount)(cn=*ser 49*))', 111],
        [peopleScope, '(|(cn=*ser 4999)(uid=u1*))', 1112],
        [peopleScope, '(&(uidNumber>=5995)(objectClass=posixAccount))', 5],
        [peopleScope, '(&(objectClass=posixAccount)(uid=*)(!(uidNumber=1000)))', PEOPLE - 1],
        [peopleScope, '(!(uid=*))', 1],
      ];
      for (const [q, filter, expected] of walks) {
        for (const size of [1, 128, 500]) {
          const ids = await walk(q, filter, size);
          expect(ids, `${filter} by ${size}`).to.have.length(expected);
          expect(ids, `${filter} by ${size}: ascending, no repeats`).to.deep.equal([...new Set(ids)].sort((a, b) => a - b));
        }
      }
    });

    // Last: it deletes people.
    it('a page of a filter tested in JavaScript skips the scanned entries deleted or moved since the scan', async () => {
      const t = compileFilter(parseFilterString('(cn=*ser 49*)'), norm).t;
      const first = await store.searchPage({ scope: peopleScope, filter: t, afterId: 0, limit: 10 });
      const gone = (await store.searchPage({ scope: peopleScope, filter: t, afterId: first[9].id, limit: 3 })).map((e) => e.id);
      await store.write((tx) => gone.forEach((id) => tx.deleteEntry(id)));
      const rest = await store.searchPage({ scope: peopleScope, filter: t, afterId: first[9].id, limit: 1000 });
      expect(rest.map((e) => e.id)).to.not.include.members(gone);
      expect(first.length + rest.length).to.equal(111 - gone.length);
    });
  });
});
