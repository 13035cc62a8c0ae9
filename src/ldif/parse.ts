import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isRawBytes, valueFromBytes } from '../bytes';
import { LdifAttribute, LdifControl, LdifError, LdifModification, LdifRecord } from './types';

/** RFC 4512 attribute description: a name or numeric OID, then `;option`s. */
const ATTRIBUTE_DESCRIPTION = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)(?:;[A-Za-z0-9-]+)*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// "control:" FILL ldap-oid [1*SPACE ("true"/"false")] [value-spec]
const CONTROL = /^([0-9]+(?:\.[0-9]+)+)(?: +(true|false))? *(?:(::|:<|:) *(.*))?$/;
const MOD_OPERATIONS: ReadonlySet<string> = new Set(['add', 'delete', 'replace', 'increment']);

export function isAttributeDescription(name: string): boolean {
  return ATTRIBUTE_DESCRIPTION.test(name);
}

/** An unfolded line with comments removed; `line` is where its first physical line is. */
interface LogicalLine {
  text: string;
  line: number;
}

/** A logical line split into `name` and its decoded value. */
interface Field {
  name: string;
  key: string; // lower-cased name, for keyword comparisons
  value: string;
  line: number;
}

/** Parses LDIF one record at a time; a syntax error throws LdifError after the records before it were yielded. */
export function* parseLdif(text: string): Generator<LdifRecord> {
  yield* new LdifReader().feed(text, true);
}

export function parseLdifAll(text: string): LdifRecord[] {
  return [...parseLdif(text)];
}

/** A line longer than this (bytes) is refused: no LDIF writer folds a value that long into one line. */
export const MAX_LINE_BYTES = 256 * 1024 * 1024;

/**
 * Parses LDIF as it arrives, for a file of any size: the bytes are decoded a block of whole lines at a time
 * (a newline never falls inside a UTF-8 sequence), so memory holds one block and one record, not the file.
 */
export async function* parseLdifStream(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<LdifRecord> {
  const reader = new LdifReader();
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of chunks) {
    const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const cut = bytes.lastIndexOf(0x0a);
    if (cut < 0) {
      if (bytes.length > MAX_LINE_BYTES) throw new LdifError(`line longer than ${MAX_LINE_BYTES / 1024 / 1024} MB`, reader.nextLine);
      carry = bytes;
      continue;
    }
    yield* reader.feed(valueFromBytes(bytes, 0, cut + 1), false);
    carry = Buffer.from(bytes.subarray(cut + 1));
  }
  yield* reader.feed(valueFromBytes(carry), true);
}

/**
 * Turns physical lines into records (runs of non-blank lines), unfolding continuations, dropping comments
 * and reading the version line; it keeps its place between the blocks of text it is fed.
 */
class LdifReader {
  private record: LogicalLine[] = [];
  private inComment = false; // a continuation right after a comment line belongs to the comment
  private lineNumber = 0;
  private first = true;

  /** The number of the next physical line. */
  get nextLine(): number {
    return this.lineNumber + 1;
  }

  /** Reads whole lines of `text` (unless `final`, it ends with a newline) and yields the records they end. */
  *feed(text: string, final: boolean): Generator<LdifRecord> {
    let start = this.lineNumber === 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte order mark
    const stop = final ? text.length : text.length - 1;
    while (start <= stop) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      let raw = text.slice(start, end);
      if (raw.endsWith('\r')) raw = raw.slice(0, -1);
      start = end + 1;
      this.lineNumber++;

      if (raw === '') {
        const done = this.take();
        if (done) yield done;
      } else if (raw[0] === ' ') {
        if (this.inComment) continue;
        const previous = this.record[this.record.length - 1];
        if (!previous) throw new LdifError('continuation line (starting with a space) has no line to continue', this.lineNumber);
        previous.text += raw.slice(1);
      } else if (raw[0] === '#') {
        this.inComment = true;
      } else {
        this.inComment = false;
        this.record.push({ text: raw, line: this.lineNumber });
      }
    }
    if (final) {
      const done = this.take();
      if (done) yield done;
    }
  }

  /** The record gathered so far, parsed (none for a version line alone), and a fresh start. */
  private take(): LdifRecord | undefined {
    const lines = this.record;
    this.record = [];
    this.inComment = false;
    if (lines.length === 0) return undefined;
    if (this.first) {
      this.first = false;
      const head = parseField(lines[0]);
      if (head.key === 'version') {
        if (head.value.trim() !== '1') throw new LdifError(`unsupported LDIF version "${head.value}"`, head.line);
        lines.shift();
        if (lines.length === 0) return undefined;
      }
    }
    return parseRecord(lines);
  }
}

