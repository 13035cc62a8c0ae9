import { expect } from 'chai';
import { isoNow } from '../../src/log';

describe('log line time', () => {
  it('is what toISOString writes, at every millisecond of a second, across seconds, days and years', () => {
    const starts = [Date.UTC(2026, 11, 1, 3, 33, 34), Date.UTC(2026, 11, 31, 23, 59, 59), Date.UTC(2027, 0, 1, 0, 0, 0), 0];
    for (const start of starts) for (let ms = 0; ms < 1000; ms++) expect(isoNow(start + ms)).to.equal(new Date(start + ms).toISOString());
    const now = Date.now();
    expect(isoNow(now)).to.equal(new Date(now).toISOString());
  });
});
