import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAttributeType, parseMatchingRule, parseObjectClass, parseSchemaFile, parseSyntax, SchemaParseError } from '../../src/directory/schema/parse';
import { BUILTIN_MATCHING_RULES, BUILTIN_SYNTAXES, Schema, SchemaError } from '../../src/directory/schema/registry';
import { renderAttributeType, renderMatchingRule, renderObjectClass, renderSyntax } from '../../src/directory/schema/render';
import { SchemaFileContents } from '../../src/directory/schema/types';
import { loadSchema } from '../../src/directory/schema/load';

/** The repository's schema/ directory, whether run from the source tree or a compiled copy. */
function schemaDir(): string {
  const candidates = [path.resolve(process.cwd(), 'schema')];
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) candidates.push(path.join(dir, 'schema'));
  const found = candidates.find((d) => fs.existsSync(path.join(d, '00-core.schema')));
  if (!found) throw new Error('schema directory not found');
  return found;
}

function shippedFiles(): { name: string; contents: SchemaFileContents }[] {
  const dir = schemaDir();
  const macros = new Map<string, string>();
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.schema'))
    .sort()
    .map((n) => ({ name: n, contents: parseSchemaFile(fs.readFileSync(path.join(dir, n), 'utf8'), { fileName: n, macros }) }));
}

function parseError(text: string, fileName = 'test.schema'): SchemaParseError {
  try {
    parseSchemaFile(text, { fileName });
  } catch (e) {
    expect(e).to.be.instanceOf(SchemaParseError);
    return e as SchemaParseError;
  }
  throw new Error('expected a parse error');
}

function schemaError(files: { name: string; contents: SchemaFileContents }[]): SchemaError {
  try {
    new Schema(files);
  } catch (e) {
    expect(e).to.be.instanceOf(SchemaError);
    return e as SchemaError;
  }
  throw new Error('expected a schema error');
}

const BASE = `
attributetype ( 2.5.4.0 NAME 'objectClass' EQUALITY objectIdentifierMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 )
attributetype ( 2.5.4.41 NAME 'name' EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{32768} )
attributetype ( 2.5.4.3 NAME ( 'cn' 'commonName' ) SUP name )
objectclass ( 2.5.6.0 NAME 'top' ABSTRACT MUST objectClass )
`;

function load(extra: string, name = 'extra.schema'): Schema {
  return new Schema([
    { name: 'base.schema', contents: parseSchemaFile(BASE, { fileName: 'base.schema' }) },
    { name, contents: parseSchemaFile(extra, { fileName: name }) },
  ]);
}

