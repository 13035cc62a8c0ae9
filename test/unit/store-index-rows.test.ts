import Database from 'better-sqlite3';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { IndexRow } from '../../src/store/types';

/** The index rows a modify leaves: exactly the new ones, whatever text they hold (a lone surrogate: a byte kept as it came). */
describe("an entry's index rows after a modify", () => {
  let dir: string;
  let store: SqliteStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-index-'));
    store = new SqliteStore(join(dir, 'cairn.sqlite'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rowsOf = (id: number): string[] => {
    const db = new Database(join(dir, 'cairn.sqlite'), { readonly: true });
    try {
      return (db.prepare('SELECT attr, hex(norm) FROM attr_index WHERE entry_id = ? ORDER BY 1, 2').raw().all(id) as [string, string][]).map(
        ([a, n]) => `${a}=${n}`,
      );
    } finally {
      db.close();
    }
  };
  const row = (attr: string, text: string) => `${attr}=${Buffer.from(text, 'utf8').toString('hex').toUpperCase()}`;

  it('are the new rows: kept ones stay, removed ones go, new ones come, equal ones once, odd text exactly', async () => {
    const lone = 'caf\udce9';
    const before: IndexRow[] = [
      { attr: 'objectclass', norm: 'person' },
      { attr: 'cn', norm: 'pat' },
      { attr: 'description', norm: lone },
      { attr: 'mail', norm: 'pat@example.com' },
    ];
    const after: IndexRow[] = [
      { attr: 'objectclass', norm: 'person' },
      { attr: 'cn', norm: 'pat quinn' },
      { attr: 'description', norm: lone + '!' },
      { attr: 'memberof', norm: 'cn=staff' },
      { attr: 'memberof', norm: 'cn=staff' },
    ];
    const id = await store.write((tx) =>
      tx.insertEntry({ parentId: null, dn: 'cn=pat', ndn: 'cn=pat', path: 'cn=pat', attributes: { cn: ['pat'] }, index: before }),
    );
    await store.write((tx) => tx.updateEntry(id, { cn: ['Pat Quinn'] }, after));
    const rows = rowsOf(id);
    expect(rows).to.have.length(4);
    expect(
      rows.filter((r) => r.startsWith('description=')),
      'the old odd value is gone',
    ).to.have.length(1);
    await store.write((tx) => tx.updateEntry(id, { cn: ['Pat'] }, before));
    expect(rowsOf(id), 'and back').to.have.length(4);
    expect(rowsOf(id).filter((r) => !r.startsWith('description='))).to.deep.equal([
      row('cn', 'pat'),
      row('mail', 'pat@example.com'),
      row('objectclass', 'person'),
    ]);
    const search = await store.write((tx) => tx.entriesWithValue('description', lone));
    expect(search, 'the odd value is found by its exact text').to.deep.equal([id]);
    expect(await store.write((tx) => tx.entriesWithValue('description', lone + '!')), 'the replaced one is not').to.deep.equal([]);
  });
});
