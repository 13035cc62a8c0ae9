import Database from 'better-sqlite3';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asLdapError } from '../../src/directory/errors';
import { ResultCode } from '../../src/ldap/result-codes';
import { SqliteStore } from '../../src/store/sqlite-store';
import { StoreBusy } from '../../src/store/types';

describe('a write that finds the database held by another writer past its busy timeout', () => {
  let dir: string;
  let store: SqliteStore;
  /** Another connection to the same file: another worker, the CLI. */
  let other: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-busy-'));
    store = new SqliteStore(join(dir, 'cairn.sqlite'), { busyTimeoutMs: 100 });
    other = new Database(join(dir, 'cairn.sqlite'));
  });
  afterEach(async () => {
    other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails as busy (51, "try again"), not as an internal error (80), and changes nothing', async () => {
    other.exec('BEGIN IMMEDIATE');
    let thrown: unknown;
    await store.write((tx) => tx.setMeta('probe', 'one')).catch((err: unknown) => (thrown = err));
    expect(thrown).to.be.instanceOf(StoreBusy);
    const answer = asLdapError(thrown);
    expect(answer.resultCode).to.equal(ResultCode.busy);
    expect(answer.message).to.match(/busy.*try again/);
    other.exec('ROLLBACK');
    expect(await store.meta('probe')).to.equal(undefined);
    // Once the other writer is done, the same write goes through.
    await store.write((tx) => tx.setMeta('probe', 'two'));
    expect(await store.meta('probe')).to.equal('two');
  });

  it('a batch (an import) that cannot begin fails the same way', async () => {
    other.exec('BEGIN IMMEDIATE');
    let thrown: unknown;
    await store.batch(async () => undefined).catch((err: unknown) => (thrown = err));
    other.exec('ROLLBACK');
    expect(thrown).to.be.instanceOf(StoreBusy);
  });
});
