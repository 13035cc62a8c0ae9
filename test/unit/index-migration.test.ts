import Database from 'better-sqlite3';
import { expect } from 'chai';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaIndexer } from '../../src/directory/entry-indexer';
import { Normalization } from '../../src/directory/normalize';
import { loadSchema } from '../../src/directory/schema/load';
import { migrationsDir } from '../../src/paths';
import { migrate } from '../../src/store/migrate';
import { SqliteStore } from '../../src/store/sqlite-store';

const indexer = new SchemaIndexer(new Normalization(loadSchema(join(__dirname, '..', '..', '..', 'schema'))));

/** A database from before migration 11 (every value indexed twice, a foreign key) opened by this Cairn. */
describe('a database indexed by an older Cairn', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cairn-old-index-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loses the second index and the foreign key, keeps its entries, and is reindexed once under the schema in use', async () => {
    const old = join(dir, 'migrations-10');
    mkdirSync(old);
    for (const f of readdirSync(migrationsDir).filter((f) => parseInt(f, 10) <= 10)) copyFileSync(join(migrationsDir, f), join(old, f));
    const file = join(dir, 'cairn.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    expect(migrate(db, old)).to.equal(10);
    const attrs = { objectClass: ['person'], cn: ['Pat Quinn'], sn: ['Quinn'] };
    db.prepare("INSERT INTO entries (id, parent_id, dn, ndn, path, attrs) VALUES (1, NULL, 'cn=Pat Quinn', 'cn=pat quinn', 'cn=pat quinn', ?)").run(
      JSON.stringify(attrs),
    );
    const ins = db.prepare('INSERT INTO attr_index (attr, norm, entry_id) VALUES (?, ?, 1)');
    for (const r of indexer.rows(attrs)) ins.run(r.attr, r.norm);
    ins.run('cn', 'a row the old code left behind');
    db.close();

    const store = new SqliteStore(file);
    try {
      expect(await store.useIndexer(indexer), 'reindexed: one entry').to.equal(1);
      expect(await store.useIndexer(indexer), 'once').to.equal(0);
      const check = new Database(file, { readonly: true });
      try {
        expect(check.pragma('user_version', { simple: true })).to.equal(11);
        expect((check.pragma('index_list(attr_index)') as { name: string }[]).map((i) => i.name)).to.not.include('attr_index_entry');
        expect(check.pragma('foreign_key_list(attr_index)')).to.deep.equal([]);
        expect(check.pragma('integrity_check', { simple: true })).to.equal('ok');
        expect(check.prepare('SELECT count(*) FROM attr_index').pluck().get()).to.equal(indexer.rows(attrs).length);
      } finally {
        check.close();
      }
      expect(await store.write((tx) => tx.entriesWithValue('sn', 'quinn'))).to.deep.equal([1]);
      await store.write((tx) => tx.deleteEntry(1));
      expect(await store.write((tx) => tx.entriesWithValue('sn', 'quinn'))).to.deep.equal([]);
    } finally {
      await store.close();
    }
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT count(*) FROM attr_index').pluck().get(), 'the deleted entry left no row').to.equal(0);
    after.close();
  });
});
