import { expect } from 'chai';
import { join } from 'node:path';
import { escapeDNValue, formatDN, parseDN } from '../../src/directory/dn';
import { LdapError } from '../../src/directory/errors';
import { Normalization } from '../../src/directory/normalize';
import { loadSchema } from '../../src/directory/schema/load';

const schema = loadSchema(join(__dirname, '..', '..', '..', 'schema'));
const norm = new Normalization(schema);

describe('DNs', () => {
  it('parses RDNs, multi-valued RDNs, escapes and hex escapes', () => {
    expect(parseDN('uid=alice,ou=people,dc=example,dc=com')).to.have.length(4);
    expect(parseDN('cn=a+sn=b,dc=x')[0]).to.deep.equal([
      { type: 'cn', value: 'a' },
      { type: 'sn', value: 'b' },
    ]);
    expect(parseDN('cn=Smith\\, John,dc=x')[0][0].value).to.equal('Smith, John');
    expect(parseDN('cn=al\\c3\\a9,dc=x')[0][0].value).to.equal('alé');
    expect(parseDN('cn=\\ lead and trail\\ ,dc=x')[0][0].value).to.equal(' lead and trail ');
    expect(parseDN('')).to.deep.equal([]);
  });

  it('reads a value with nothing escaped exactly as the same value with its characters hex-escaped', () => {
    const hex = (v: string) => [...Buffer.from(v, 'utf8')].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');
    const parsed = (dn: string) => {
      try {
        return parseDN(dn);
      } catch (err) {
        return (err as LdapError).resultCode;
      }
    };
    for (const value of ['Ada Lovelace', 'alé', '日本', 'ok \u{1F600} ok', 'trailing   ', 'in  side', 'a-b_c.d', '']) {
      const escaped = value.length ? hex(value[0]) + value.slice(1) : '';
      expect(parsed(`cn=${value},dc=x`), value).to.deep.equal(parsed(`cn=${escaped},dc=x`));
      expect(parsed(`cn=${value}+sn=${value};dc=x`), value).to.deep.equal(parsed(`cn=${escaped}+sn=${escaped};dc=x`));
    }
    for (const bad of ['a=b', 'say "hi"', 'a<b', 'a>b']) {
      expect(parsed(`cn=${bad},dc=x`), bad).to.equal(34);
      expect(parsed(`cn=\\41${bad},dc=x`), bad).to.equal(34);
    }
  });

  it('accepts the spaces and semicolons older clients write', () => {
    expect(parseDN('uid = alice , ou=people; dc=example')).to.deep.equal([
      [{ type: 'uid', value: 'alice' }],
      [{ type: 'ou', value: 'people' }],
      [{ type: 'dc', value: 'example' }],
    ]);
  });

  it('rejects malformed DNs with invalidDNSyntax (34)', () => {
    for (const bad of ['uid', 'uid=a,', '=a', 'uid=a\\zz', 'ui d=a', 'cn=a"b']) {
      expect(() => parseDN(bad), bad)
        .to.throw(LdapError)
        .with.property('resultCode', 34);
    }
  });

  it('escapes values so they parse back', () => {
    for (const v of ['a,b', ' x ', '#hash', 'a+b=c', 'back\\slash', 'q"uote', 'lt<gt>', 'semi;colon']) {
      expect(parseDN(`cn=${escapeDNValue(v)}`)[0][0].value).to.equal(v);
    }
    expect(formatDN(parseDN('CN=a\\,b , DC=x'))).to.equal('CN=a\\,b,DC=x');
  });

  it('normalises by schema: attribute aliases and OIDs, case, spaces, RDN order', () => {
    const a = norm.normalizeDN('UID=Alice, OU=People,DC=Example,DC=COM');
    const b = norm.normalizeDN('0.9.2342.19200300.100.1.1=alice,ou=people,dc=example,dc=com');
    expect(a.ndn).to.equal('uid=alice,ou=people,dc=example,dc=com');
    expect(b.ndn).to.equal(a.ndn);
    expect(a.path).to.equal('dc=com,dc=example,ou=people,uid=alice');
    expect(norm.normalizeDN('sn=b+cn=a,dc=x').ndn).to.equal(norm.normalizeDN('cn=A+sn=B,dc=x').ndn);
    expect(norm.normalizeDN('commonName=John  Smith,dc=x').ndn).to.equal('cn=john smith,dc=x');
  });

  it('refuses unknown attribute types in a DN', () => {
    expect(() => norm.normalizeDN('foo=bar,dc=x'))
      .to.throw(LdapError)
      .with.property('resultCode', 34);
  });

  it('keeps escaped commas from breaking subtree paths', () => {
    expect(norm.normalizeDN('cn=a\\,b,dc=x').path).to.equal('dc=x,cn=a\\,b');
  });
});
