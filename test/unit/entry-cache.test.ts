import { expect } from 'chai';
import { EntryCache } from '../../src/store/entry-cache';
import type { StoredEntry } from '../../src/store/types';

const entry = (ndn: string): StoredEntry => ({ id: 1, parentId: null, dn: ndn, ndn, path: '', attributes: {} });

describe('the entries kept by DN', () => {
  it('are bounded by their size as well as their number: a few large entries do not pile up', () => {
    const cache = new EntryCache();
    for (let i = 0; i < 16; i++) cache.set(`uid=p${i}`, entry(`uid=p${i}`), 500_000);
    // 8,000,000 characters at most: sixteen half-megabyte entries fill it; the seventeenth starts it again.
    expect(cache.get('uid=p0')?.ndn).to.equal('uid=p0');
    cache.set('uid=p16', entry('uid=p16'), 500_000);
    expect(cache.get('uid=p0')).to.equal(undefined);
    expect(cache.get('uid=p15')).to.equal(undefined);
    expect(cache.get('uid=p16')?.ndn).to.equal('uid=p16');
    // One entry larger than the whole bound is never kept; a DN known to be free (null) costs nothing.
    cache.set('uid=huge', entry('uid=huge'), 9_000_000);
    expect(cache.get('uid=huge')).to.equal(undefined);
    cache.set('uid=none', null, 0);
    expect(cache.get('uid=none')).to.equal(null);
  });

  it('are bounded to 1,000 small entries', () => {
    const cache = new EntryCache();
    for (let i = 0; i <= 1000; i++) cache.set(`uid=p${i}`, entry(`uid=p${i}`), 100);
    expect(cache.get('uid=p0')).to.equal(undefined);
    expect(cache.get('uid=p1000')?.ndn).to.equal('uid=p1000');
  });
});