describe('schema', () => {
  describe('parseSchemaFile', () => {
    it('parses an attribute type with continuation lines, comments and X- extensions', () => {
      const text = [
        '# a comment',
        '',
        "attributetype ( 1.2.3.4 NAME ( 'fooBar' 'foo' )",
        "\tDESC 'it\\27s a back\\5Cslash \\5c too'",
        '    # comment inside a definition',
        '\tSUP name EQUALITY caseExactMatch ORDERING caseExactOrderingMatch',
        '\tSUBSTR caseExactSubstringsMatch',
        '\tSYNTAX 1.3.6.1.4.1.1466.115.121.1.15{64}',
        "  SINGLE-VALUE NO-USER-MODIFICATION USAGE dSAOperation X-ORIGIN 'RFC 0000' X-MULTI ( 'a' 'b' ) )",
      ].join('\n');
      const { attributeTypes } = parseSchemaFile(text);
      expect(attributeTypes).to.deep.equal([
        {
          oid: '1.2.3.4',
          names: ['fooBar', 'foo'],
          desc: "it's a back\\slash \\ too",
          obsolete: false,
          sup: 'name',
          equality: 'caseExactMatch',
          ordering: 'caseExactOrderingMatch',
          substr: 'caseExactSubstringsMatch',
          syntax: '1.3.6.1.4.1.1466.115.121.1.15',
          syntaxLength: 64,
          singleValue: true,
          collective: false,
          noUserModification: true,
          usage: 'dSAOperation',
          extensions: { 'X-ORIGIN': ['RFC 0000'], 'X-MULTI': ['a', 'b'] },
        },
      ]);
    });

    it('parses object classes: oids lists, kinds, defaults', () => {
      const { objectClasses } = parseSchemaFile(
        "objectclass ( 1.2.3.5 NAME 'thing' DESC 'x' SUP ( top $ other ) AUXILIARY\n  MUST ( cn $ sn ) MAY description )\n" +
          "objectclass ( 1.2.3.6 NAME 'plain' )",
      );
      expect(objectClasses[0]).to.deep.equal({
        oid: '1.2.3.5',
        names: ['thing'],
        desc: 'x',
        obsolete: false,
        sup: ['top', 'other'],
        kind: 'AUXILIARY',
        must: ['cn', 'sn'],
        may: ['description'],
        extensions: {},
      });
      expect(objectClasses[1]).to.deep.equal({
        oid: '1.2.3.6',
        names: ['plain'],
        obsolete: false,
        sup: [],
        kind: 'STRUCTURAL',
        must: [],
        may: [],
        extensions: {},
      });
    });

    it('accepts keywords case-insensitively, the LDIF forms and quoted OIDs', () => {
      const c = parseSchemaFile(
        "AttributeTypes: ( 1.2.3.1 NAME 'a' SYNTAX '1.3.6.1.4.1.1466.115.121.1.15' )\n" +
          "attributeType ( 1.2.3.2 name 'b' sup a usage directoryOperation )\n" +
          "ObjectClasses: ( 1.2.3.3 NAME 'c' structural MAY ( a $ b ) )\n" +
          "OBJECTCLASS ( 1.2.3.4 NAME 'd' )\n" +
          "ldapSyntax ( 1.2.3.9 DESC 'My Syntax' X-NOT-HUMAN-READABLE 'TRUE' )\n" +
          "matchingRule ( 1.2.3.10 NAME 'myMatch' SYNTAX 1.2.3.9 )",
      );
      expect(c.attributeTypes.map((a) => a.oid)).to.deep.equal(['1.2.3.1', '1.2.3.2']);
      expect(c.attributeTypes[0].syntax).to.equal('1.3.6.1.4.1.1466.115.121.1.15');
      expect(c.attributeTypes[1].usage).to.equal('directoryOperation');
      expect(c.objectClasses.map((o) => o.names[0])).to.deep.equal(['c', 'd']);
      expect(c.syntaxes).to.deep.equal([{ oid: '1.2.3.9', desc: 'My Syntax', extensions: { 'X-NOT-HUMAN-READABLE': ['TRUE'] } }]);
      expect(c.matchingRules).to.deep.equal([{ oid: '1.2.3.10', names: ['myMatch'], obsolete: false, syntax: '1.2.3.9' }]);
    });

    it('expands objectidentifier macros, including name:suffix, nested ones and SYNTAX', () => {
      const c = parseSchemaFile(
        [
          'objectidentifier myOrg 1.3.6.1.4.1.99999',
          'objectIdentifier myAttrs myOrg:1',
          'objectidentifier dirString 1.3.6.1.4.1.1466.115.121.1.15',
          "attributetype ( myAttrs:7 NAME 'x' SYNTAX dirString{12} )",
          "objectclass ( myOrg:2.1 NAME 'y' MAY x )",
        ].join('\n'),
      );
      expect(c.attributeTypes[0].oid).to.equal('1.3.6.1.4.1.99999.1.7');
      expect(c.attributeTypes[0].syntax).to.equal('1.3.6.1.4.1.1466.115.121.1.15');
      expect(c.attributeTypes[0].syntaxLength).to.equal(12);
      expect(c.objectClasses[0].oid).to.equal('1.3.6.1.4.1.99999.2.1');
    });

    it('shares macros across files when given a table', () => {
      const macros = new Map<string, string>();
      parseSchemaFile('objectidentifier base 1.2.3', { macros });
      const c = parseSchemaFile("attributetype ( base:4 NAME 'z' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )", { macros });
      expect(c.attributeTypes[0].oid).to.equal('1.2.3.4');
    });

    it('reports errors with the file and the line where the definition starts', () => {
      const text = [
        '# header',
        "attributetype ( 1.2.3.1 NAME 'ok' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
        '',
        "attributetype ( 1.2.3.2 NAME 'bad'",
        '\tSINTAX 1.3.6.1.4.1.1466.115.121.1.15 )',
      ].join('\n');
      const e = parseError(text, 'my.schema');
      expect(e.message).to.match(/^my\.schema:4: attributetype 1\.2\.3\.2: unknown keyword 'SINTAX'/);
      expect(e.file).to.equal('my.schema');
      expect(e.line).to.equal(4);
    });

    it('reports what is wrong', () => {
      const cases: [string, RegExp][] = [
        ["attributetype ( 1.2.3 NAME 'a' DESC 'unterminated SYNTAX 1.2.3 )", /test\.schema:1: .*unterminated quoted string/],
        ["attributetype ( 1.2.3 NAME 'a' SYNTAX 1.2.3", /:1: .*found the end of the definition/],
        ["attributetype ( 1.2.3 NAME 'a' SYNTAX 1.2.3 ) extra", /after the closing \)/],
        ["attributetype ( 1.2.3 NAME 'a' NAME 'b' SYNTAX 1.2.3 )", /duplicate NAME/],
        ["attributetype ( 1.2.3 NAME 'a' )", /needs SUP or SYNTAX/],
        ["attributetype ( 1.2.3 NAME 'a' SYNTAX 1.2.3 USAGE sometimes )", /unknown USAGE 'sometimes'/],
        ["attributetype ( 1.2.3 NAME 'a' SYNTAX 1.2.3 NO-USER-MODIFICATION )", /requires an operational USAGE/],
        ["attributetype ( foo:1 NAME 'a' SYNTAX 1.2.3 )", /unknown objectidentifier macro 'foo'/],
        ["attributetype ( notAnOid NAME 'a' SYNTAX 1.2.3 )", /neither a numeric OID nor a known objectidentifier macro/],
        ["attributetype ( 1.2.3 NAME 'bad_name' SYNTAX 1.2.3 )", /'bad_name' is not a valid name/],
        ["objectclass ( 1.2.3 NAME 'c' MAY ( a b ) )", /expected '\$' or '\)'/],
        ["objectclass ( 1.2.3 NAME 'c' ABSTRACT AUXILIARY )", /more than one of ABSTRACT/],
        ['objectidentifier onlyname', /needs a name and an OID/],
        ['objectidentifier a 1.2\nobjectidentifier A 1.3', /:2: .*already defined/],
        ['include other.schema', /unknown statement 'include'/],
        ['  ( 1.2.3 )', /:1: continuation line/],
      ];
      for (const [text, re] of cases) expect(parseError(text).message).to.match(re, text);
    });
  });

  describe('render', () => {
    it('renders RFC 4512 values', () => {
      expect(renderAttributeType(parseAttributeType("( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC 'x' SUP name )"))).to.equal(
        "( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC 'x' SUP name )",
      );
      expect(
        renderAttributeType(
          parseAttributeType("( 1.2 NAME 'a' DESC 'it\\27s \\5C' SYNTAX 1.3{5} SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation X-ORIGIN 'me' )"),
        ),
      ).to.equal("( 1.2 NAME 'a' DESC 'it\\27s \\5C' SYNTAX 1.3{5} SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation X-ORIGIN 'me' )");
      expect(renderObjectClass(parseObjectClass("( 2.5.6.6 NAME 'person' SUP top STRUCTURAL MUST ( sn $ cn ) MAY description )"))).to.equal(
        "( 2.5.6.6 NAME 'person' SUP top STRUCTURAL MUST ( sn $ cn ) MAY description )",
      );
      expect(renderSyntax(parseSyntax("( 1.3.6.1.4.1.1466.115.121.1.15 DESC 'Directory String' )"))).to.equal(
        "( 1.3.6.1.4.1.1466.115.121.1.15 DESC 'Directory String' )",
      );
      expect(renderMatchingRule(parseMatchingRule("( 2.5.13.2 NAME 'caseIgnoreMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )"))).to.equal(
        "( 2.5.13.2 NAME 'caseIgnoreMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
      );
    });

    it('round-trips every shipped and builtin definition', () => {
      let count = 0;
      for (const { contents } of shippedFiles()) {
        for (const at of contents.attributeTypes) expect(parseAttributeType(renderAttributeType(at))).to.deep.equal(at);
        for (const oc of contents.objectClasses) expect(parseObjectClass(renderObjectClass(oc))).to.deep.equal(oc);
        count += contents.attributeTypes.length + contents.objectClasses.length;
      }
      for (const s of BUILTIN_SYNTAXES) expect(parseSyntax(renderSyntax(s))).to.deep.equal(s);
      for (const r of BUILTIN_MATCHING_RULES) expect(parseMatchingRule(renderMatchingRule(r))).to.deep.equal(r);
      expect(count).to.be.greaterThan(200);
    });

    it('round-trips awkward strings and empty lists', () => {
      const at = parseAttributeType("( 1.2 DESC '\\5C27 (  ) $' SYNTAX 1.3 X-EMPTY ( ) )");
      expect(at.desc).to.equal('\\27 (  ) $');
      expect(at.extensions).to.deep.equal({ 'X-EMPTY': [] });
      expect(parseAttributeType(renderAttributeType(at))).to.deep.equal(at);
    });
  });

  describe('the shipped schema', () => {
    let schema: Schema;
    before(() => {
      schema = loadSchema(schemaDir());
    });

    it('resolves uid by any name or OID, case-insensitively, ignoring options', () => {
      for (const n of ['uid', 'UID', 'userid', '0.9.2342.19200300.100.1.1', 'uid;x-foo']) {
        expect(schema.attributeType(n)?.key, n).to.equal('uid');
      }
      expect(schema.attributeType('cn;lang-en')?.name).to.equal('cn');
      expect(schema.attributeType('givenname')?.name).to.equal('givenName');
      expect(schema.attributeType('givenName')?.key).to.equal('givenname');
      expect(schema.attributeType('nope')).to.equal(undefined);
    });

    it('inherits matching rules and syntax through SUP', () => {
      const cn = schema.attributeType('commonName');
      expect(cn?.equality).to.equal('caseIgnoreMatch');
      expect(cn?.substr).to.equal('caseIgnoreSubstringsMatch');
      expect(cn?.syntax).to.equal('1.3.6.1.4.1.1466.115.121.1.15');
      expect(cn?.def.equality).to.equal(undefined);
      expect(cn?.supChain.map((a) => a.key)).to.deep.equal(['cn', 'name']);
      const c = schema.attributeType('c');
      expect(c?.syntax, 'own SYNTAX wins').to.equal('1.3.6.1.4.1.1466.115.121.1.11');
      expect(c?.singleValue).to.equal(true);
      expect(schema.attributeType('member')?.equality).to.equal('distinguishedNameMatch');
      expect(schema.attributeType('uidNumber')?.ordering).to.equal('integerOrderingMatch');
      expect(schema.attributeType('entryUUID')?.syntax).to.equal('1.3.6.1.1.16.1');
    });

    it('knows subtypes', () => {
      const cn = schema.attributeType('cn');
      expect(cn && schema.isSubtypeOf(cn, 'name')).to.equal(true);
      expect(cn && schema.isSubtypeOf(cn, 'cn')).to.equal(true);
      expect(cn && schema.isSubtypeOf(cn, 'distinguishedName')).to.equal(false);
      const names = schema.subtypes('name').map((a) => a.key);
      expect(names).to.include.members(['name', 'cn', 'sn', 'givenname', 'ou', 'o', 'l', 'st', 'c', 'title']);
      expect(names).not.to.include('uid');
      expect(schema.subtypes('distinguishedName').map((a) => a.key)).to.include.members(['member', 'owner', 'seealso', 'roleoccupant']);
      expect(schema.subtypes('unknownAttr')).to.deep.equal([]);
    });

    it('marks operational attributes', () => {
      for (const n of ['memberOf', 'createTimestamp', 'entryUUID', 'entryDN', 'hasSubordinates', 'namingContexts', 'pwdChangedTime', 'cairnMfaEnabled']) {
        expect(schema.attributeType(n)?.operational, n).to.equal(true);
      }
      const memberOf = schema.attributeType('memberof');
      expect(memberOf?.usage).to.equal('dSAOperation');
      expect(memberOf?.noUserModification).to.equal(true);
      expect(memberOf?.oid).to.equal('1.2.840.113556.1.2.102');
      expect(schema.attributeType('pwdPolicySubentry')?.usage).to.equal('directoryOperation');
      expect(schema.attributeType('cn')?.operational).to.equal(false);
    });

    it('resolves object classes', () => {
      expect(schema.objectClass('posixGroup')?.kind).to.equal('AUXILIARY');
      expect(schema.objectClass('posixAccount')?.kind).to.equal('AUXILIARY');
      expect(schema.objectClass('dcObject')?.kind).to.equal('AUXILIARY');
      expect(schema.objectClass('pwdPolicy')?.allMust.has('pwdattribute')).to.equal(true);
      const iop = schema.objectClass('INETORGPERSON');
      expect(iop?.name).to.equal('inetOrgPerson');
      expect(iop?.superclasses.map((c) => c.key)).to.deep.equal(['organizationalperson', 'person', 'top']);
      expect([...(iop?.allMust ?? [])]).to.have.members(['cn', 'sn', 'objectclass']);
      expect(iop?.allMay.has('mail')).to.equal(true);
      expect(iop?.allMay.has('telephonenumber')).to.equal(true);
      expect(iop?.allMay.has('cn')).to.equal(false);
      const gon = schema.objectClass('2.5.6.9');
      expect(gon?.allMust.has('member')).to.equal(false);
      expect(gon?.allMay.has('member')).to.equal(true);
      expect(
        schema.objectClass('subschema')?.superclasses.map((c) => c.key),
        'implicit top',
      ).to.deep.equal(['top']);
      expect(schema.objectClass('pilotOrganization')?.superclasses.map((c) => c.key)).to.deep.equal(['organization', 'organizationalunit', 'top']);
      expect(schema.objectClass('cairnPolicy')?.kind).to.equal('STRUCTURAL');
      expect([...(schema.objectClass('cairnService')?.allMay ?? [])]).to.include.members(['description', 'userpassword']);
      expect(schema.objectClass('ldapPublicKey')?.allMay.has('sshpublickey')).to.equal(true);
    });

    it('publishes subschema values', () => {
      const v = schema.subschemaValues();
      expect(v.attributeTypes).to.have.length(schema.attributeTypes().length);
      expect(v.objectClasses).to.have.length(schema.objectClasses().length);
      expect(v.ldapSyntaxes).to.have.length(BUILTIN_SYNTAXES.length);
      expect(v.matchingRules).to.have.length(BUILTIN_MATCHING_RULES.length);
      expect(v.attributeTypes).to.include("( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC 'RFC4519: common name(s) for which the entity is known by' SUP name )");
      expect(v.matchingRules).to.include("( 2.5.13.14 NAME 'integerMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 )");
      expect(v.ldapSyntaxes).to.include("( 1.3.6.1.4.1.1466.115.121.1.15 DESC 'Directory String' )");
      expect(schema.subschemaValues()).to.equal(v);
    });

    it('has a builtin for every syntax and matching rule the files use', () => {
      for (const at of schema.attributeTypes()) {
        expect(at.syntax && schema.syntax(at.syntax), at.name).to.not.equal(undefined);
        for (const r of [at.equality, at.ordering, at.substr]) if (r) expect(schema.matchingRule(r)?.name).to.equal(r);
      }
      for (const n of [
        'integerMatch',
        'uuidOrderingMatch',
        'caseIgnoreIA5SubstringsMatch',
        'integerFirstComponentMatch',
        'uniqueMemberMatch',
        'bitStringMatch',
      ]) {
        expect(schema.matchingRule(n), n).to.not.equal(undefined);
      }
    });
  });

  describe('loading errors', () => {
    it('rejects duplicate OIDs and names, naming the file and definition', () => {
      expect(schemaError([{ name: 'dup.schema', contents: parseSchemaFile(BASE + "attributetype ( 2.5.4.3 NAME 'other' SUP name )") }]).message).to.match(
        /^dup\.schema:6: attributeType 'other' \(2\.5\.4\.3\): OID 2\.5\.4\.3 is already used by attributeType 'cn' \(2\.5\.4\.3\) in dup\.schema:4$/,
      );
      expect(() => load("attributetype ( 1.2.3 NAME 'CN' SUP name )")).to.throw(
        SchemaError,
        /^extra\.schema:1: attributeType 'CN' \(1\.2\.3\): the name 'cn' is already defined by attributeType 'cn' \(2\.5\.4\.3\) in base\.schema:4$/,
      );
      expect(() => load("objectclass ( 1.2.4 NAME 'TOP' ABSTRACT )")).to.throw(SchemaError, /the name 'top' is already defined/);
      expect(() => load("objectclass ( 2.5.4.41 NAME 'x' )")).to.throw(SchemaError, /OID 2\.5\.4\.41 is already used/);
      expect(() => load("ldapsyntax ( 1.3.6.1.4.1.1466.115.121.1.15 DESC 'again' )")).to.throw(
        SchemaError,
        /already used by ldapSyntax 1\.3\.6\.1\.4\.1\.1466\.115\.121\.1\.15 in <builtin>/,
      );
    });

    it('rejects unknown references', () => {
      const cases: [string, RegExp][] = [
        ["attributetype ( 1.2.3 NAME 'x' SUP nmae )", /extra\.schema:1: attributeType 'x' \(1\.2\.3\): SUP 'nmae' is not a known attribute type/],
        ["attributetype ( 1.2.3 NAME 'x' EQUALITY fuzzyMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )", /EQUALITY 'fuzzyMatch' is not a known matching rule/],
        [
          "attributetype ( 1.2.3 NAME 'x' SUBSTR caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
          /SUBSTR 'caseIgnoreMatch' is not a substrings matching rule/,
        ],
        ["attributetype ( 1.2.3 NAME 'x' SYNTAX 9.9.9 )", /SYNTAX 9\.9\.9 is not a known syntax/],
        ["attributetype ( 1.2.3 NAME 'x' SUP cn USAGE directoryOperation )", /USAGE directoryOperation differs/],
        ["attributetype ( 1.2.3 NAME 'x' SUP y )\nattributetype ( 1.2.4 NAME 'y' SUP x )", /SUP chain is circular/],
        ["objectclass ( 1.2.5 NAME 'x' SUP nothing )", /objectClass 'x' \(1\.2\.5\): SUP 'nothing' is not a known object class/],
        ["objectclass ( 1.2.5 NAME 'x' SUP top MUST cn MAY ( nope ) )", /MAY 'nope' is not a known attribute type/],
        ["objectclass ( 1.2.5 NAME 'x' SUP top MUST nope )", /MUST 'nope' is not a known attribute type/],
        [
          "objectclass ( 1.2.5 NAME 'a' SUP top AUXILIARY )\nobjectclass ( 1.2.6 NAME 'b' SUP a STRUCTURAL )",
          /a STRUCTURAL class cannot have the AUXILIARY superclass 'a'/,
        ],
        ["matchingrule ( 1.2.7 NAME 'm' SYNTAX 9.9 )", /matchingRule 'm' \(1\.2\.7\): unknown syntax 9\.9/],
      ];
      for (const [text, re] of cases) expect(() => load(text), text).to.throw(SchemaError, re);
    });

    it('allows references to definitions in later files', () => {
      const s = load("attributetype ( 1.2.3 NAME 'nick' SUP cn )\nobjectclass ( 1.2.4 NAME 'x' SUP top AUXILIARY MAY nick )");
      expect(s.attributeType('nick')?.equality).to.equal('caseIgnoreMatch');
      expect(s.objectClass('x')?.allMust.has('objectclass')).to.equal(true);
    });
  });

  describe('loadSchema (the schema folder)', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-schema-'));
    });
    afterEach(() => {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('reads *.schema files in name order and shares macros between them', () => {
      fs.writeFileSync(path.join(dir, '00-base.schema'), BASE + 'objectidentifier local 1.9.9\n');
      fs.writeFileSync(path.join(dir, '10-more.schema'), "attributetype ( local:1 NAME 'extra' SUP name )\n");
      fs.writeFileSync(path.join(dir, 'README.txt'), 'not a schema');
      const s = loadSchema(dir);
      expect(s.attributeType('extra')?.oid).to.equal('1.9.9.1');
      expect(s.attributeTypes().map((a) => a.key)).to.deep.equal(['objectclass', 'name', 'cn', 'extra']);
    });

    it('names the file in parse errors', () => {
      fs.writeFileSync(path.join(dir, '00-bad.schema'), "\n\nattributetype ( 1.2.3 NAME 'x' SYNTAX 1.2 BOGUS )\n");
      expect(() => loadSchema(dir)).to.throw(SchemaParseError, /00-bad\.schema:3: attributetype 1\.2\.3: unknown keyword 'BOGUS'/);
    });

    it('fails on a directory without schema files', () => {
      expect(() => loadSchema(dir)).to.throw(SchemaError, /no \*\.schema files/);
    });
  });
});
