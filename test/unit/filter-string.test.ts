import { expect } from 'chai';
import { FilterSyntaxError, parseFilterString } from '../../src/directory/filter/parse-string';
import { filterToString } from '../../src/directory/filter/to-string';
import { Filter } from '../../src/ldap/filter';

function expectSyntaxError(text: string, position: number, fragment: string): void {
  let caught: unknown;
  try {
    parseFilterString(text);
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected ${JSON.stringify(text)} to be rejected`).to.be.instanceOf(FilterSyntaxError);
  const error = caught as FilterSyntaxError;
  expect(error.position, error.message).to.equal(position);
  expect(error.message).to.match(new RegExp(`^bad filter at ${position}: `));
  expect(error.message).to.contain(fragment);
}

const eq = (attribute: string, value: string): Filter => ({ type: 'equality', attribute, value });

describe('filter strings', () => {
  describe('parseFilterString', () => {
    it('parses the simple comparisons', () => {
      expect(parseFilterString('(uid=alice)')).to.deep.equal(eq('uid', 'alice'));
      expect(parseFilterString('(age>=21)')).to.deep.equal({ type: 'greaterOrEqual', attribute: 'age', value: '21' });
      expect(parseFilterString('(age<=65)')).to.deep.equal({ type: 'lessOrEqual', attribute: 'age', value: '65' });
      expect(parseFilterString('(cn~=Jon)')).to.deep.equal({ type: 'approx', attribute: 'cn', value: 'Jon' });
    });

    it('parses presence', () => {
      expect(parseFilterString('(objectClass=*)')).to.deep.equal({ type: 'present', attribute: 'objectClass' });
    });

    it('parses substrings with any number of stars', () => {
      expect(parseFilterString('(cn=Jo*)')).to.deep.equal({ type: 'substrings', attribute: 'cn', initial: 'Jo', any: [] });
      expect(parseFilterString('(cn=*son)')).to.deep.equal({ type: 'substrings', attribute: 'cn', any: [], final: 'son' });
      expect(parseFilterString('(cn=*oh*)')).to.deep.equal({ type: 'substrings', attribute: 'cn', any: ['oh'] });
      expect(parseFilterString('(cn=J*h*n*s*on)')).to.deep.equal({
        type: 'substrings',
        attribute: 'cn',
        initial: 'J',
        any: ['h', 'n', 's'],
        final: 'on',
      });
      expect(parseFilterString('(cn=*a*b*)')).to.deep.equal({ type: 'substrings', attribute: 'cn', any: ['a', 'b'] });
    });

    it('ignores empty pieces between consecutive stars', () => {
      expect(parseFilterString('(cn=a**b)')).to.deep.equal({ type: 'substrings', attribute: 'cn', initial: 'a', any: [], final: 'b' });
      expect(parseFilterString('(cn=**)')).to.deep.equal({ type: 'substrings', attribute: 'cn', any: [] });
    });

    it('parses an empty value', () => {
      expect(parseFilterString('(description=)')).to.deep.equal(eq('description', ''));
      expect(parseFilterString('(cn>=)')).to.deep.equal({ type: 'greaterOrEqual', attribute: 'cn', value: '' });
    });

    it('parses and, or and not, including empty and/or', () => {
      expect(parseFilterString('(&(objectClass=person)(|(uid=a)(uid=b))(!(cn=x)))')).to.deep.equal({
        type: 'and',
        filters: [eq('objectClass', 'person'), { type: 'or', filters: [eq('uid', 'a'), eq('uid', 'b')] }, { type: 'not', filter: eq('cn', 'x') }],
      });
      expect(parseFilterString('(&)')).to.deep.equal({ type: 'and', filters: [] });
      expect(parseFilterString('(|)')).to.deep.equal({ type: 'or', filters: [] });
      expect(parseFilterString('(!(&))')).to.deep.equal({ type: 'not', filter: { type: 'and', filters: [] } });
      expect(parseFilterString('(&(a=1))')).to.deep.equal({ type: 'and', filters: [eq('a', '1')] });
    });

    it('parses extensible matches', () => {
      expect(parseFilterString('(cn:caseExactMatch:=Fred)')).to.deep.equal({
        type: 'extensible',
        attribute: 'cn',
        matchingRule: 'caseExactMatch',
        value: 'Fred',
        dnAttributes: false,
      });
      expect(parseFilterString('(:dn:2.5.13.5:=x)')).to.deep.equal({
        type: 'extensible',
        matchingRule: '2.5.13.5',
        value: 'x',
        dnAttributes: true,
      });
      expect(parseFilterString('(o:dn:=Ace)')).to.deep.equal({ type: 'extensible', attribute: 'o', value: 'Ace', dnAttributes: true });
      expect(parseFilterString('(cn:=Betty)')).to.deep.equal({ type: 'extensible', attribute: 'cn', value: 'Betty', dnAttributes: false });
      expect(parseFilterString('(:1.2.3.4:=x)')).to.deep.equal({ type: 'extensible', matchingRule: '1.2.3.4', value: 'x', dnAttributes: false });
      expect(parseFilterString('(sn:DN:2.5.13.5:=John)')).to.deep.equal({
        type: 'extensible',
        attribute: 'sn',
        matchingRule: '2.5.13.5',
        value: 'John',
        dnAttributes: true,
      });
      expect(parseFilterString('(cn;lang-de:dn:=x)')).to.deep.include({ attribute: 'cn;lang-de', dnAttributes: true });
    });

    it('parses attribute options and numeric OIDs', () => {
      expect(parseFilterString('(cn;lang-en=x)')).to.deep.equal(eq('cn;lang-en', 'x'));
      expect(parseFilterString('(cn;lang-en;phonetic=*)')).to.deep.equal({ type: 'present', attribute: 'cn;lang-en;phonetic' });
      expect(parseFilterString('(2.5.4.3=x)')).to.deep.equal(eq('2.5.4.3', 'x'));
      expect(parseFilterString('(2.5.4.3;lang-en>=x)')).to.deep.equal({ type: 'greaterOrEqual', attribute: '2.5.4.3;lang-en', value: 'x' });
    });

    it('decodes \\XX escapes as UTF-8 bytes, in any case', () => {
      expect(parseFilterString('(cn=al\\c3\\a9)')).to.deep.equal(eq('cn', 'alé'));
      expect(parseFilterString('(cn=al\\C3\\A9)')).to.deep.equal(eq('cn', 'alé'));
      expect(parseFilterString('(cn=\\2a)')).to.deep.equal(eq('cn', '*'));
      expect(parseFilterString('(cn=\\28\\29\\5c\\00)')).to.deep.equal(eq('cn', '()\\\0'));
      expect(parseFilterString('(cn=\\e3\\83\\ad*\\2a*)')).to.deep.equal({ type: 'substrings', attribute: 'cn', initial: 'ロ', any: ['*'] });
      expect(parseFilterString('(cn:caseExactMatch:=\\2a\\28)')).to.deep.include({ value: '*(' });
    });

    it('keeps unescaped UTF-8, spaces, = and other punctuation in values', () => {
      expect(parseFilterString('(cn=José Müller)')).to.deep.equal(eq('cn', 'José Müller'));
      expect(parseFilterString('(description=a=b, c~d <e> !&|)')).to.deep.equal(eq('description', 'a=b, c~d <e> !&|'));
      expect(parseFilterString('(cn= padded )')).to.deep.equal(eq('cn', ' padded '));
    });

    it('handles long values with and without escapes', () => {
      const long = 'x'.repeat(300000);
      expect(parseFilterString(`(cn=${long})`)).to.deep.equal(eq('cn', long));
      expect(parseFilterString(`(cn=${long}\\2a${long})`)).to.deep.equal(eq('cn', `${long}*${long}`));
    });

    it('tolerates a missing outer parenthesis', () => {
      expect(parseFilterString('uid=alice')).to.deep.equal(eq('uid', 'alice'));
      expect(parseFilterString('cn=Jo*')).to.deep.equal({ type: 'substrings', attribute: 'cn', initial: 'Jo', any: [] });
      expect(parseFilterString('objectClass=*')).to.deep.equal({ type: 'present', attribute: 'objectClass' });
      expect(parseFilterString('&(a=1)(b=2)')).to.deep.equal({ type: 'and', filters: [eq('a', '1'), eq('b', '2')] });
      expect(parseFilterString('!(a=1)')).to.deep.equal({ type: 'not', filter: eq('a', '1') });
    });

    it('tolerates whitespace around the filter and between list members', () => {
      expect(parseFilterString('  (uid=alice)  ')).to.deep.equal(eq('uid', 'alice'));
      expect(parseFilterString('(& (a=1) (b=2) )')).to.deep.equal({ type: 'and', filters: [eq('a', '1'), eq('b', '2')] });
      expect(parseFilterString('(! (a=1))')).to.deep.equal({ type: 'not', filter: eq('a', '1') });
    });

    describe('errors', () => {
      it('rejects a missing closing parenthesis', () => {
        expectSyntaxError('(uid=al', 7, "expected ')'");
        expectSyntaxError('(&(a=1)(b=2)', 12, "expected ')'");
        expectSyntaxError('(!(a=1)', 7, "expected ')'");
        expectSyntaxError('(cn:dn:=x', 9, "expected ')'");
      });

      it('rejects unescaped parentheses in a value', () => {
        expectSyntaxError('(cn=a(b)', 5, "unescaped '(' in value");
        expectSyntaxError('cn=a(b', 4, "unescaped '(' in value");
        expectSyntaxError('(cn=a)b)', 6, "unexpected 'b' after the end of the filter");
        expectSyntaxError('uid=a)', 5, "unexpected ')' after the end of the filter");
      });

      it('rejects bad escapes', () => {
        expectSyntaxError('(cn=\\zz)', 4, "bad escape: '\\' must be followed by two hex digits");
        expectSyntaxError('(cn=ab\\2)', 6, 'bad escape');
        expectSyntaxError('(cn=ab\\)', 6, 'bad escape');
        expectSyntaxError('(cn=\\*)', 4, 'bad escape');
        expectSyntaxError('cn=x\\', 4, 'bad escape');
      });

      it('rejects escaped bytes that are not UTF-8', () => {});

      it('rejects a raw NUL', () => {
        expectSyntaxError('(cn=a\0)', 5, 'NUL in value');
      });

      it('rejects trailing garbage', () => {
        expectSyntaxError('(uid=a)x', 7, "unexpected 'x' after the end of the filter");
        expectSyntaxError('(uid=a))', 7, "unexpected ')'");
        expectSyntaxError('(uid=a)(uid=b)', 7, "unexpected '('");
      });

      it('rejects a stray star in a non-equality value', () => {
        expectSyntaxError('(cn>=a*)', 6, "unescaped '*' in value");
        expectSyntaxError('(cn~=*)', 5, "unescaped '*' in value");
        expectSyntaxError('(cn:caseExactMatch:=*x)', 20, "unescaped '*' in value");
      });

      it('rejects empty and malformed components', () => {
        expectSyntaxError('', 0, 'unexpected end of filter');
        expectSyntaxError('   ', 3, 'unexpected end of filter');
        expectSyntaxError('()', 1, "expected an attribute description, '&', '|' or '!'");
        expectSyntaxError('(=x)', 1, 'expected an attribute description');
        expectSyntaxError('(cn)', 3, "unexpected ')' in attribute description");
        expectSyntaxError('(cn', 3, 'unexpected end of filter');
        expectSyntaxError('(cn =x)', 3, "unexpected ' ' in attribute description");
        expectSyntaxError('(c_n=x)', 2, "unexpected '_' in attribute description");
        expectSyntaxError('(cn>x)', 3, "unexpected '>' in attribute description");
        expectSyntaxError('(1cn=x)', 1, 'invalid attribute description "1cn"');
        expectSyntaxError('(cn;=x)', 1, 'invalid attribute description "cn;"');
      });

      it('rejects a list member that is not parenthesized', () => {
        expectSyntaxError('(&(a=1)b=2)', 7, "expected '(' or ')'");
        expectSyntaxError('(|a=1)', 2, "expected '(' or ')'");
        expectSyntaxError('(!a=1)', 2, "expected '('");
        expectSyntaxError('(!)', 2, "expected '('");
      });

      it('rejects malformed extensible matches', () => {
        expectSyntaxError('(:=x)', 1, 'extensible match needs an attribute or a matching rule');
        expectSyntaxError('(:dn:=x)', 1, 'extensible match needs an attribute or a matching rule');
        expectSyntaxError('(cn:caseExactMatch=x)', 18, "expected ':'");
        expectSyntaxError('(cn:dn)', 6, "expected ':'");
        expectSyntaxError('(cn:1.2.:=x)', 4, 'invalid matching rule "1.2."');
        expectSyntaxError('(cn:dn:x:y:=z)', 9, "expected '='");
        expectSyntaxError('(cn:rule:x=y)', 9, "expected '='");
      });
    });
  });

  describe('filterToString', () => {
    it('writes every filter type', () => {
      const cases: [Filter, string][] = [
        [eq('uid', 'alice'), '(uid=alice)'],
        [{ type: 'greaterOrEqual', attribute: 'age', value: '21' }, '(age>=21)'],
        [{ type: 'lessOrEqual', attribute: 'age', value: '65' }, '(age<=65)'],
        [{ type: 'approx', attribute: 'cn', value: 'Jon' }, '(cn~=Jon)'],
        [{ type: 'present', attribute: 'objectClass' }, '(objectClass=*)'],
        [{ type: 'substrings', attribute: 'cn', initial: 'J', any: ['h', 'n'], final: 'on' }, '(cn=J*h*n*on)'],
        [{ type: 'substrings', attribute: 'cn', initial: 'J', any: [] }, '(cn=J*)'],
        [{ type: 'substrings', attribute: 'cn', any: [], final: 'on' }, '(cn=*on)'],
        [{ type: 'substrings', attribute: 'cn', any: ['x'] }, '(cn=*x*)'],
        [{ type: 'and', filters: [] }, '(&)'],
        [{ type: 'or', filters: [eq('a', '1'), eq('b', '2')] }, '(|(a=1)(b=2))'],
        [{ type: 'not', filter: { type: 'and', filters: [eq('a', '1')] } }, '(!(&(a=1)))'],
        [{ type: 'extensible', attribute: 'cn', matchingRule: 'caseExactMatch', value: 'Fred', dnAttributes: false }, '(cn:caseExactMatch:=Fred)'],
        [{ type: 'extensible', matchingRule: '2.5.13.5', value: 'x', dnAttributes: true }, '(:dn:2.5.13.5:=x)'],
        [{ type: 'extensible', attribute: 'o', value: 'Ace', dnAttributes: true }, '(o:dn:=Ace)'],
        [{ type: 'extensible', attribute: 'cn', value: 'x', dnAttributes: false }, '(cn:=x)'],
      ];
      for (const [filter, text] of cases) expect(filterToString(filter)).to.equal(text);
    });

    it('escapes * ( ) \\ NUL and control characters but keeps other UTF-8', () => {
      expect(filterToString(eq('cn', 'a*b(c)d\\e\0f'))).to.equal('(cn=a\\2ab\\28c\\29d\\5ce\\00f)');
      expect(filterToString(eq('cn', 'tab\there\nnew\x7fdel'))).to.equal('(cn=tab\\09here\\0anew\\7fdel)');
      expect(filterToString(eq('cn', 'c1\u0085'))).to.equal('(cn=c1\\c2\\85)');
      expect(filterToString(eq('cn', 'alé ロドニー 😀'))).to.equal('(cn=alé ロドニー 😀)');
      expect(filterToString({ type: 'substrings', attribute: 'cn', initial: '*', any: ['('], final: ')' })).to.equal('(cn=\\2a*\\28*\\29)');
      expect(filterToString({ type: 'extensible', attribute: 'cn', value: '*', dnAttributes: false })).to.equal('(cn:=\\2a)');
    });

    it('round-trips through parseFilterString', () => {
      const filters: Filter[] = [
        eq('uid', 'alice'),
        eq('cn', ''),
        eq('cn', ' spaced  out '),
        eq('cn', 'all*the(special)chars\\and\0nul\u0001\u001f\u007f\u0085'),
        eq('cn;lang-en', 'alé ロドニー 😀'),
        { type: 'greaterOrEqual', attribute: '2.5.4.3', value: '(' },
        { type: 'lessOrEqual', attribute: 'n', value: ')' },
        { type: 'approx', attribute: 'cn', value: '=~' },
        { type: 'present', attribute: 'objectClass' },
        { type: 'substrings', attribute: 'cn', initial: 'a*', any: ['\\', ' b '], final: ')' },
        { type: 'substrings', attribute: 'cn', any: ['x'] },
        { type: 'substrings', attribute: 'cn', initial: 'x', any: [] },
        { type: 'substrings', attribute: 'cn', any: [], final: 'x' },
        { type: 'extensible', attribute: 'cn', matchingRule: 'caseExactMatch', value: 'F*red', dnAttributes: true },
        { type: 'extensible', matchingRule: '2.5.13.5', value: '', dnAttributes: false },
        { type: 'extensible', attribute: 'o', value: 'Ace', dnAttributes: false },
        { type: 'and', filters: [] },
        { type: 'or', filters: [] },
        {
          type: 'and',
          filters: [
            { type: 'or', filters: [eq('a', '1'), { type: 'not', filter: { type: 'present', attribute: 'b' } }] },
            { type: 'not', filter: { type: 'or', filters: [] } },
          ],
        },
      ];
      for (const filter of filters) {
        const text = filterToString(filter);
        expect(parseFilterString(text), text).to.deep.equal(filter);
      }
    });
  });
});
