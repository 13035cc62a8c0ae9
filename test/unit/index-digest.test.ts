import Database from 'better-sqlite3';
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { valueFromBytes } from '../../src/bytes';
import { SchemaIndexer } from '../../src/directory/entry-indexer';
import { parseFilterString } from '../../src/directory/filter/parse-string';
import { Normalization } from '../../src/directory/normalize';
import { loadSchema } from '../../src/directory/schema/load';
import { compileFilter } from '../../src/directory/search/compile-filter';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { AttributeMap } from '../../src/store/types';

const norm = new Normalization(loadSchema(join(__dirname, '..', '..', '..', 'schema')));
/** A filter assertion value with every byte escaped (RFC 4515). */
const escaped = (b: Buffer) => [...b].map((x) => '\\' + x.toString(16).padStart(2, '0')).join('');

/** Photos and certificates are indexed by digest: equality and presence work, the index stays small. */
describe('long binary values in the index', () => {
  let dir: string;
  let file: string;
  let store: SqliteStore;
  const photo1 = Buffer.concat([Buffer.from([0xff, 0xd8]), randomBytes(20_000)]);
  const photo2 = Buffer.concat([Buffer.from([0xff, 0xd8]), randomBytes(20_000)]);
  const cert = Buffer.concat([Buffer.from([0x30, 0x82]), randomBytes(900)]);
  const short = Buffer.from([0xff, 0x01, 0x02]);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-digest-'));
    file = join(dir, 'cairn.sqlite');
    store = new SqliteStore(file);
    await store.useIndexer(new SchemaIndexer(norm));
    const add = (uid: string, more: AttributeMap) => {
      const n = norm.normalizeDN(`uid=${uid},dc=example,dc=com`);
      const attributes = { objectClass: ['inetOrgPerson'], uid: [uid], cn: [uid], sn: ['Q'], ...more };
      return store.write((tx) => tx.insertEntry({ parentId: null, dn: n.dn, ndn: n.ndn, path: n.path, attributes }));
    };
    await add('one', { jpegPhoto: [valueFromBytes(photo1)], 'userCertificate;binary': [valueFromBytes(cert)] });
    await add('two', { jpegPhoto: [valueFromBytes(photo2), valueFromBytes(short)] });
    await add('three', {});
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const search = async (filter: string) => {
    const rows = await store.searchPage({
      scope: { kind: 'sub', id: 0, path: '' },
      filter: compileFilter(parseFilterString(filter), norm).t,
      afterId: 0,
      limit: 100,
    });
    return rows.map((r) => r.attributes.uid[0]).sort();
  };

  it('an equality filter finds the entry holding exactly those bytes, and no other', async () => {
    expect(await search(`(jpegPhoto=${escaped(photo1)})`)).to.deep.equal(['one']);
    expect(await search(`(jpegPhoto=${escaped(photo2)})`)).to.deep.equal(['two']);
    const changed = Buffer.from(photo1);
    changed[10_000] ^= 1;
    expect(await search(`(jpegPhoto=${escaped(changed)})`)).to.deep.equal([]);
    expect(await search(`(userCertificate;binary=${escaped(cert)})`)).to.deep.equal(['one']);
    expect(await search(`(userCertificate=${escaped(cert)})`)).to.deep.equal(['one']);
    expect(await search(`(jpegPhoto=${escaped(short)})`)).to.deep.equal(['two']);
    expect(await search('(jpegPhoto=*)')).to.deep.equal(['one', 'two']);
    expect(await search(`(&(uid=one)(!(jpegPhoto=${escaped(photo2)})))`)).to.deep.equal(['one']);
  });

  it('a substrings filter on a photo or a certificate is Undefined (they have no substrings rule), as in slapd', async () => {
    expect(await search(`(userCertificate=${escaped(cert.subarray(0, 2))}*)`)).to.deep.equal([]);
    expect(await search(`(jpegPhoto=*${escaped(photo1.subarray(5, 9))}*)`)).to.deep.equal([]);
    expect(await search(`(!(userCertificate=${escaped(cert.subarray(0, 2))}*))`), 'NOT Undefined is Undefined').to.deep.equal([]);
  });

  it('the index holds a digest of each long value, not the value; a short one as it is', () => {
    const db = new Database(file, { readonly: true });
    try {
      const rows = db.prepare("SELECT attr, norm FROM attr_index WHERE attr IN ('jpegphoto', 'usercertificate', 'usercertificate;binary')").all() as {
        attr: string;
        norm: string;
      }[];
      expect(rows).to.have.length(5);
      const digests = rows.filter((r) => /^\{sha256\}: [A-Za-z0-9+/]{43}=$/.test(r.norm));
      expect(digests.map((r) => r.attr).sort()).to.deep.equal(['jpegphoto', 'jpegphoto', 'usercertificate', 'usercertificate;binary']);
      expect(rows.filter((r) => !digests.includes(r)).map((r) => [r.attr, r.norm.length < 10])).to.deep.equal([['jpegphoto', true]]);
    } finally {
      db.close();
    }
  });

  it('a short value spelled like a digest is not taken for one', async () => {
    const digest = '{sha256}: ' + createHash('sha256').update(photo1).digest('base64');
    expect(await search(`(jpegPhoto=${digest.replace(/[()*\\]/g, (c) => '\\' + c.charCodeAt(0).toString(16))})`)).to.deep.equal([]);
  });
});
