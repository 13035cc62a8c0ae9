/**
 * Reads the schema the server runs with: Cairn's own `schema/*.schema` files in name order, then the site's
 * files and folders (setting schema.extra) in the order given, each folder's `*.schema` and `*.ldif` files in
 * name order. objectidentifier macros carry across all of them. A file is read as LDIF (cn=config or subschema
 * form) when its first line that is not blank or a comment is `dn:` or `version:`, else as an OpenLDAP
 * `.schema` file. Any problem throws SchemaParseError (file and line) or SchemaError (file, line and the
 * definition it clashes with).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseSchemaFile, type OidMacros } from './parse';
import { looksLikeLdif, parseSchemaLdif } from './parse-ldif';
import { type NamedSchemaFile, Schema, SchemaError } from './registry';

const SITE_FILE = /\.(schema|ldif)$/i;

/** The files a schema.extra entry stands for: the file itself, or a folder's *.schema and *.ldif files. */
export function extraSchemaFiles(entry: string): string[] {
  const full = path.resolve(entry);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    throw new SchemaError(`schema.extra: ${full}: no such file or folder`);
  }
  if (!stat.isDirectory()) return [full];
  const names = fs.readdirSync(full).filter((n) => SITE_FILE.test(n)).sort();
  if (names.length === 0) throw new SchemaError(`schema.extra: the folder ${full} has no *.schema or *.ldif files`);
  const stems = new Map<string, string>();
  for (const n of names) {
    const stem = n.replace(SITE_FILE, '').toLowerCase();
    const other = stems.get(stem);
    if (other) throw new SchemaError(`schema.extra: the folder ${full} has both ${other} and ${n}, probably the same schema twice; keep one`);
    stems.set(stem, n);
  }
  return names.map((n) => path.join(full, n));
}

/** Parses one schema file in whichever of the two forms it is written. */
export function readSchemaFile(file: string, macros: OidMacros): NamedSchemaFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SchemaError(`cannot read schema file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const options = { fileName: file, macros };
  return { name: file, contents: looksLikeLdif(text) ? parseSchemaLdif(text, options) : parseSchemaFile(text, options) };
}

/** Cairn's own schema folder, then the site's extra files and folders. */
export function loadSchema(ownDir: string, extra: readonly string[] = []): Schema {
  const own = fs.readdirSync(ownDir).filter((n) => n.endsWith('.schema')).sort().map((n) => path.join(ownDir, n));
  if (own.length === 0) throw new SchemaError(`no *.schema files in ${ownDir}`);
  const files = [...own, ...extra.flatMap(extraSchemaFiles)];
  const seen = new Set<string>();
  const macros: OidMacros = new Map();
  const parsed: NamedSchemaFile[] = [];
  for (const f of files) {
    if (seen.has(f)) throw new SchemaError(`schema.extra: ${f} is named twice (or is one of Cairn's own schema files)`);
    seen.add(f);
    parsed.push(readSchemaFile(f, macros));
  }
  return new Schema(parsed);
}
