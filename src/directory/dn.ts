import { isUtf8 } from 'node:buffer';
import { isRawBytes, printableValue } from '../bytes';
import { ldapError } from './errors';

/** One attribute-value assertion of an RDN, as written (type unresolved, value unescaped). */
export interface Ava {
  type: string;
  value: string;
}
export type Rdn = Ava[];

const SPECIAL = new Set([',', '+', '"', '\\', '<', '>', ';', '=', ' ', '#']);
const HEX = /^[0-9a-fA-F]{2}$/;

/** A value with no escape and no surrogate (the common case), which parseDN takes as it is. */
const PLAIN_VALUE = /^[^\\\uD800-\uDFFF]*$/;

/** Where an unquoted value starting at `i` ends: at its RDN's separator or the end. */
function valueEnd(dn: string, i: number): number {
  while (i < dn.length && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') i++;
  return i;
}

/** Parses an RFC 4514 DN string (also the RFC 2253 leniencies OpenLDAP accepts: `;`, quotes, spaces). */
export function parseDN(dn: string): Rdn[] {
  const rdns: Rdn[] = [];
  if (isRawBytes(dn)) throw ldapError.invalidDN(printableValue(dn), 'a DN must be UTF-8');
  if (dn.trim() === '') return rdns;
  let i = 0;
  const n = dn.length;
  let rdn: Rdn = [];
  const fail = (why: string): never => {
    throw ldapError.invalidDN(dn, why);
  };
  while (i < n) {
    while (i < n && dn[i] === ' ') i++;
    const typeStart = i;
    while (i < n && dn[i] !== '=' && dn[i] !== ',' && dn[i] !== '+') i++;
    const type = dn.slice(typeStart, i).trim();
    if (i >= n || dn[i] !== '=') fail(`expected "=" after "${type}"`);
    if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)*)$/.test(type)) fail(`bad attribute type "${type}"`);
    i++;
    while (i < n && dn[i] === ' ') i++;
    const bytes: number[] = [];
    let value: string;
    let plain: string;
    if (dn[i] === '#') {
      i++;
      const start = i;
      while (i < n && /[0-9a-fA-F]/.test(dn[i])) i++;
      const hex = dn.slice(start, i);
      if (hex.length === 0 || hex.length % 2 !== 0) fail('bad hex value');
      value = '#' + hex.toLowerCase();
    } else if (dn[i] === '"') {
      i++;
      let s = '';
      while (i < n && dn[i] !== '"') {
        if (dn[i] === '\\' && i + 1 < n) i++;
        s += dn[i++];
      }
      if (i >= n) fail('unterminated quoted value');
      i++;
      value = s;
    } else if (PLAIN_VALUE.test((plain = dn.slice(i, valueEnd(dn, i))))) {
      // Nothing escaped, no surrogate: the value is the text itself (what the byte loop below gives back).
      const forbidden = /[="<>]/.exec(plain);
      if (forbidden) fail(`unescaped "${forbidden[0]}" in value`);
      value = plain.replace(/ +$/, '');
      i += plain.length;
    } else {
      let lastSignificant = 0;
      while (i < n && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') {
        const c = dn[i];
        if (c === '\\') {
          const next = dn.slice(i + 1, i + 3);
          if (HEX.test(next)) {
            bytes.push(parseInt(next, 16));
            i += 3;
          } else if (i + 1 < n && SPECIAL.has(dn[i + 1])) {
            bytes.push(dn.charCodeAt(i + 1));
            i += 2;
          } else {
            fail('bad escape sequence');
          }
          lastSignificant = bytes.length;
          continue;
        }
        if (c === '=' || c === '"' || c === '<' || c === '>') fail(`unescaped "${c}" in value`);
        // By code point: a character outside the BMP is two UTF-16 units, encoded together.
        const ch = String.fromCodePoint(dn.codePointAt(i)!);
        for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
        if (c !== ' ') lastSignificant = bytes.length;
        i += ch.length;
      }
      const raw = Buffer.from(bytes.slice(0, lastSignificant));
      if (!isUtf8(raw)) fail('an escaped value must be UTF-8');
      value = raw.toString('utf8');
    }
    while (i < n && dn[i] === ' ') i++;
    rdn.push({ type, value });
    if (i < n) {
      const sep = dn[i];
      if (sep !== ',' && sep !== ';' && sep !== '+') fail(`unexpected "${sep}"`);
      i++;
      if (sep !== '+') {
        rdns.push(rdn);
        rdn = [];
      }
      if (i >= n) fail('trailing separator');
    }
  }
  rdns.push(rdn);
  return rdns;
}

/** Escapes an attribute value for use in a DN string (RFC 4514 section 2.4). */
export function escapeDNValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === ',' || c === '+' || c === '"' || c === '\\' || c === '<' || c === '>' || c === ';' || c === '=') {
      out += '\\' + c;
    } else if (c === '\0') {
      out += '\\00';
    } else if ((c === ' ' && (i === 0 || i === value.length - 1)) || (c === '#' && i === 0)) {
      out += '\\' + c;
    } else {
      out += c;
    }
  }
  return out;
}

export function formatRdn(rdn: Rdn): string {
  return rdn.map((a) => `${a.type}=${a.value.startsWith('#') && /^#[0-9a-f]+$/.test(a.value) ? a.value : escapeDNValue(a.value)}`).join('+');
}

export function formatDN(rdns: Rdn[]): string {
  return rdns.map(formatRdn).join(',');
}
