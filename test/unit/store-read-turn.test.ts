import Database from 'better-sqlite3';
import { expect } from 'chai';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaIndexer } from '../../src/directory/entry-indexer';
import { Normalization } from '../../src/directory/normalize';
import { loadSchema } from '../../src/directory/schema/load';
import { SqliteStore } from '../../src/store/sqlite-store';

const norm = new Normalization(loadSchema(join(__dirname, '..', '..', '..', 'schema')));
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A store's reads share one snapshot per turn of the event loop (see SqliteStore.inTurn). Two stores on
 * one file stand for two server workers (or a worker and the CLI).
 */
describe("the store's reads, a turn of the event loop at a time", () => {
  let dir: string;
  let file: string;
  let worker: SqliteStore;
  let other: SqliteStore;
  const dn = 'dc=example,dc=com';
  const ndn = norm.normalizeDN(dn).ndn;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-turn-'));
    file = join(dir, 'cairn.sqlite');
    worker = new SqliteStore(file);
    other = new SqliteStore(file);
    await worker.useIndexer(new SchemaIndexer(norm));
    await other.useIndexer(new SchemaIndexer(norm));
    const n = norm.normalizeDN(dn);
    await other.write((tx) => tx.insertEntry({ parentId: null, dn, ndn: n.ndn, path: n.path, attributes: { objectClass: ['organization'], o: ['Before'] } }));
  });
  afterEach(async () => {
    await worker.close();
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const changeO = (value: string) =>
    other.write((tx) => {
      const e = tx.entryByNdn(ndn)!;
      tx.updateEntry(e.id, { ...e.attributes, o: [value] });
    });

  it("sees another worker's change from the next turn on, and its cached entries follow", async () => {
    expect((await worker.entryByNdn(ndn))?.attributes.o).to.deep.equal(['Before']);
    await changeO('After');
    await nextTurn();
    expect((await worker.entryByNdn(ndn))?.attributes.o).to.deep.equal(['After']);
    const id = (await worker.entryByNdn(ndn))!.id;
    expect((await worker.entryById(id))?.attributes.o).to.deep.equal(['After']);
  });

  it('writes in the same turn as its reads, after another worker committed (no stale snapshot error)', async () => {
    expect(await worker.meta('probe')).to.equal(undefined);
    await other.write((tx) => tx.setMeta('probe', 'other'));
    await worker.write((tx) => tx.setMeta('probe', 'worker'));
    expect(await worker.meta('probe')).to.equal('worker');
    await nextTurn();
    expect(await other.meta('probe')).to.equal('worker');
  });

  it('holds no snapshot past its turn: a checkpoint can then empty the write-ahead log', async () => {
    await changeO('Again');
    expect((await worker.entryByNdn(ndn))?.attributes.o).to.deep.equal(['Again']);
    const cli = new Database(file, { timeout: 0 });
    try {
      // Within the turn the snapshot is still read.
      expect((cli.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[])[0].busy).to.equal(1);
      await nextTurn();
      const [result] = cli.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      expect(result.busy).to.equal(0);
      expect(statSync(`${file}-wal`).size).to.equal(0);
    } finally {
      cli.close();
    }
  });
});
