import Database from 'better-sqlite3';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { valueBytes, valueFromBytes } from '../../src/bytes';
import { SchemaIndexer } from '../../src/directory/entry-indexer';
import { Normalization } from '../../src/directory/normalize';
import { loadSchema } from '../../src/directory/schema/load';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { AttributeMap } from '../../src/store/types';

const norm = new Normalization(loadSchema(join(__dirname, '..', '..', '..', 'schema')));

/** Values that are not UTF-8 text (photos, certificates): kept byte for byte, stored at about their size. */
describe('binary values in the entries table', () => {
  let dir: string;
  let file: string;
  let store: SqliteStore;
  const dn = 'uid=pat,dc=example,dc=com';
  const n = norm.normalizeDN(dn);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-binary-'));
    file = join(dir, 'cairn.sqlite');
    store = new SqliteStore(file);
    await store.useIndexer(new SchemaIndexer(norm));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const storedText = () => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT attrs FROM entries WHERE ndn = ?').pluck().get(n.ndn) as string;
    } finally {
      db.close();
    }
  };
  const insert = (attributes: AttributeMap) => store.write((tx) => tx.insertEntry({ parentId: null, dn, ndn: n.ndn, path: n.path, attributes }));
  const read = async () => (await store.entryById((await store.entryByNdn(n.ndn))!.id))!.attributes;

  it('a 100 KB photo reads back byte for byte and takes about 4/3 of its size, not six characters a byte', async () => {
    const photo = randomBytes(100 * 1024);
    photo[0] = 0xff; // not UTF-8 whatever the rest is
    const cert = Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x41, 0xc3]);
    await insert({
      objectClass: ['inetOrgPerson'],
      uid: ['pat'],
      cn: ['Pat [1]'],
      sn: ['Q'],
      jpegPhoto: [valueFromBytes(photo)],
      'userCertificate;binary': [valueFromBytes(cert)],
    });
    const attributes = await read();
    expect(valueBytes(attributes.jpegPhoto[0]).equals(photo)).to.equal(true);
    expect(valueBytes(attributes['userCertificate;binary'][0]).equals(cert)).to.equal(true);
    expect(attributes.cn).to.deep.equal(['Pat [1]']);
    expect(storedText().length).to.be.below(photo.length * 1.4);
  });

  it('text values, and text that only looks like the stored form, stay as they are', async () => {
    const text: AttributeMap = { objectClass: ['person'], cn: ['[["a"]]', 'x,["b"]'], sn: ['ünïcode 😀'], description: ['[]'] };
    await insert(text);
    expect(await read()).to.deep.equal(text);
    expect(storedText()).to.equal(JSON.stringify(text));
  });

  it('rows written before (bytes as \\udcXX escapes) read as they did, and a change rewrites them compactly', async () => {
    const photo = Buffer.alloc(3000, 0xfe);
    const old: AttributeMap = { objectClass: ['person'], cn: ['Pat'], sn: ['Q'], jpegPhoto: [valueFromBytes(photo)] };
    const id = await insert({ objectClass: ['person'], cn: ['Pat'], sn: ['Q'] });
    const db = new Database(file);
    db.prepare('UPDATE entries SET attrs = ? WHERE id = ?').run(JSON.stringify(old), id);
    db.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(storedText().length).to.be.above(photo.length * 6);
    const attributes = (await store.entryById(id))!.attributes;
    expect(valueBytes(attributes.jpegPhoto[0]).equals(photo)).to.equal(true);
    await store.write((tx) => tx.updateEntry(id, { ...attributes, sn: ['R'] }));
    expect(storedText().length).to.be.below(photo.length * 1.4);
    expect(valueBytes((await store.entryById(id))!.attributes.jpegPhoto[0]).equals(photo)).to.equal(true);
  });
});