function parseField({ text, line }: LogicalLine): Field {
  const colon = text.indexOf(':');
  if (colon === -1) throw new LdifError(`expected "name: value", found no colon in "${abbreviate(text)}"`, line);
  const name = ownText(text.slice(0, colon));
  const field = (value: string): Field => ({ name, key: name.toLowerCase(), value, line });
  const marker = text[colon + 1];
  if (marker === ':') return field(decodeBase64(skipSpaces(text, colon + 2), name, line));
  if (marker === '<') return field(readUrlValue(skipSpaces(text, colon + 2).trimEnd(), name, line));
  const value = skipSpaces(text, colon + 1);
  if (isRawBytes(value)) throw new LdifError(`value of "${name}" is not valid UTF-8: write binary values in base64 ("${name}:: ...")`, line);
  return field(ownText(value));
}

/**
 * The text of a piece of a block, in storage of its own. A slice of a long string shares the string's
 * storage (V8's sliced strings), and the file is read a megabyte block at a time: one DN kept (the DN
 * cache keeps 10,000) kept its whole block alive, and an import of people with photos grew to 1.3 GB.
 * Concatenating makes a new string that slicing flattens into one of its own.
 */
function ownText(s: string): string {
  return s.length < 13 ? s : (s + ' ').slice(0, -1);
}

function skipSpaces(text: string, from: number): string {
  let i = from;
  while (text[i] === ' ') i++;
  return text.slice(i);
}

function decodeBase64(encoded: string, name: string, line: number): string {
  const trimmed = encoded.trimEnd();
  if (!BASE64.test(trimmed)) throw new LdifError(`bad base64 value for "${name}"`, line);
  return valueFromBytes(Buffer.from(trimmed, 'base64'));
}

