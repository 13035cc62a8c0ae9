// Hostile but valid filters (under the 10,000 element limit) against a store of
// people, run as a search runs them (pages of 256). Prints, per shape, the total ms, the longest single
// store call (how long the worker's event loop is held) and whether the answer equals the JavaScript
// matcher's over every entry.
//
//   npx tsc -p . && node dist/bench/filter-cost.js [--people 5000] [--only and-of-ors] [--no-check]
// (--no-check skips the JavaScript matcher, which takes minutes on the widest shapes.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFilterString } from '../src/directory/filter/parse-string';
import { Normalization } from '../src/directory/normalize';
import { compileFilter } from '../src/directory/search/compile-filter';
import { evaluateFilter } from '../src/directory/search/evaluate';
import { checkFilterSize } from '../src/directory/search/filter-size';
import { EntryView } from '../src/directory/entry-view';
import { SchemaIndexer } from '../src/directory/entry-indexer';
import { loadSchema } from '../src/directory/schema/load';
import { SqliteStore } from '../src/store/sqlite-store';
import type { AttributeMap, ScopeQuery } from '../src/store/types';

const seq = (n: number) => Array.from({ length: n }, (_, i) => i);
const uid = (i: number) => `u${i}`;

/** Each shape: a name and a filter string under the element limit. */
export const HOSTILE_FILTERS: [string, string][] = [
  [
    'and-of-ors 2,499x3 attrs',
    `(&${seq(2499)
      .map((i) => `(|(uid=a${i})(cn=a${i})(mail=a${i}))`)
      .join('')})`,
  ],
  [
    'and-of-ors 3,333x2 attrs',
    `(&${seq(3333)
      .map((i) => `(|(uid=a${i})(cn=a${i}))`)
      .join('')})`,
  ],
  [
    'and-of-ors, first matches all',
    `(&(|(objectClass=person)(cn=x))${seq(2490)
      .map((i) => `(|(uid=${uid(i)})(cn=a${i})(mail=a${i}))`)
      .join('')})`,
  ],
  [
    'not of or 9,998 uids',
    `(!(|${seq(9998)
      .map((i) => `(uid=${uid(i * 7)})`)
      .join('')}))`,
  ],
  [
    'not of or 3 attrs x 3,300',
    `(!(|${seq(3300)
      .map((i) => `(uid=a${i})(cn=User ${i})(mail=x${i})`)
      .join('')}))`,
  ],
  [
    'or of 3,333 ands (cn=*)(uid=)',
    `(|${seq(3333)
      .map((i) => `(&(cn=*)(uid=${uid(i * 3)}))`)
      .join('')})`,
  ],
  [
    'and of 2,499 ors (sn=*)(!uid)',
    `(&${seq(2499)
      .map((i) => `(|(sn=*)(!(uid=${uid(i)})))`)
      .join('')})`,
  ],
  ['nested and/or alternation', nested(9000, false)],
  ['nested, 1,000 substrings', nested(3500, true)],
  [
    'or of 1,000 ands (cn=*)(sn=*x*)',
    `(|${seq(1000)
      .map((i) => `(&(cn=*)(sn=*${i}x*))`)
      .join('')})`,
  ],
  [
    'and of 1,000 substrings *a*b*c*',
    `(&${seq(1000)
      .map((i) => `(cn=*u*${i % 10}*r*)`)
      .join('')})`,
  ],
  [
    'and of 1,000 distinct substrings',
    `(&(objectClass=person)${seq(1000)
      .map((i) => `(cn=*${i}*)`)
      .join('')})`,
  ],
  [
    'or of 1,000 substrings',
    `(|${seq(1000)
      .map((i) => `(cn=*x${i}y*)`)
      .join('')})`,
  ],
  [
    'or of 1,000 substrings on 2 attrs',
    `(|${seq(500)
      .map((i) => `(cn=*x${i}y*)(mail=*z${i}*)`)
      .join('')})`,
  ],
  [
    'or of 9,999 substrings (refused)',
    `(|${seq(9999)
      .map((i) => `(cn=*x${i}y*)`)
      .join('')})`,
  ],
  [
    'absent presence and big or',
    `(&(description=*)(|${seq(9997)
      .map((i) => `(uid=${uid(i)})`)
      .join('')}))`,
  ],
  [
    'absent presence or big or',
    `(|(description=*)${seq(9998)
      .map((i) => `(uid=x${i})`)
      .join('')})`,
  ],
  [
    'presence and big or 3 attrs',
    `(&(telephoneNumber=*)(|${seq(3300)
      .map((i) => `(uid=${uid(i)})(cn=a${i})(mail=b${i})`)
      .join('')}))`,
  ],
  [
    'and of 1,000 ranges',
    `(&${seq(1000)
      .map((i) => `(uidNumber>=${i})`)
      .join('')})`,
  ],
  [
    'or of 500 ands of 2 ranges',
    `(|${seq(500)
      .map((i) => `(&(uidNumber>=${20000 + i})(uidNumber<=${19999 + i}))`)
      .join('')})`,
  ],
  [
    'sssd group sync (realistic)',
    `(&(objectClass=posixAccount)(|${seq(500)
      .map((i) => `(uid=${uid(i * 9)})`)
      .join('')}))`,
  ],
];

