/**
 * Parser for OpenLDAP-format schema files and RFC 4512 definition values.
 *
 * A file is a sequence of statements. A statement starts at column 0 and
 * continues on following lines that start with whitespace. Lines whose first
 * non-blank character is '#' are comments, and blank lines are skipped.
 * Statements:
 *   attributetype ( ... )     also `attributeTypes: ( ... )`
 *   objectclass ( ... )       also `objectClasses: ( ... )`
 *   ldapsyntax ( ... )        also `ldapSyntaxes: ( ... )`
 *   matchingrule ( ... )      also `matchingRules: ( ... )`
 *   objectidentifier <name> <oid | name | name:suffix>
 * Like slapd, any keyword that starts with "attribute" means attributetype (OpenLDAP's dsee.schema
 * relies on it).
 */
import {
  AttributeTypeDef,
  AttributeUsage,
  MatchingRuleDef,
  ObjectClassDef,
  ObjectClassKind,
  SchemaDefinition,
  SchemaFileContents,
  SyntaxDef,
} from './types';

/** A parse failure; `file` and `line` are set when parsing a whole file. */
export class SchemaParseError extends Error {
  constructor(message: string, readonly file?: string, readonly line?: number) {
    super(message);
    this.name = 'SchemaParseError';
  }
}

/** objectidentifier macros: lower-cased name → numeric OID. */
export type OidMacros = Map<string, string>;

export interface ParseOptions {
  /** Used in error messages. */
  fileName?: string;
  /** Shared macro table, so macros defined in one file work in later ones. */
  macros?: OidMacros;
}

const NUMERIC_OID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+$/;
const DESCR = /^[A-Za-z][A-Za-z0-9-]*$/;
const USAGES: readonly AttributeUsage[] = ['userApplications', 'directoryOperation', 'distributedOperation', 'dSAOperation'];
const KINDS: readonly ObjectClassKind[] = ['ABSTRACT', 'STRUCTURAL', 'AUXILIARY'];

type TokenKind = '(' | ')' | '$' | 'string' | 'word';
interface Token {
  kind: TokenKind;
  value: string;
}

