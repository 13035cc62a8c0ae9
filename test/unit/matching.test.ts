import { expect } from 'chai';
import { caseIgnore, formatGeneralizedTime, generalizedTimeKey, integerKey, parseGeneralizedTime } from '../../src/directory/matching';

describe('matching rules', () => {
  it('caseIgnoreMatch folds case and insignificant spaces', () => {
    expect(caseIgnore('  John   SMITH ')).to.equal(caseIgnore('john smith'));
  });

  it('integer keys sort like the numbers they stand for', () => {
    const nums = [-1000, -99, -10, -9, -1, 0, 1, 2, 9, 10, 11, 99, 100, 1000, 20000, 123456789];
    const keys = nums.map((n) => integerKey(String(n))!);
    expect([...keys].sort()).to.deep.equal(keys);
    expect(integerKey('007')).to.equal(integerKey('7'));
    expect(integerKey('-0')).to.equal(integerKey('0'));
    expect(integerKey('12a')).to.equal(undefined);
  });

  it('generalized time keys compare in time order across zones and fractions', () => {
    expect(parseGeneralizedTime('20240101120000Z')).to.equal(Date.UTC(2024, 0, 1, 12));
    expect(generalizedTimeKey('20240101130000+0100')).to.equal(generalizedTimeKey('20240101120000Z'));
    expect(generalizedTimeKey('20240101120000.5Z')! > generalizedTimeKey('20240101120000Z')!).to.equal(true);
    expect(generalizedTimeKey('2024010112Z')).to.equal(generalizedTimeKey('20240101120000Z'));
    expect(generalizedTimeKey('yesterday')).to.equal(undefined);
    expect(formatGeneralizedTime(Date.UTC(2024, 0, 1, 12, 30, 5))).to.equal('20240101123005Z');
  });
});