/** Alternating AND/OR levels, each node with a few leaves and one deeper child, about `n` elements. */
function nested(n: number, substrings: boolean): string {
  let f = '(uid=u1)';
  let elements = 1;
  let level = 0;
  while (elements < n - 8) {
    const op = level % 2 ? '&' : '|';
    const leaves =
      level % 2 ? `(cn=*)(sn=${substrings ? `*${level}*` : level})` : `(uid=v${level})(cn=w${level})(mail=${substrings ? `*${level}*` : `m${level}`})`;
    f = `(${op}${leaves}${f})`;
    elements += level % 2 ? 3 : 4;
    level++;
  }
  return f;
}

async function main() {
  const args = process.argv.slice(2);
  const people = Number(args[args.indexOf('--people') + 1] ?? 5000) || 5000;
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const schema = loadSchema(join(__dirname, '..', '..', 'schema'));
  const norm = new Normalization(schema);
  const dir = mkdtempSync(join(tmpdir(), 'cairn-filter-bench-'));
  const store = new SqliteStore(join(dir, 'db.sqlite'));
  try {
    await store.useIndexer(new SchemaIndexer(norm));
    const entries: { dn: string; attributes: AttributeMap }[] = [];
    const insert = (dn: string, parentId: number | null, attributes: AttributeMap) =>
      store.write((tx) => {
        const n = norm.normalizeDN(dn);
        entries.push({ dn, attributes });
        return tx.insertEntry({ parentId, dn, ndn: n.ndn, path: n.path, attributes });
      });
    const base = await insert('dc=example,dc=com', null, { objectClass: ['dcObject', 'organization'], dc: ['example'], o: ['example'] });
    const ou = await insert('ou=people,dc=example,dc=com', base, { objectClass: ['organizationalUnit'], ou: ['people'] });
    await store.write((tx) => {
      for (let i = 0; i < people; i++) {
        const dn = `uid=${uid(i)},ou=people,dc=example,dc=com`;
        const n = norm.normalizeDN(dn);
        const attributes: AttributeMap = {
          objectClass: ['inetOrgPerson', 'posixAccount'],
          uid: [uid(i)],
          cn: [`User ${i}`],
          sn: [String(i)],
          mail: [`${uid(i)}@example.com`],
          uidNumber: [String(20000 + i)],
          gidNumber: ['100'],
          homeDirectory: [`/home/${uid(i)}`],
        };
        if (i % 10 === 0) attributes.telephoneNumber = [`+1 555 ${i}`];
        entries.push({ dn, attributes });
        tx.insertEntry({ parentId: ou, dn, ndn: n.ndn, path: n.path, attributes });
      }
    });
    const scope: ScopeQuery = { kind: 'sub', id: base, path: norm.normalizeDN('dc=example,dc=com').path };
    const views = entries.map((e) => new EntryView(e.dn, e.attributes, norm));
    let failed = false;
    console.log(`${'shape'.padEnd(36)} ${'elements'.padStart(8)} ${'total ms'.padStart(9)} ${'max call'.padStart(9)} ${'matches'.padStart(8)}  same as JS`);
    for (const [name, text] of HOSTILE_FILTERS) {
      if (only && !name.includes(only)) continue;
      const filter = parseFilterString(text);
      const started = Date.now();
      let answer: string[] = [];
      let longest = 0;
      let refused = '';
      try {
        checkFilterSize(filter);
        const compiled = compileFilter(filter, norm);
        let afterId = 0;
        for (;;) {
          const t = Date.now();
          const rows = await store.searchPage({ scope, filter: compiled.t, afterId, limit: 256 });
          longest = Math.max(longest, Date.now() - t);
          answer.push(...rows.map((r) => r.dn));
          if (rows.length < 256) break;
          afterId = rows[rows.length - 1].id;
        }
      } catch (err) {
        refused = (err as Error).message;
        answer = [];
      }
      const total = Date.now() - started;
      if (args.includes('--no-check')) {
        console.log(`${name.padEnd(36)} ${String(total).padStart(9)} ${String(longest).padStart(9)} ${String(answer.length).padStart(8)}  ${refused}`);
        continue;
      }
      const expected = views.filter((v) => evaluateFilter(filter, v, norm) === true).map((v) => v.dn);
      const same = !refused && JSON.stringify(answer) === JSON.stringify(expected);
      if (!same && !refused) failed = true;
      const elements = (text.match(/\(/g) ?? []).length;
      console.log(
        `${name.padEnd(36)} ${String(elements).padStart(8)} ${String(total).padStart(9)} ${String(longest).padStart(9)} ${String(answer.length).padStart(8)}  ${refused ? `refused: ${refused}` : same ? 'yes' : `NO (JS: ${expected.length})`}`,
      );
    }
    if (failed) process.exitCode = 1;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