function unescapeQdstring(s: string): string {
  return s.replace(/\\(27|5c)/gi, (_m, hex: string) => (hex === '27' ? "'" : '\\'));
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')' || ch === '$') {
      tokens.push({ kind: ch, value: ch });
      i++;
    } else if (ch === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new SchemaParseError('unterminated quoted string');
      tokens.push({ kind: 'string', value: unescapeQdstring(text.slice(i + 1, end)) });
      i = end + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()$']/.test(text[j])) j++;
      tokens.push({ kind: 'word', value: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

/** Expands `name` and `name:suffix` macro references; other text is returned unchanged. */
export function expandOidMacro(text: string, macros: OidMacros | undefined): string {
  if (NUMERIC_OID.test(text) || !macros) return text;
  const colon = text.indexOf(':');
  if (colon < 0) return macros.get(text.toLowerCase()) ?? text;
  const base = macros.get(text.slice(0, colon).toLowerCase());
  const suffix = text.slice(colon + 1);
  if (base === undefined) throw new SchemaParseError(`unknown objectidentifier macro '${text.slice(0, colon)}'`);
  if (!/^[0-9]+(\.[0-9]+)*$/.test(suffix)) throw new SchemaParseError(`bad OID suffix in '${text}'`);
  return `${base}.${suffix}`;
}

/** Reads the token stream of one `( numericoid keyword... )` description. */
class DescriptionReader {
  private readonly tokens: Token[];
  private pos = 0;
  private readonly seen = new Set<string>();

  constructor(text: string, private readonly macros: OidMacros | undefined) {
    this.tokens = tokenize(text);
  }

  /** Reads the opening parenthesis and the definition's own numeric OID. */
  open(): string {
    this.expect('(', "'('");
    return this.numericOid('OID');
  }

  /** The next keyword as written, or undefined after the closing parenthesis. */
  keyword(): string | undefined {
    const tok = this.next('a keyword or )');
    if (tok.kind === ')') {
      if (this.pos < this.tokens.length) throw new SchemaParseError(`unexpected '${this.tokens[this.pos].value}' after the closing )`);
      return undefined;
    }
    if (tok.kind !== 'word') throw new SchemaParseError(`expected a keyword, found ${describe(tok)}`);
    const upper = tok.value.toUpperCase();
    if (this.seen.has(upper)) throw new SchemaParseError(`duplicate ${tok.value}`);
    this.seen.add(upper);
    return tok.value;
  }

  qdstring(field: string): string {
    const tok = this.next(`a quoted string after ${field}`);
    if (tok.kind !== 'string') throw new SchemaParseError(`expected a quoted string after ${field}, found ${describe(tok)}`);
    return tok.value;
  }

  /** qdstring / ( qdstring* ) */
  qdstrings(field: string): string[] {
    if (this.peek()?.kind !== '(') return [this.qdstring(field)];
    this.pos++;
    const values: string[] = [];
    for (;;) {
      const tok = this.next(`')' closing the ${field} list`);
      if (tok.kind === ')') return values;
      if (tok.kind !== 'string') throw new SchemaParseError(`expected a quoted string in the ${field} list, found ${describe(tok)}`);
      values.push(tok.value);
    }
  }

  qdescrs(field: string): string[] {
    const names = this.qdstrings(field);
    for (const n of names) if (!DESCR.test(n)) throw new SchemaParseError(`'${n}' is not a valid name`);
    return names;
  }

  /** descr / numericoid, bare or (as older schema files do) quoted. */
  oid(field: string): string {
    const tok = this.next(`an OID or name after ${field}`);
    if (tok.kind !== 'word' && tok.kind !== 'string') throw new SchemaParseError(`expected an OID or name after ${field}, found ${describe(tok)}`);
    if (!DESCR.test(tok.value) && !NUMERIC_OID.test(tok.value)) throw new SchemaParseError(`'${tok.value}' is not a valid OID or name in ${field}`);
    return tok.value;
  }

  /** oid / ( oid $ oid ... ) */
  oids(field: string): string[] {
    if (this.peek()?.kind !== '(') return [this.oid(field)];
    this.pos++;
    const list = [this.oid(field)];
    for (;;) {
      const tok = this.next(`')' closing the ${field} list`);
      if (tok.kind === ')') return list;
      if (tok.kind !== '$') throw new SchemaParseError(`expected '$' or ')' in the ${field} list, found ${describe(tok)}`);
      list.push(this.oid(field));
    }
  }

  numericOid(field: string): string {
    const tok = this.next(`a numeric OID for ${field}`);
    if (tok.kind !== 'word' && tok.kind !== 'string') throw new SchemaParseError(`expected a numeric OID for ${field}, found ${describe(tok)}`);
    const oid = expandOidMacro(tok.value, this.macros);
    if (!NUMERIC_OID.test(oid)) throw new SchemaParseError(`${field} '${tok.value}' is neither a numeric OID nor a known objectidentifier macro`);
    return oid;
  }

  /** numericoid [ "{" len "}" ] */
  noidlen(field: string): { oid: string; len?: number } {
    const tok = this.peek();
    if (tok && (tok.kind === 'word' || tok.kind === 'string')) {
      const m = /^([^{]+)\{([0-9]+)\}$/.exec(tok.value);
      if (m) {
        this.pos++;
        const oid = expandOidMacro(m[1], this.macros);
        if (!NUMERIC_OID.test(oid)) throw new SchemaParseError(`${field} '${m[1]}' is neither a numeric OID nor a known objectidentifier macro`);
        return { oid, len: Number(m[2]) };
      }
    }
    const oid = this.numericOid(field);
    const after = this.peek();
    if (after?.kind === 'word' && /^\{[0-9]+\}$/.test(after.value)) {
      this.pos++;
      return { oid, len: Number(after.value.slice(1, -1)) };
    }
    return { oid };
  }

  word(field: string): string {
    const tok = this.next(`a value after ${field}`);
    if (tok.kind !== 'word') throw new SchemaParseError(`expected a value after ${field}, found ${describe(tok)}`);
    return tok.value;
  }

  /** Handles an X- extension keyword, or fails on an unknown keyword. */
  extension(keyword: string, into: Record<string, string[]>): void {
    if (!/^X-[A-Za-z_-]+$/i.test(keyword)) throw new SchemaParseError(`unknown keyword '${keyword}'`);
    into[keyword] = this.qdstrings(keyword);
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(expected: string): Token {
    const tok = this.tokens[this.pos++];
    if (!tok) throw new SchemaParseError(`expected ${expected}, found the end of the definition`);
    return tok;
  }

  private expect(kind: TokenKind, what: string): void {
    const tok = this.next(what);
    if (tok.kind !== kind) throw new SchemaParseError(`expected ${what}, found ${describe(tok)}`);
  }
}

function describe(tok: Token): string {
  return tok.kind === 'string' ? `quoted string '${tok.value}'` : `'${tok.value}'`;
}

/** Parses one RFC 4512 AttributeTypeDescription. */
export function parseAttributeType(text: string, macros?: OidMacros): AttributeTypeDef {
  const r = new DescriptionReader(text, macros);
  const def: AttributeTypeDef = {
    oid: r.open(),
    names: [],
    obsolete: false,
    singleValue: false,
    collective: false,
    noUserModification: false,
    usage: 'userApplications',
    extensions: {},
  };
  for (let kw = r.keyword(); kw !== undefined; kw = r.keyword()) {
    switch (kw.toUpperCase()) {
      case 'NAME': def.names = r.qdescrs('NAME'); break;
      case 'DESC': def.desc = r.qdstring('DESC'); break;
      case 'OBSOLETE': def.obsolete = true; break;
      case 'SUP': def.sup = r.oid('SUP'); break;
      case 'EQUALITY': def.equality = r.oid('EQUALITY'); break;
      case 'ORDERING': def.ordering = r.oid('ORDERING'); break;
      case 'SUBSTR': def.substr = r.oid('SUBSTR'); break;
      case 'SYNTAX': {
        const s = r.noidlen('SYNTAX');
        def.syntax = s.oid;
        if (s.len !== undefined) def.syntaxLength = s.len;
        break;
      }
      case 'SINGLE-VALUE': def.singleValue = true; break;
      case 'COLLECTIVE': def.collective = true; break;
      case 'NO-USER-MODIFICATION': def.noUserModification = true; break;
      case 'USAGE': {
        const u = r.word('USAGE');
        const usage = USAGES.find((x) => x.toLowerCase() === u.toLowerCase());
        if (!usage) throw new SchemaParseError(`unknown USAGE '${u}'`);
        def.usage = usage;
        break;
      }
      default: r.extension(kw, def.extensions);
    }
  }
  if (def.sup === undefined && def.syntax === undefined) throw new SchemaParseError('needs SUP or SYNTAX');
  if (def.collective && def.usage !== 'userApplications') throw new SchemaParseError('COLLECTIVE requires USAGE userApplications');
  if (def.noUserModification && def.usage === 'userApplications') throw new SchemaParseError('NO-USER-MODIFICATION requires an operational USAGE');
  return def;
}

/** Parses one RFC 4512 ObjectClassDescription. */
export function parseObjectClass(text: string, macros?: OidMacros): ObjectClassDef {
  const r = new DescriptionReader(text, macros);
  const def: ObjectClassDef = { oid: r.open(), names: [], obsolete: false, sup: [], kind: 'STRUCTURAL', must: [], may: [], extensions: {} };
  let kindSeen = false;
  for (let kw = r.keyword(); kw !== undefined; kw = r.keyword()) {
    const upper = kw.toUpperCase();
    const kind = KINDS.find((k) => k === upper);
    if (kind) {
      if (kindSeen) throw new SchemaParseError('more than one of ABSTRACT, STRUCTURAL, AUXILIARY');
      kindSeen = true;
      def.kind = kind;
      continue;
    }
    switch (upper) {
      case 'NAME': def.names = r.qdescrs('NAME'); break;
      case 'DESC': def.desc = r.qdstring('DESC'); break;
      case 'OBSOLETE': def.obsolete = true; break;
      case 'SUP': def.sup = r.oids('SUP'); break;
      case 'MUST': def.must = r.oids('MUST'); break;
      case 'MAY': def.may = r.oids('MAY'); break;
      default: r.extension(kw, def.extensions);
    }
  }
  return def;
}

/** Parses one RFC 4512 SyntaxDescription. */
export function parseSyntax(text: string, macros?: OidMacros): SyntaxDef {
  const r = new DescriptionReader(text, macros);
  const def: SyntaxDef = { oid: r.open(), extensions: {} };
  for (let kw = r.keyword(); kw !== undefined; kw = r.keyword()) {
    if (kw.toUpperCase() === 'DESC') def.desc = r.qdstring('DESC');
    else r.extension(kw, def.extensions);
  }
  return def;
}

/** Parses one RFC 4512 MatchingRuleDescription. X- extensions are accepted and dropped. */
export function parseMatchingRule(text: string, macros?: OidMacros): MatchingRuleDef {
  const r = new DescriptionReader(text, macros);
  const oid = r.open();
  const def: MatchingRuleDef = { oid, names: [], obsolete: false, syntax: '' };
  const ignored: Record<string, string[]> = {};
  for (let kw = r.keyword(); kw !== undefined; kw = r.keyword()) {
    switch (kw.toUpperCase()) {
      case 'NAME': def.names = r.qdescrs('NAME'); break;
      case 'DESC': def.desc = r.qdstring('DESC'); break;
      case 'OBSOLETE': def.obsolete = true; break;
      case 'SYNTAX': def.syntax = r.numericOid('SYNTAX'); break;
      default: r.extension(kw, ignored);
    }
  }
  if (def.syntax === '') throw new SchemaParseError('needs SYNTAX');
  return def;
}

export function defineMacro(args: string, macros: OidMacros): void {
  const parts = args.trim().split(/\s+/);
  if (parts.length !== 2 || parts[0] === '') throw new SchemaParseError('objectidentifier needs a name and an OID');
  const [name, value] = parts;
  if (!DESCR.test(name)) throw new SchemaParseError(`'${name}' is not a valid objectidentifier name`);
  const oid = expandOidMacro(value, macros);
  if (!NUMERIC_OID.test(oid)) throw new SchemaParseError(`'${value}' is neither a numeric OID nor a known objectidentifier macro`);
  // As slapd: defining a macro again with the same OID is harmless (dyngroup.schema and dsee.schema both do).
  const before = macros.get(name.toLowerCase());
  if (before !== undefined && before !== oid) throw new SchemaParseError(`objectidentifier '${name}' is already defined as ${before}`);
  macros.set(name.toLowerCase(), oid);
}

interface Statement {
  line: number;
  text: string;
}

function statements(text: string, fileName: string): Statement[] {
  const out: Statement[] = [];
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const current = out[out.length - 1];
    if (/^\s/.test(raw)) {
      if (!current) throw new SchemaParseError(`${fileName}:${index + 1}: continuation line with no statement before it`, fileName, index + 1);
      current.text += ' ' + trimmed;
    } else {
      out.push({ line: index + 1, text: trimmed });
    }
  });
  return out;
}

/** An empty SchemaFileContents, with line bookkeeping. */
export function emptyContents(): SchemaFileContents {
  return { attributeTypes: [], objectClasses: [], syntaxes: [], matchingRules: [], lines: new Map() };
}

export type StatementKind = 'attributetype' | 'objectclass' | 'ldapsyntax' | 'matchingrule' | 'objectidentifier';

/** The statement a keyword names (`attributetype`, `attributeTypes`, ...), or undefined. */
export function statementKind(keyword: string): StatementKind | undefined {
  const k = keyword.toLowerCase();
  if (k.startsWith('attribute')) return 'attributetype';
  if (k === 'objectclass' || k === 'objectclasses') return 'objectclass';
  if (k === 'ldapsyntax' || k === 'ldapsyntaxes') return 'ldapsyntax';
  if (k === 'matchingrule' || k === 'matchingrules') return 'matchingrule';
  if (k === 'objectidentifier') return 'objectidentifier';
  return undefined;
}

/**
 * Parses one statement's text into `contents` (or the macro table), noting its line. A failure is a
 * SchemaParseError naming the file, the line and the definition.
 */
export function addStatement(
  contents: SchemaFileContents,
  kind: StatementKind,
  text: string,
  where: { fileName: string; line: number; keyword: string },
  macros: OidMacros,
): void {
  try {
    let def: SchemaDefinition | undefined;
    switch (kind) {
      case 'attributetype': contents.attributeTypes.push((def = parseAttributeType(text, macros))); break;
      case 'objectclass': contents.objectClasses.push((def = parseObjectClass(text, macros))); break;
      case 'ldapsyntax': contents.syntaxes.push((def = parseSyntax(text, macros))); break;
      case 'matchingrule': contents.matchingRules.push((def = parseMatchingRule(text, macros))); break;
      case 'objectidentifier': defineMacro(text, macros); break;
    }
    if (def) contents.lines?.set(def, where.line);
  } catch (e) {
    if (!(e instanceof SchemaParseError)) throw e;
    const oid = /^\s*\(\s*'?([^\s')]+)/.exec(text);
    const what = oid ? `${where.keyword} ${oid[1]}` : where.keyword;
    throw new SchemaParseError(`${where.fileName}:${where.line}: ${what}: ${e.message}`, where.fileName, where.line);
  }
}

/** Parses the text of an OpenLDAP `.schema` file. */
export function parseSchemaFile(text: string, options: ParseOptions = {}): SchemaFileContents {
  const fileName = options.fileName ?? '<schema>';
  const macros = options.macros ?? new Map<string, string>();
  const contents = emptyContents();
  for (const st of statements(text, fileName)) {
    const m = /^([A-Za-z][A-Za-z0-9-]*):?/.exec(st.text);
    const keyword = m ? m[1] : st.text.split(/\s/)[0];
    const rest = m ? st.text.slice(m[0].length) : '';
    const kind = statementKind(keyword);
    if (!kind) throw new SchemaParseError(`${fileName}:${st.line}: ${keyword}: unknown statement '${keyword}'`, fileName, st.line);
    addStatement(contents, kind, rest, { fileName, line: st.line, keyword }, macros);
  }
  return contents;
}
