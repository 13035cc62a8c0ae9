import { expect } from 'chai';
import { asAdmin, ldapTool } from './server';

/** What OpenLDAP's tools leave behind: their exit status (the result code) and what they printed. */
export type ToolResult = { status: number | null; stdout: string; stderr: string };
export type Attrs = Record<string, string[]>;

/** The diagnosticMessage as the OpenLDAP tools print it ("additional info:" / "Additional info:"). */
export const diagnostic = (r: ToolResult) => /additional info: (.*)/i.exec(r.stderr + r.stdout)?.[1] ?? '';

/** The result code (the tool's exit status) and words the diagnosticMessage must contain. */
export function expectResult(r: ToolResult, code: number, ...words: string[]) {
  expect(r.status, `result code; stderr: ${r.stderr}`).to.equal(code);
  for (const w of words) expect(diagnostic(r), `diagnosticMessage should name ${w}`).to.include(w);
}

/** Parses ldapsearch -LLL -o ldif-wrap=no output into entries keyed by lower-case DN, attributes by lower-case name. */
export function parseLdif(text: string): Map<string, Attrs> {
  const out = new Map<string, Attrs>();
  for (const block of text.split(/\n\s*\n/)) {
    let dn: string | undefined;
    const attrs: Attrs = {};
    for (const line of block.split('\n')) {
      const m = /^([^:#\s]+):(:?) ?(.*)$/.exec(line);
      if (!m) continue;
      const value = m[2] ? Buffer.from(m[3], 'base64').toString('utf8') : m[3];
      if (m[1].toLowerCase() === 'dn') dn = value;
      else (attrs[m[1].toLowerCase()] ??= []).push(value);
    }
    if (dn !== undefined) out.set(dn.toLowerCase(), attrs);
  }
  return out;
}

export interface Entry {
  dn: string;
  attrs: Record<string, string[]>;
}

/** Parses ldapsearch -LLL output (or `cairn export`) into entries in order, unfolding lines and decoding `::` base64 values. */
export function parseEntries(text: string): Entry[] {
  const out: Entry[] = [];
  for (const block of text.replace(/\r?\n /g, '').split(/\n\s*\n/)) {
    const lines = block.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    if (lines.length === 0 || !/^dn::? /i.test(lines[0])) continue;
    const entry: Entry = { dn: '', attrs: {} };
    for (const [i, line] of lines.entries()) {
      const m = /^([^:]+)(::?) ?(.*)$/.exec(line);
      if (!m) continue;
      const value = m[2] === '::' ? Buffer.from(m[3], 'base64').toString('utf8') : m[3];
      if (i === 0) entry.dn = value;
      else (entry.attrs[m[1].toLowerCase()] ??= []).push(value);
    }
    out.push(entry);
  }
  return out;
}

/** One entry as the administrator reads it with ldapsearch (user and operational attributes unless named); undefined when it does not exist. */
export function readAsAdmin(url: string, dn: string, ...attrs: string[]): Attrs | undefined {
  const r = ldapTool('ldapsearch', [
    ...asAdmin(url),
    '-LLL',
    '-o',
    'ldif-wrap=no',
    '-b',
    dn,
    '-s',
    'base',
    '(objectClass=*)',
    ...(attrs.length ? attrs : ['*', '+']),
  ]);
  if (r.status === 32) return undefined;
  expect(r.status, r.stderr).to.equal(0);
  const entries = parseLdif(r.stdout);
  return entries.get(dn.toLowerCase()) ?? [...entries.values()][0];
}
