import Database from 'better-sqlite3';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaIndexer } from '../../src/directory/entry-indexer';
import { Normalization } from '../../src/directory/normalize';
import { loadSchema } from '../../src/directory/schema/load';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { AttributeMap } from '../../src/store/types';

const indexer = new SchemaIndexer(new Normalization(loadSchema(join(__dirname, '..', '..', '..', 'schema'))));

/**
 * The index rows an entry leaves: always exactly its attributes' rows, whatever text they hold (a lone
 * surrogate: a byte kept as it came). The store keeps no list of an entry's rows; it recomputes the old
 * ones to delete them, so a row left behind would match searches for a value the entry no longer has.
 */
describe("an entry's index rows", () => {
  let dir: string;
  let store: SqliteStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-index-'));
    store = new SqliteStore(join(dir, 'cairn.sqlite'));
    await store.useIndexer(indexer);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const allRows = (): string[] => {
    const db = new Database(join(dir, 'cairn.sqlite'), { readonly: true });
    try {
      return (db.prepare('SELECT entry_id, attr, hex(norm) FROM attr_index').raw().all() as [number, string, string][])
        .map(([id, a, n]) => `${id} ${a}=${n}`)
        .sort();
    } finally {
      db.close();
    }
  };
  /** The bytes better-sqlite3 binds for a string: UTF-8, with a lone surrogate as its own three bytes (WTF-8). */
  const boundHex = (text: string) =>
    [...text]
      .map((c) => {
        const cp = c.codePointAt(0)!;
        if (cp < 0xd800 || cp > 0xdfff) return Buffer.from(c, 'utf8').toString('hex');
        return Buffer.from([0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]).toString('hex');
      })
      .join('')
      .toUpperCase();
  const expected = (id: number, attributes: AttributeMap) =>
    indexer
      .rows(attributes)
      .map((r) => `${id} ${r.attr}=${boundHex(r.norm)}`)
      .sort();

  const lone = 'caf\udce9';
  const before: AttributeMap = { objectClass: ['person'], cn: ['Pat'], sn: ['Q'], description: [lone], 'cn;lang-de': ['Pat'] };
  const after: AttributeMap = { objectClass: ['person', 'posixAccount'], cn: ['Pat Quinn'], sn: ['Q'], description: [lone + '!'], memberOf: ['cn=Staff'] };

  it('after an add, modifies there and back, and a delete: exactly the rows of the attributes, odd text included', async () => {
    const other = await store.write((tx) => tx.insertEntry({ parentId: null, dn: 'cn=other', ndn: 'cn=other', path: 'cn=other', attributes: before }));
    const id = await store.write((tx) => tx.insertEntry({ parentId: null, dn: 'cn=pat', ndn: 'cn=pat', path: 'cn=pat', attributes: before }));
    expect(allRows()).to.deep.equal([...expected(other, before), ...expected(id, before)].sort());
    expect(
      allRows().filter((r) => r.startsWith(`${id} objectclass=`)),
      'superclasses are indexed',
    ).to.have.length(2);
    await store.write((tx) => tx.updateEntry(id, after));
    expect(allRows()).to.deep.equal([...expected(other, before), ...expected(id, after)].sort());
    expect(await store.write((tx) => tx.entriesWithValue('description', lone)), 'the replaced odd value is found only in the other entry').to.deep.equal([
      other,
    ]);
    await store.write((tx) => tx.updateEntry(id, before));
    expect(allRows(), 'and back').to.deep.equal([...expected(other, before), ...expected(id, before)].sort());
    expect(await store.write((tx) => tx.entriesWithValue('description', lone)), 'the odd value is found by its exact text').to.deep.equal([other, id]);
    await store.write((tx) => tx.deleteEntry(id));
    expect(allRows(), 'a deleted entry leaves no row').to.deep.equal(expected(other, before));
  });

  it('a modify rewrites only the types that changed, and keeps a row that an unchanged value shares', async () => {
    const id = await store.write((tx) => tx.insertEntry({ parentId: null, dn: 'cn=pat', ndn: 'cn=pat', path: 'cn=pat', attributes: before }));
    // cn;lang-de goes; cn keeps the same value, whose cn row both gave.
    const withoutLang: AttributeMap = { ...before };
    delete withoutLang['cn;lang-de'];
    await store.write((tx) => tx.updateEntry(id, withoutLang));
    expect(allRows()).to.deep.equal(expected(id, withoutLang));
    expect(allRows()).to.include(`${id} cn=${boundHex('pat')}`);
    await store.write((tx) => tx.updateEntry(id, { ...withoutLang, memberOf: ['cn=Staff'] }));
    expect(allRows()).to.deep.equal(expected(id, { ...withoutLang, memberOf: ['cn=Staff'] }));
    await store.write((tx) => tx.updateEntry(id, before));
    expect(allRows()).to.deep.equal(expected(id, before));
  });

  it('are rebuilt when the store opens with another indexer (another schema), and only then', async () => {
    const id = await store.write((tx) => tx.insertEntry({ parentId: null, dn: 'cn=pat', ndn: 'cn=pat', path: 'cn=pat', attributes: before }));
    const db = new Database(join(dir, 'cairn.sqlite'));
    db.prepare("INSERT INTO attr_index (attr, norm, entry_id) VALUES ('cn', 'stale', ?)").run(id);
    db.close();
    expect(await store.useIndexer(indexer), 'the same schema: nothing to do').to.equal(0);
    expect(allRows()).to.have.length(expected(id, before).length + 1);
    const other = { rows: indexer.rows.bind(indexer), typeKey: indexer.typeKey.bind(indexer), fingerprint: 'another schema' };
    expect(await store.useIndexer(other)).to.equal(1);
    expect(allRows()).to.deep.equal(expected(id, before));
  });
});
