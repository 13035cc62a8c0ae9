import { expect } from 'chai';
import { capFields, capString, MAX_LOG_STRING } from '../../src/log-cap';

describe('log line bounds', () => {
  it('cuts a long string with a marker saying how much was left out', () => {
    const s = capString('x'.repeat(200 * 1024));
    expect(s).to.equal('x'.repeat(MAX_LOG_STRING) + `…(+${200 * 1024 - MAX_LOG_STRING} chars)`);
    expect(capString('short')).to.equal('short');
  });

  it('never splits a surrogate pair', () => {
    const s = capString('a'.repeat(MAX_LOG_STRING - 1) + '😀' + 'b'.repeat(10));
    expect(s.startsWith('a'.repeat(MAX_LOG_STRING - 1) + '…')).to.equal(true);
  });

  it('bounds every field: strings, lists and nested objects; leaves small lines as they are', () => {
    const small = { conn: 1, dn: 'uid=a,dc=x', attributes: ['cn', 'sn'] };
    expect(capFields(small)).to.deep.equal(small);
    const big = capFields({ filter: 'f'.repeat(100000), attributes: Array.from({ length: 10000 }, (_, i) => `attr${i}`), nested: { dn: 'd'.repeat(5000) } });
    const line = JSON.stringify(big);
    expect(line.length).to.be.below(4 * 1024);
    expect(big.attributes.at(-1)).to.match(/^…\(\+\d+ items\)$/);
    expect(big.nested.dn).to.match(/…\(\+3976 chars\)$/);
  });
});
