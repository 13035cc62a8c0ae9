import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { extraSchemaFiles, loadSchema, readSchemaFile } from '../../src/directory/schema/load';
import { parseSchemaFile, SchemaParseError } from '../../src/directory/schema/parse';
import { looksLikeLdif, parseSchemaLdif } from '../../src/directory/schema/parse-ldif';
import { Schema, SchemaError } from '../../src/directory/schema/registry';
import { SchemaFileContents } from '../../src/directory/schema/types';
import { standardNormalizers } from '../../src/directory/matching';
import { loadConfig } from '../../src/config';

const ROOT = path.join(__dirname, '..', '..', '..');
const OWN = path.join(ROOT, 'schema');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'openldap-schema');
const fixture = (name: string) => path.join(FIXTURES, name);
const stockFiles = () =>
  fs
    .readdirSync(FIXTURES)
    .filter((n) => n.endsWith('.schema'))
    .sort();

/**
 * The definitions only, without line bookkeeping. DESC whitespace is ignored: slapd keeps a continuation
 * line's indentation inside a DESC when it writes the .ldif, Cairn's .schema reader folds it to one space, and
 * Debian's dyngroup.ldif lost a space at a fold ('Group that theentry belongs to').
 */
function defs(c: SchemaFileContents) {
  const desc = <T extends { desc?: string }>(list: T[]) => list.map((d) => (d.desc === undefined ? d : { ...d, desc: d.desc.replace(/\s+/g, '') }));
  return { attributeTypes: desc(c.attributeTypes), objectClasses: desc(c.objectClasses), syntaxes: desc(c.syntaxes), matchingRules: desc(c.matchingRules) };
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('OpenLDAP schema files', () => {
  const cairn = loadSchema(OWN);

  describe("Debian's stock schema files", () => {
    it('the fixtures are all there (core, cosine, inetorgperson, nis, misc, openldap, dyngroup, duaconf, autofs, sudo ...)', () => {
      expect(stockFiles()).to.include.members([
        'core.schema',
        'cosine.schema',
        'inetorgperson.schema',
        'nis.schema',
        'misc.schema',
        'openldap.schema',
        'dyngroup.schema',
        'duaconf.schema',
        'collective.schema',
        'corba.schema',
        'java.schema',
        'namedobject.schema',
        'dsee.schema',
        'msuser.schema',
        'autofs.schema',
        'sudo.schema',
      ]);
    });

    it('each parses, and every matching rule and syntax it names is known to Cairn, each rule with a normaliser', () => {
      const normalizers = standardNormalizers({ dn: (v) => v, oid: (v) => v });
      const seen = new Set<string>();
      for (const name of stockFiles()) {
        const c = parseSchemaFile(fs.readFileSync(fixture(name), 'utf8'), { fileName: name });
        for (const at of c.attributeTypes) {
          for (const rule of [at.equality, at.ordering, at.substr]) {
            if (!rule) continue;
            const known = cairn.matchingRule(rule);
            expect(known, `${name}: ${at.names[0]}: ${rule}`).to.not.equal(undefined);
            expect(normalizers.has(known!.key), `${name}: ${rule} has a normaliser`).to.equal(true);
            seen.add(known!.name);
          }
          if (at.syntax && !c.syntaxes.some((s) => s.oid === at.syntax)) {
            expect(cairn.syntax(at.syntax), `${name}: ${at.names[0]}: SYNTAX ${at.syntax}`).to.not.equal(undefined);
          }
        }
      }
      // The rules the stock files use, among them the ones Cairn lacked before.
      expect([...seen]).to.include.members([
        'caseExactIA5SubstringsMatch',
        'caseIgnoreIA5SubstringsMatch',
        'caseExactSubstringsMatch',
        'numericStringMatch',
        'numericStringSubstringsMatch',
        'telephoneNumberMatch',
        'telephoneNumberSubstringsMatch',
        'booleanMatch',
        'generalizedTimeMatch',
        'generalizedTimeOrderingMatch',
        'uniqueMemberMatch',
        'bitStringMatch',
        'caseIgnoreListMatch',
        'distinguishedNameMatch',
        'integerMatch',
        'presentationAddressMatch',
        'protocolInformationMatch',
        'authzMatch',
      ]);
    });

    it('Cairn knows the other rules the brief names, each with a normaliser', () => {
      const normalizers = standardNormalizers({ dn: (v) => v, oid: (v) => v });
      for (const rule of [
        'octetStringMatch',
        'octetStringOrderingMatch',
        'objectIdentifierFirstComponentMatch',
        'octetStringSubstringsMatch',
        'integerFirstComponentMatch',
        'UUIDMatch',
        'UUIDOrderingMatch',
        'caseIgnoreListSubstringsMatch',
      ]) {
        const known = cairn.matchingRule(rule);
        expect(known, rule).to.not.equal(undefined);
        expect(normalizers.has(known!.key), rule).to.equal(true);
      }
      expect(cairn.matchingRule('caseExactIA5SubstringsMatch')?.oid).to.equal('1.3.6.1.4.1.4203.1.2.1');
    });

    it('octetString rules compare exactly, caseExactIA5Substrings keeps case', () => {
      const n = standardNormalizers({ dn: (v) => v, oid: (v) => v });
      expect(n.get('octetstringmatch')!('A  b')).to.equal('A  b');
      expect(n.get('octetstringorderingmatch')!('A  b')).to.equal('A  b');
      expect(n.get('caseexactia5substringsmatch')!('ALL')).to.not.equal(n.get('caseexactia5substringsmatch')!('all'));
      expect(n.get('authzmatch')!('u:Bob')).to.equal('u:Bob');
    });

    it('each .ldif (cn=config form) gives exactly the definitions of its .schema', () => {
      const pairs = fs.readdirSync(FIXTURES).filter((n) => n.endsWith('.ldif') && fs.existsSync(fixture(n.replace(/\.ldif$/, '.schema'))));
      expect(pairs.length).to.be.greaterThan(10);
      for (const n of [...pairs, 'sudo.olcSudo']) {
        const schemaName = n === 'sudo.olcSudo' ? 'sudo.schema' : n.replace(/\.ldif$/, '.schema');
        const text = fs.readFileSync(fixture(n), 'utf8');
        expect(looksLikeLdif(text), n).to.equal(true);
        const fromLdif = parseSchemaLdif(text, { fileName: n });
        const fromSchema = parseSchemaFile(fs.readFileSync(fixture(schemaName), 'utf8'), { fileName: schemaName });
        expect(defs(fromLdif), n).to.deep.equal(defs(fromSchema));
      }
    });

    it("Debian's whole set (with what slapd compiles in) loads as one schema", () => {
      const macros = new Map<string, string>();
      const names = [
        'slapd-builtin.ldif',
        'core.schema',
        'cosine.schema',
        'inetorgperson.schema',
        'nis.schema',
        'misc.schema',
        'autofs.schema',
        'sudo.schema',
        ...stockFiles().filter(
          (n) => !['core.schema', 'cosine.schema', 'inetorgperson.schema', 'nis.schema', 'misc.schema', 'autofs.schema', 'sudo.schema'].includes(n),
        ),
      ];
      const s = new Schema(names.map((n) => readSchemaFile(fixture(n), macros)));
      expect(s.objectClass('posixGroup')?.kind).to.equal('STRUCTURAL');
      expect([...s.objectClass('automountMap')!.allMust]).to.include('ou');
      expect(s.objectClass('sudoRole')?.oid).to.equal('1.3.6.1.4.1.15953.9.2.1');
    });
  });

  describe("Cairn's shipped sudo, autofs and misc schemas", () => {
    for (const name of ['sudo.schema', 'autofs.schema', 'misc.schema']) {
      it(`define what ${name} publishes, with the same OIDs`, () => {
        const published = parseSchemaFile(fs.readFileSync(fixture(name), 'utf8'), { fileName: name });
        for (const d of published.attributeTypes) expect(cairn.attributeType(d.oid)?.def, `${name} ${d.names[0]}`).to.deep.equal(d);
        for (const d of published.objectClasses) expect(cairn.objectClass(d.oid)?.def, `${name} ${d.names[0]}`).to.deep.equal(d);
      });
    }

    it("the names automountMap, automount and automountInformation are autofs.schema's; automountMapName and automountKey stay", () => {
      expect(cairn.objectClass('automountMap')?.oid).to.equal('1.3.6.1.4.1.2312.4.2.2');
      expect(cairn.objectClass('automount')?.oid).to.equal('1.3.6.1.4.1.2312.4.2.3');
      expect(cairn.attributeType('automountInformation')?.oid).to.equal('1.3.6.1.4.1.2312.4.1.2');
      expect(cairn.objectClass('1.3.6.1.1.1.2.16')).to.equal(undefined);
      expect(cairn.attributeType('automountMapName')?.oid).to.equal('1.3.6.1.1.1.1.31');
      expect(cairn.attributeType('automountKey')?.oid).to.equal('1.3.6.1.1.1.1.32');
    });

    it("of nis.schema's classes, only posixGroup has another kind in Cairn's rfc2307bis", () => {
      const nis = parseSchemaFile(fs.readFileSync(fixture('nis.schema'), 'utf8'));
      const differ = nis.objectClasses.filter((c) => cairn.objectClass(c.oid)?.kind !== c.kind).map((c) => c.names[0]);
      expect(differ).to.deep.equal(['posixGroup']);
    });
  });

  describe('site schema (schema.extra)', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-site-schema-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const write = (name: string, text: string) => {
      fs.writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };

    it("loads a folder of .schema and .ldif files after Cairn's own, in name order, macros shared", () => {
      write(
        '10-site.schema',
        "objectidentifier siteOID 1.3.6.1.4.1.55555\nattributetype ( siteOID:1.1 NAME 'siteBadge' EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )\n",
      );
      write(
        '20-more.ldif',
        [
          'dn: cn=more,cn=schema,cn=config',
          'objectClass: olcSchemaConfig',
          'cn: more',
          "olcObjectClasses: {0}( siteOID:2.1 NAME 'siteThing' DESC 'a thing of the",
          "  site' SUP top STRUCTURAL MUST cn MAY ( siteBadge $ description ) )",
          'olcAttributeTypes:: ' + Buffer.from("( siteOID:1.2 NAME 'siteNote' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )").toString('base64'),
          '',
        ].join('\n'),
      );
      write('README.txt', 'not read');
      const s = loadSchema(OWN, [dir]);
      expect(s.objectClass('siteThing')?.oid).to.equal('1.3.6.1.4.1.55555.2.1');
      expect(s.objectClass('siteThing')?.desc).to.equal('a thing of the site');
      expect(s.attributeType('siteNote')?.oid).to.equal('1.3.6.1.4.1.55555.1.2');
      expect(s.subschemaValues().objectClasses.some((v) => v.includes("'siteThing'"))).to.equal(true);
      expect(
        s
          .attributeTypes()
          .map((a) => a.name)
          .slice(-2),
      ).to.deep.equal(['siteBadge', 'siteNote']);
    });

    it('loads a named file of either form, whatever its extension (sudo ships schema.OpenLDAP, schema.olcSudo)', () => {
      const file = write('schema.site', "attributetype ( 1.3.6.1.4.1.55555.1.9 NAME 'siteFlag' EQUALITY booleanMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 )\n");
      const ldif = write(
        'site.olc',
        "dn: cn=x,cn=schema,cn=config\nobjectClass: olcSchemaConfig\ncn: x\nolcAttributeTypes: ( 1.3.6.1.4.1.55555.1.10 NAME 'siteFlag2' SUP siteFlag )\n",
      );
      const s = loadSchema(OWN, [file, ldif]);
      expect(s.attributeType('siteFlag2')?.equality).to.equal('booleanMatch');
    });

    it('a bad file stops loading with the file and line', () => {
      write('site.schema', "# site\n\nattributetype ( 1.3.6.1.4.1.55555.1.1 NAME 'x'\n  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 BOGUS )\n");
      const e = thrown(() => loadSchema(OWN, [dir]));
      expect(e).to.be.instanceOf(SchemaParseError);
      expect(e.message).to.equal(`${path.join(dir, 'site.schema')}:3: attributetype 1.3.6.1.4.1.55555.1.1: unknown keyword 'BOGUS'`);
    });

    it('a bad LDIF file: line of the value, unsupported attributes and changetypes', () => {
      const f = write('a.ldif', "dn: cn=a,cn=schema,cn=config\ncn: a\nolcAttributeTypes: ( 1.2.3.4 NAME 'x'\n  SYNTAX 9.9.9 BOGUS )\n");
      expect(thrown(() => loadSchema(OWN, [f])).message).to.equal(`${f}:3: olcAttributeTypes 1.2.3.4: unknown keyword 'BOGUS'`);
      const g = write('b.ldif', "dn: cn=b,cn=schema,cn=config\ncn: b\nolcDitContentRules: ( 2.5.6.6 NAME 'x' )\n");
      expect(thrown(() => loadSchema(OWN, [g])).message).to.match(/b\.ldif:3: olcDitContentRules: not a schema definition attribute/);
      const h = write('c.ldif', 'dn: cn={2}nis,cn=schema,cn=config\nchangetype: modify\nadd: olcAttributeTypes\n');
      expect(thrown(() => loadSchema(OWN, [h])).message).to.match(/c\.ldif:2: changetype modify is not supported/);
    });

    it('a definition that clashes with a loaded OID or name is an error naming both places', () => {
      const f = write('clash.schema', "\nattributetype ( 1.3.6.1.4.1.55555.1.1 NAME 'mailHost' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )\n");
      const e = thrown(() => loadSchema(OWN, [f]));
      expect(e).to.be.instanceOf(SchemaError);
      expect(e.message).to.equal(
        `${f}:2: attributeType 'mailHost' (1.3.6.1.4.1.55555.1.1): the name 'mailhost' is already defined by attributeType 'mailHost' (2.16.840.1.113730.3.1.18) in ${path.join(OWN, '60-misc.schema')}:14`,
      );
      const g = write('oid.schema', "objectclass ( 1.3.6.1.4.1.15953.9.2.1 NAME 'myRole' SUP top STRUCTURAL MUST cn )\n");
      expect(thrown(() => loadSchema(OWN, [g])).message).to.match(
        /oid\.schema:1: objectClass 'myRole' .*OID 1\.3\.6\.1\.4\.1\.15953\.9\.2\.1 is already used by objectClass 'sudoRole' .* in .*60-sudo\.schema:\d+$/,
      );
    });

    it("Debian's stock extras that Cairn does not ship load on top (dyngroup, duaconf, java, corba, collective, namedobject, openldap, dsee)", () => {
      const names = ['dyngroup', 'duaconf', 'java', 'corba', 'collective', 'namedobject', 'openldap', 'dsee'].map((n) => fixture(`${n}.schema`));
      const s = loadSchema(OWN, names);
      expect(s.objectClass('groupOfURLs')?.oid).to.equal('2.16.840.1.113730.3.2.33');
      expect(s.attributeType('dgIdentity')?.equality).to.equal('distinguishedNameMatch');
    });

    it('missing paths, empty folders, a schema twice in one folder are errors', () => {
      expect(thrown(() => loadSchema(OWN, [path.join(dir, 'nope')])).message).to.equal(`schema.extra: ${path.join(dir, 'nope')}: no such file or folder`);
      expect(thrown(() => extraSchemaFiles(dir)).message).to.match(/has no \*\.schema or \*\.ldif files/);
      write('misc.schema', '');
      write('misc.ldif', '');
      expect(thrown(() => extraSchemaFiles(dir)).message).to.match(/has both misc\.ldif and misc\.schema/);
    });

    it('schema.extra: default [], from the environment as a ;-separated list, validated', () => {
      expect(loadConfig({ env: {} }).schema.extra).to.deep.equal([]);
      expect(loadConfig({ env: { CAIRN_SCHEMA_EXTRA: '/etc/cairn/schema; /opt/site.schema' } }).schema.extra).to.deep.equal([
        '/etc/cairn/schema',
        '/opt/site.schema',
      ]);
      expect(() => loadConfig({ env: {}, overrides: { schema: { extra: 'x' } } })).to.throw(/"schema\.extra" must be a list/);
      expect(() => loadConfig({ env: { CAIRN_SCHEMA_EXTRA: 'site.schema' } })).to.throw(/setting "schema\.extra" must be a list of absolute paths/);
    });
  });
});