/** A `name:< file:///path` value (RFC 2849): the file's bytes. Only file URLs are read. */
function readUrlValue(url: string, name: string, line: number): string {
  if (!/^file:\/\//i.test(url)) throw new LdifError(`only file:// URLs are supported for "${name}:<" values, not "${abbreviate(url)}"`, line);
  try {
    return valueFromBytes(readFileSync(fileURLToPath(url)));
  } catch (e) {
    throw new LdifError(`cannot read ${url} for "${name}": ${(e as Error).message}`, line);
  }
}

function parseRecord(lines: LogicalLine[]): LdifRecord {
  const head = parseField(lines[0]);
  if (head.key !== 'dn') throw new LdifError(`record must start with "dn:", found "${head.name}:"`, head.line);
  const dn = head.value;
  const line = head.line;

  let next = 1;
  const controls: LdifControl[] = [];
  let field = fieldAt(lines, next);
  while (field && field.key === 'control') {
    controls.push(parseControl(field));
    field = fieldAt(lines, ++next);
  }

  if (!field || field.key !== 'changetype') {
    if (controls.length > 0) {
      throw new LdifError('"control:" lines must be followed by "changetype:"', field ? field.line : line);
    }
    return { kind: 'content', dn, line, attributes: parseAttributes(lines.slice(1), line) };
  }

  const rest = lines.slice(next + 1);
  const changeType = field.value.trim().toLowerCase();
  switch (changeType) {
    case 'add':
      return { kind: 'add', dn, line, attributes: parseAttributes(rest, line), controls };
    case 'delete':
      if (rest.length > 0) throw new LdifError('unexpected line in a "changetype: delete" record', rest[0].line);
      return { kind: 'delete', dn, line, controls };
    case 'modify':
      return { kind: 'modify', dn, line, changes: parseModifications(rest), controls };
    case 'modrdn':
    case 'moddn':
      return { kind: 'modrdn', dn, line, ...parseModRdn(rest, line), controls };
    default:
      throw new LdifError(`unknown changetype "${field.value}"`, field.line);
  }
}

function fieldAt(lines: LogicalLine[], index: number): Field | undefined {
  return index < lines.length ? parseField(lines[index]) : undefined;
}

function parseControl(field: Field): LdifControl {
  const match = CONTROL.exec(field.value);
  if (!match) throw new LdifError(`malformed control line "${abbreviate(field.value)}"`, field.line);
  const [, oid, criticality, marker, rawValue] = match;
  const control: LdifControl = { oid, critical: criticality === 'true' };
  if (marker === ':<') throw new LdifError('URL values are not supported (control value)', field.line);
  if (marker === '::') control.value = decodeBase64(rawValue, 'control', field.line);
  else if (marker === ':') control.value = rawValue;
  return control;
}

/** Attribute lines of a content or add record; values of one attribute are gathered under its first spelling. */
function parseAttributes(lines: LogicalLine[], dnLine: number): LdifAttribute[] {
  if (lines.length === 0) throw new LdifError('record has no attributes', dnLine);
  const byName = new Map<string, LdifAttribute>();
  for (const logical of lines) {
    const field = parseField(logical);
    if (field.key === 'dn') {
      throw new LdifError('unexpected "dn:" inside a record (missing blank line between records?)', field.line);
    }
    if (field.key === 'changetype' || field.key === 'control') {
      throw new LdifError(`"${field.name}:" must come right after the dn line`, field.line);
    }
    checkAttributeDescription(field.name, field.line);
    const attribute = byName.get(field.key);
    if (attribute) attribute.values.push(field.value);
    else byName.set(field.key, { name: field.name, values: [field.value] });
  }
  return [...byName.values()];
}

function parseModifications(lines: LogicalLine[]): LdifModification[] {
  const changes: LdifModification[] = [];
  let next = 0;
  while (next < lines.length) {
    if (isSeparator(lines[next])) throw new LdifError('unexpected "-" (no modify block to end)', lines[next].line);
    const head = parseField(lines[next++]);
    const operation = head.key;
    if (!isModOperation(operation)) {
      throw new LdifError(`expected "add:", "delete:", "replace:" or "increment:", found "${head.name}:"`, head.line);
    }
    const attribute = head.value.trim();
    checkAttributeDescription(attribute, head.line);
    const block = `"${operation}: ${attribute}"`;

    const values: string[] = [];
    let ended = false;
    while (next < lines.length) {
      const logical = lines[next++];
      if (isSeparator(logical)) {
        ended = true;
        break;
      }
      const field = parseField(logical);
      if (field.key !== attribute.toLowerCase()) {
        if (isModOperation(field.key)) throw new LdifError(`missing "-" to end the ${block} block`, field.line);
        throw new LdifError(`attribute "${field.name}" does not match the ${block} block`, field.line);
      }
      values.push(field.value);
    }
    if (!ended) throw new LdifError(`missing "-" to end the ${block} block`, head.line);
    if (operation === 'add' && values.length === 0) throw new LdifError(`${block} needs at least one value`, head.line);
    if (operation === 'increment' && values.length !== 1) throw new LdifError(`${block} needs exactly one value`, head.line);
    changes.push({ operation, attribute, values });
  }
  return changes;
}

function isModOperation(key: string): key is LdifModification['operation'] {
  return MOD_OPERATIONS.has(key);
}

function isSeparator(logical: LogicalLine): boolean {
  return logical.text.trimEnd() === '-';
}

function parseModRdn(lines: LogicalLine[], dnLine: number): { newRdn: string; deleteOldRdn: boolean; newSuperior?: string } {
  let newRdn: string | undefined;
  let deleteOldRdn: boolean | undefined;
  let newSuperior: string | undefined;
  for (const logical of lines) {
    const field = parseField(logical);
    const duplicate = (): LdifError => new LdifError(`duplicate "${field.name}:" line`, field.line);
    if (field.key === 'newrdn') {
      if (newRdn !== undefined) throw duplicate();
      if (field.value === '') throw new LdifError('newrdn is empty', field.line);
      newRdn = field.value;
    } else if (field.key === 'deleteoldrdn') {
      if (deleteOldRdn !== undefined) throw duplicate();
      const flag = field.value.trim();
      if (flag !== '0' && flag !== '1') throw new LdifError(`deleteoldrdn must be 0 or 1, found "${flag}"`, field.line);
      deleteOldRdn = flag === '1';
    } else if (field.key === 'newsuperior') {
      if (newSuperior !== undefined) throw duplicate();
      newSuperior = field.value;
    } else {
      throw new LdifError(`unexpected "${field.name}:" in a modrdn record`, field.line);
    }
  }
  if (newRdn === undefined) throw new LdifError('modrdn record needs a "newrdn:" line', dnLine);
  if (deleteOldRdn === undefined) throw new LdifError('modrdn record needs a "deleteoldrdn:" line', dnLine);
  return newSuperior === undefined ? { newRdn, deleteOldRdn } : { newRdn, deleteOldRdn, newSuperior };
}

function checkAttributeDescription(name: string, line: number): void {
  if (!isAttributeDescription(name)) throw new LdifError(`invalid attribute description "${abbreviate(name)}"`, line);
}

function abbreviate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
