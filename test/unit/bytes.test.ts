import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { isRawBytes, printableValue, valueByteLength, valueBytes, valueFromBytes } from '../../src/bytes';

describe('values are bytes (surrogate escapes)', () => {
  it('keeps UTF-8 text as its characters', () => {
    const b = Buffer.from('Zoë 漢字 😀 \uFEFF', 'utf8');
    expect(valueFromBytes(b)).to.equal('Zoë 漢字 😀 \uFEFF');
    expect(isRawBytes(valueFromBytes(b))).to.equal(false);
  });

  it('gives back exactly the bytes it was given, for any bytes', () => {
    for (let n = 0; n < 2000; n++) {
      const b = randomBytes(n % 64);
      const v = valueFromBytes(b);
      expect(valueBytes(v).equals(b)).to.equal(true, b.toString('hex'));
      expect(valueByteLength(v)).to.equal(b.length);
    }
  });

  it('tells apart values that differ only in an invalid byte', () => {
    const e9 = valueFromBytes(Buffer.from([0x61, 0xe9, 0x62]));
    const e8 = valueFromBytes(Buffer.from([0x61, 0xe8, 0x62]));
    const fffd = valueFromBytes(Buffer.from('a\uFFFDb', 'utf8'));
    expect(new Set([e9, e8, fffd]).size).to.equal(3);
    expect(isRawBytes(e9)).to.equal(true);
    expect(printableValue(e9)).to.equal('a\\xe9b');
  });

  it('escapes encoded surrogates and overlong forms byte by byte', () => {
    for (const hex of ['eda080', 'edb080', 'c0af', 'e08080', 'f4908080', 'ff', 'c3']) {
      const b = Buffer.from(hex, 'hex');
      expect(valueBytes(valueFromBytes(b)).equals(b)).to.equal(true, hex);
      expect(isRawBytes(valueFromBytes(b))).to.equal(true, hex);
    }
  });

  it('survives JSON, as the store keeps values', () => {
    const v = valueFromBytes(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]));
    expect(valueBytes(JSON.parse(JSON.stringify(v)) as string).toString('hex')).to.equal('ffd8ffe00010');
  });
});
