import { expect } from 'chai';
import { nextRun } from '../../src/notify/schedule';
import { policyInWords } from '../../src/security/policy/in-words';
import { htmlList, render } from '../../src/notify/templates';
import { DEFAULT_POLICY } from '../../src/security/policy/policy';

describe('reminder pieces', () => {
  it('the daily run is at the configured hour: later today, or tomorrow when it has passed', () => {
    const morning = new Date(2026, 10, 27, 6, 30);
    expect(nextRun(8, morning)).to.deep.equal(new Date(2026, 10, 27, 8, 0));
    const evening = new Date(2026, 10, 27, 20, 0);
    expect(nextRun(8, evening)).to.deep.equal(new Date(2026, 10, 28, 8, 0));
    expect(nextRun(8, new Date(2026, 10, 27, 8, 0))).to.deep.equal(new Date(2026, 10, 28, 8, 0));
  });

  it('states the default policy in plain words', () => {
    expect(policyInWords({ dn: 'cn=default', ...DEFAULT_POLICY })).to.deep.equal([
      'at least 12 characters',
      'at least 3 of: capital letters, lower-case letters, digits, special characters',
      'not containing your user name, your name or your mail address',
      'not a common password',
      'not one of your last 5 passwords',
    ]);
  });

  it('fills templates, escaping values in HTML', () => {
    expect(render('Hi {{name}}, {{missing}}.', { name: 'Zoë' }, false)).to.equal('Hi Zoë, .');
    expect(render('<p>{{name}}</p>', { name: '<script>' }, true)).to.equal('<p>&#60;script&#62;</p>');
    expect(render('<ul>{{rulesList}}</ul>', { rulesList: htmlList(['a < b']) }, true)).to.equal('<ul><li>a &#60; b</li></ul>');
  });
});
