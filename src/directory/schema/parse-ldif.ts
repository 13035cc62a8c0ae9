/**
 * Schema definitions from LDIF: OpenLDAP's cn=config form (`olcAttributeTypes:`, `olcObjectClasses:`,
 * `olcObjectIdentifier:`, `olcLdapSyntaxes:`, as in /etc/ldap/schema/*.ldif) or the subschema form
 * (`attributeTypes:`, `objectClasses:`, `ldapSyntaxes:`, `matchingRules:` under `dn: cn=schema`).
 * Folded lines and base64 values (`::`) are read as LDIF has them; the `{n}` order prefix of cn=config values
 * is dropped. The entry's own attributes (dn, objectClass, cn, timestamps) are skipped. Anything else (another
 * attribute such as olcDitContentRules, a changetype other than add, a `:<` URL value) is an error naming the
 * line, so nothing in the file is silently left out.
 */
import { valueFromBytes } from '../../bytes';
import { addStatement, emptyContents, type OidMacros, type ParseOptions, SchemaParseError, type StatementKind } from './parse';
import type { SchemaFileContents } from './types';

const DEFINITIONS: ReadonlyMap<string, StatementKind> = new Map([
  ['olcattributetypes', 'attributetype'],
  ['attributetypes', 'attributetype'],
  ['olcobjectclasses', 'objectclass'],
  ['objectclasses', 'objectclass'],
  ['olcldapsyntaxes', 'ldapsyntax'],
  ['ldapsyntaxes', 'ldapsyntax'],
  ['matchingrules', 'matchingrule'],
  ['olcobjectidentifier', 'objectidentifier'],
]);

/** The schema entry's own attributes, and what slapcat adds to it. */
const SKIPPED = new Set([
  'dn',
  'version',
  'objectclass',
  'cn',
  'structuralobjectclass',
  'entryuuid',
  'creatorsname',
  'createtimestamp',
  'entrycsn',
  'modifiersname',
  'modifytimestamp',
  'subschemasubentry',
]);

interface Line {
  line: number;
  text: string;
}

/** Unfolds LDIF lines (a line starting with one space continues the previous one) and drops comments. */
function logicalLines(text: string): Line[] {
  const out: (Line & { comment: boolean })[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, index) => {
    const last = out[out.length - 1];
    if (raw.startsWith(' ') && last && last.text !== '') {
      last.text += raw.slice(1);
      return;
    }
    out.push({ line: index + 1, text: raw, comment: raw.startsWith('#') });
  });
  return out.filter((l) => !l.comment);
}

/** True when a file's first line that is not blank or a comment is an LDIF `dn:` or `version:` line. */
export function looksLikeLdif(text: string): boolean {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/).find((l) => l.trim() !== '' && !l.startsWith('#'));
  return first !== undefined && /^(dn|version)\s*:/i.test(first);
}

/** Parses schema LDIF. Errors are SchemaParseErrors naming the file and line. */
export function parseSchemaLdif(text: string, options: ParseOptions = {}): SchemaFileContents {
  const fileName = options.fileName ?? '<schema>';
  const macros: OidMacros = options.macros ?? new Map<string, string>();
  const contents = emptyContents();
  const fail = (line: number, message: string): never => {
    throw new SchemaParseError(`${fileName}:${line}: ${message}`, fileName, line);
  };
  for (const { line, text: l } of logicalLines(text)) {
    if (l.trim() === '') continue;
    const m = /^([A-Za-z][A-Za-z0-9-]*(?:;[A-Za-z0-9-]+)*):(:|<)?\s*([\s\S]*)$/.exec(l);
    if (!m) return fail(line, `not an LDIF line: '${l.slice(0, 40)}'`);
    const [, name, marker, rawValue] = m;
    const attr = name.toLowerCase();
    if (marker === '<') return fail(line, `${name}: values read from a URL are not supported`);
    const value = marker === ':' ? valueFromBytes(Buffer.from(rawValue, 'base64')) : rawValue;
    if (attr === 'changetype') {
      if (value.trim().toLowerCase() !== 'add') fail(line, `changetype ${value.trim()} is not supported: give the schema entry itself (changetype add)`);
      continue;
    }
    if (SKIPPED.has(attr)) continue;
    const kind = DEFINITIONS.get(attr);
    if (!kind) return fail(line, `${name}: not a schema definition attribute (Cairn reads ${[...DEFINITIONS.keys()].join(', ')})`);
    addStatement(contents, kind, value.replace(/^\s*\{\d+\}/, ''), { fileName, line, keyword: name }, macros);
  }
  return contents;
}
