/**
 * The fuzzer's messages: valid LDAP requests of every operation, then (about half the time) damaged on
 * the tree (lengths, tags, types, emptied or duplicated elements, long or invalid UTF-8 values, odd
 * message IDs) and on the octets (bit flips, inserted or deleted octets, truncation, trailing garbage).
 * Message `index` of seed `seed` is always the same octets (messageSeed), whatever ran before it.
 */
import { allNodes, bool, cons, encodeNode, int, isCons, prim, seq, str, type BerNode, type LengthMode } from './ber-tree';
import { messageSeed, Rng } from './prng';

export const FUZZ_BASE = 'dc=example,dc=com';
export const FUZZ_ADMIN_DN = `uid=admin,ou=people,${FUZZ_BASE}`;
export const FUZZ_SANDBOX = `ou=fuzz,${FUZZ_BASE}`;
export const FUZZ_PEOPLE = 10;
export const fuzzPersonDn = (k: number) => `uid=fuzzp${k},ou=people,${FUZZ_BASE}`;
export const fuzzPersonPassword = (k: number) => `fuzz-pw-${k}`;
/** Entries under the sandbox are cn=f0..cn=f{SANDBOX_NAMES-1}: adds and deletes keep meeting each other. */
const SANDBOX_NAMES = 60;

export const OIDS = {
  startTLS: '1.3.6.1.4.1.1466.20037',
  whoAmI: '1.3.6.1.4.1.4203.1.11.3',
  passwordModify: '1.3.6.1.4.1.4203.1.11.1',
  pagedResults: '1.2.840.113556.1.4.319',
  passwordPolicy: '1.3.6.1.4.1.42.2.27.8.5.1',
  manageDsaIT: '2.16.840.1.113730.3.4.2',
  sort: '1.2.840.113556.1.4.473',
  cancel: '1.3.6.1.1.8',
};

export interface FuzzMessage {
  index: number;
  bytes: Buffer;
  /** The operation it was built as, and whether it was damaged afterwards: for the run's tallies. */
  op: string;
  mutated: boolean;
}

export interface GeneratorOptions {
  /** Share of messages damaged after being built (default 0.5). */
  mutationRate?: number;
}

export function generateMessage(seed: number, index: number, options: GeneratorOptions = {}): FuzzMessage {
  const rng = new Rng(messageSeed(seed, index));
  const id = rng.chance(0.9) ? (index % 2147483000) + 1 : rng.pick([0, 1, 2147483647, rng.range(1, 100)]);
  const [op, node] = request(rng);
  const message = seq([int(id), node, ...(rng.chance(0.15) ? [controls(rng, op)] : [])]);
  const mutated = rng.chance(options.mutationRate ?? 0.5);
  if (!mutated) return { index, bytes: encodeNode(message), op, mutated };
  const treeDamage = rng.chance(0.7) ? rng.range(1, 3) : 0;
  for (let i = 0; i < treeDamage; i++) mutateTree(rng, message);
  let bytes = encodeNode(message);
  if (treeDamage === 0 || rng.chance(0.3)) bytes = mutateBytes(rng, bytes);
  return { index, bytes, op, mutated };
}

// ---------------------------------------------------------------------------------------------------
// Values

const ATTRIBUTES = [
  'cn',
  'CN',
  'uid',
  'objectClass',
  'mail',
  'sn',
  'uidNumber',
  'gidNumber',
  'memberOf',
  'member',
  'description',
  'entryDN',
  'createTimestamp',
  'modifyTimestamp',
  'userPassword',
  'telephoneNumber',
  'loginShell',
  'sshPublicKey',
  '2.5.4.3',
  'cn;lang-de',
  'nonexistentAttr',
  '',
  '1.1',
  '*',
  '+',
  'pwdAccountLockedTime',
  'homeDirectory',
  'shadowLastChange',
  'entryUUID',
  'hasSubordinates',
];

function invalidUtf8(rng: Rng): Buffer {
  return Buffer.concat([
    Buffer.from(rng.pick(['a', 'cn=', 'x', ''])),
    rng.pick([
      Buffer.from([0xff]),
      Buffer.from([0xc0, 0x80]),
      Buffer.from([0x80]),
      Buffer.from([0xed, 0xa0, 0x80]),
      Buffer.from([0xf4, 0x90, 0x80, 0x80]),
      Buffer.from([0xe2, 0x82]),
      Buffer.from([0x00]),
      rng.bytes(rng.range(1, 8)),
    ]),
    Buffer.from(rng.pick(['', 'b', ',dc=x', '\u00e9\u4e2d'])),
  ]);
}

function value(rng: Rng): Buffer {
  switch (rng.int(12)) {
    case 0:
      return Buffer.alloc(0);
    case 1:
      return invalidUtf8(rng);
    case 2:
      return Buffer.from(String(rng.pick([0, -1, 1, 10000, 2147483648, 99999999999])));
    case 3:
      return Buffer.from(rng.pick(['20240101000000Z', '2024', 'TRUE', 'FALSE', '/bin/bash', '*', '\\2a', '(', 'x'.repeat(300)]));
    case 4:
      return Buffer.from(dn(rng));
    case 5:
      return rng.bytes(rng.range(1, 40));
    case 6:
      return Buffer.from(rng.pick(['admin', 'fuzzp1', 'f3', 'Fuzz', 'User 1', 'ü', '\u{1F600}']));
    default:
      return Buffer.from(`v${rng.int(50)}`);
  }
}

function dn(rng: Rng): string {
  switch (rng.int(14)) {
    case 0:
      return '';
    case 1:
      return FUZZ_BASE;
    case 2:
      return `ou=people,${FUZZ_BASE}`;
    case 3:
      return FUZZ_ADMIN_DN;
    case 4:
    case 5:
      return fuzzPersonDn(rng.int(FUZZ_PEOPLE));
    case 6:
      return FUZZ_SANDBOX;
    case 7:
      return rng.pick(['cn=x', 'dc=com', 'o=other', 'cn=subschema', 'cn=monitor', `ou=groups,${FUZZ_BASE}`, `ou=policies,${FUZZ_BASE}`]);
    case 8:
      return rng.pick(['=', ',,', 'cn', 'cn=a+', 'cn=a\\', 'cn=\\zz', 'cn="x', '1.2.3=#zz', ' , ', 'cn=a,,dc=b', 'uid=a;b']);
    default:
      return `cn=f${rng.int(SANDBOX_NAMES)},${FUZZ_SANDBOX}`;
  }
}

// ---------------------------------------------------------------------------------------------------
// Requests

function request(rng: Rng): [string, BerNode] {
  const r = rng.int(1000);
  if (r < 60) return ['bind', bind(rng)];
  if (r < 470) return ['search', search(rng)];
  if (r < 540) return ['add', add(rng)];
  if (r < 620) return ['modify', modify(rng)];
  if (r < 660) return ['delete', str(dn(rng), 0x4a)];
  if (r < 700) return ['modifyDN', modifyDN(rng)];
  if (r < 780) return ['compare', compare(rng)];
  if (r < 940) return ['extended', extended(rng)];
  if (r < 990) return ['abandon', int(rng.chance(0.5) ? rng.range(0, 5000) : rng.range(0, 2147483647), 0x50)];
  return ['unbind', prim(0x42, Buffer.alloc(0))];
}

function bind(rng: Rng): BerNode {
  const version = rng.chance(0.95) ? 3 : rng.pick([2, 1, 0, 4, 127]);
  if (rng.chance(0.15)) {
    const mech = rng.pick(['EXTERNAL', 'PLAIN', 'GSSAPI', 'DIGEST-MD5', 'SCRAM-SHA-256', '', 'x'.repeat(100)]);
    return cons(0x60, [int(version), str(rng.chance(0.7) ? '' : dn(rng)), cons(0xa3, [str(mech), ...(rng.chance(0.5) ? [str(value(rng))] : [])])]);
  }
  const k = rng.int(FUZZ_PEOPLE);
  const [name, password] = rng.pick<[string, Buffer | string]>([
    [FUZZ_ADMIN_DN, 'Admin-pass-1234'],
    [fuzzPersonDn(k), fuzzPersonPassword(k)],
    [fuzzPersonDn(k), value(rng)],
    ['', ''],
    [dn(rng), value(rng)],
    [dn(rng), ''],
  ]);
  return cons(0x60, [int(version), str(name), str(password, 0x80)]);
}

function search(rng: Rng): BerNode {
  const shape = rng.int(1000);
  const filter = shape < 15 ? deepFilter(rng) : shape < 19 ? wideFilter(rng) : randomFilter(rng, rng.range(1, 4));
  const attributes = rng.chance(0.5) ? [] : Array.from({ length: rng.range(1, 6) }, () => str(rng.chance(0.1) ? value(rng) : rng.pick(ATTRIBUTES)));
  const base = rng.chance(0.15) ? '' : dn(rng);
  return cons(0x63, [
    str(base),
    int(rng.int(4), 0x0a),
    int(rng.int(4), 0x0a),
    int(rng.pick([0, 0, 1, 3, 10, 1000])),
    int(rng.pick([0, 0, 1, 30])),
    bool(rng.chance(0.1)),
    filter,
    seq(attributes),
  ]);
}

function assertionAttr(rng: Rng): Buffer | string {
  return rng.chance(0.05) ? value(rng) : rng.pick(ATTRIBUTES);
}

function randomFilter(rng: Rng, depth: number): BerNode {
  const t = rng.int(depth > 0 ? 11 : 8);
  switch (t) {
    case 0:
      return cons(0xa3, [str(assertionAttr(rng)), str(value(rng))]);
    case 1:
      return cons(0xa5, [str(assertionAttr(rng)), str(value(rng))]);
    case 2:
      return cons(0xa6, [str(assertionAttr(rng)), str(value(rng))]);
    case 3:
      return cons(0xa8, [str(assertionAttr(rng)), str(value(rng))]);
    case 4:
      return str(assertionAttr(rng), 0x87);
    case 5: {
      const parts: BerNode[] = [];
      if (rng.chance(0.6)) parts.push(str(value(rng), 0x80));
      for (let i = rng.int(3); i > 0; i--) parts.push(str(value(rng), 0x81));
      if (rng.chance(0.6) || parts.length === 0) parts.push(str(value(rng), 0x82));
      return cons(0xa4, [str(assertionAttr(rng)), seq(parts)]);
    }
    case 6: {
      const parts: BerNode[] = [];
      if (rng.chance(0.5))
        parts.push(
          str(
            rng.pick(['caseIgnoreMatch', '2.5.13.2', 'caseExactMatch', 'integerMatch', 'octetStringMatch', 'noSuchRule', '1.2.840.113556.1.4.803', '']),
            0x81,
          ),
        );
      if (rng.chance(0.7)) parts.push(str(assertionAttr(rng), 0x82));
      parts.push(str(value(rng), 0x83));
      if (rng.chance(0.4)) parts.push(bool(rng.chance(0.5), 0x84));
      return cons(0xa9, parts);
    }
    case 7:
      return cons(0xa3, [str(rng.pick(['uid', 'cn', 'objectClass'])), str(rng.pick(['admin', 'fuzzp1', 'person', 'f1', 'inetOrgPerson']))]);
    case 8:
      return cons(0xa2, [randomFilter(rng, depth - 1)]);
    default: {
      const n = rng.chance(0.05) ? 0 : rng.range(1, 5);
      return cons(
        t === 9 ? 0xa0 : 0xa1,
        Array.from({ length: n }, () => randomFilter(rng, depth - 1)),
      );
    }
  }
}

/** Nested &, | and ! around an equality, from well within the decoder's depth limit (64) to beyond it. */
function deepFilter(rng: Rng): BerNode {
  const depth = rng.chance(0.8) ? rng.range(40, 80) : rng.range(80, 2000);
  let f: BerNode = cons(0xa3, [str('uid'), str('admin')]);
  for (let i = 0; i < depth; i++) {
    const t = rng.pick([0xa0, 0xa1, 0xa2]);
    f = t === 0xa2 ? cons(0xa2, [f]) : cons(t, rng.chance(0.3) ? [f, str('cn', 0x87)] : [f]);
  }
  return f;
}

/** An & or | of up to 12,000 elements: past 10,000 the server answers adminLimitExceeded (11). */
function wideFilter(rng: Rng): BerNode {
  const n = rng.chance(0.5) ? rng.range(9990, 12000) : rng.logRange(100, 9990);
  // The elements are written once per process; a filter of n of them is a view of the first n.
  return prim(rng.chance(0.5) ? 0xa1 : 0xa0, wideElements.bytes.subarray(0, wideElements.ends[n - 1]));
}

const WIDE_MAX = 12000;
const wideElements = (() => {
  const parts: Buffer[] = [];
  const ends: number[] = [];
  let end = 0;
  for (let i = 0; i < WIDE_MAX; i++) {
    const b = encodeNode(i % 7 === 3 ? str('mail', 0x87) : cons(0xa3, [str('uid'), str(`u${i}`)]));
    parts.push(b);
    ends.push((end += b.length));
  }
  return { bytes: Buffer.concat(parts), ends };
})();

function attribute(rng: Rng, values: number): BerNode {
  return seq([
    str(assertionAttr(rng)),
    cons(
      0x31,
      Array.from({ length: values }, () => str(value(rng))),
    ),
  ]);
}

function add(rng: Rng): BerNode {
  const name = `cn=f${rng.int(SANDBOX_NAMES)}`;
  const entry = rng.chance(0.85) ? `${name},${FUZZ_SANDBOX}` : dn(rng);
  const classes = rng.pick([['device'], ['person'], ['inetOrgPerson'], ['organizationalRole'], ['top'], ['noSuchClass'], ['device', 'person'], []]);
  const attrs: BerNode[] = [];
  if (classes.length > 0)
    attrs.push(
      seq([
        str('objectClass'),
        cons(
          0x31,
          classes.map((c) => str(c)),
        ),
      ]),
    );
  if (rng.chance(0.9)) attrs.push(seq([str('cn'), cons(0x31, [str(name.slice(3))])]));
  if (rng.chance(0.5)) attrs.push(seq([str('sn'), cons(0x31, [str(value(rng))])]));
  for (let i = rng.int(3); i > 0; i--) attrs.push(attribute(rng, rng.range(1, 3)));
  return cons(0x68, [str(entry), seq(attrs)]);
}

function modify(rng: Rng): BerNode {
  const object = rng.chance(0.6) ? `cn=f${rng.int(SANDBOX_NAMES)},${FUZZ_SANDBOX}` : rng.chance(0.5) ? fuzzPersonDn(rng.int(FUZZ_PEOPLE)) : dn(rng);
  const changes = Array.from({ length: rng.range(rng.chance(0.05) ? 0 : 1, 4) }, () =>
    seq([int(rng.chance(0.95) ? rng.int(4) : rng.pick([4, -1, 255]), 0x0a), attribute(rng, rng.int(3))]),
  );
  return cons(0x66, [str(object), seq(changes)]);
}

function modifyDN(rng: Rng): BerNode {
  const kids: BerNode[] = [
    str(rng.chance(0.8) ? `cn=f${rng.int(SANDBOX_NAMES)},${FUZZ_SANDBOX}` : dn(rng)),
    str(rng.chance(0.85) ? `cn=f${rng.int(SANDBOX_NAMES)}` : dn(rng)),
    bool(rng.chance(0.5)),
  ];
  if (rng.chance(0.3)) kids.push(str(rng.chance(0.6) ? FUZZ_SANDBOX : dn(rng), 0x80));
  return cons(0x6c, kids);
}

function compare(rng: Rng): BerNode {
  return cons(0x6e, [str(dn(rng)), seq([str(assertionAttr(rng)), str(value(rng))])]);
}

function extended(rng: Rng): BerNode {
  const r = rng.int(100);
  if (r < 35) return cons(0x77, [str(OIDS.whoAmI, 0x80)]);
  if (r < 65) {
    const fields: BerNode[] = [];
    if (rng.chance(0.9)) fields.push(str(rng.chance(0.8) ? `cn=f${rng.int(SANDBOX_NAMES)},${FUZZ_SANDBOX}` : dn(rng), 0x80));
    if (rng.chance(0.5)) fields.push(str(value(rng), 0x81));
    if (rng.chance(0.7)) fields.push(str(value(rng), 0x82));
    const body = rng.chance(0.9) ? encodeNode(seq(fields)) : value(rng);
    return cons(0x77, [str(OIDS.passwordModify, 0x80), ...(rng.chance(0.95) ? [str(body, 0x81)] : [])]);
  }
  if (r < 67) return cons(0x77, [str(OIDS.startTLS, 0x80), ...(rng.chance(0.2) ? [str(value(rng), 0x81)] : [])]);
  const name = rng.pick([OIDS.cancel, '1.3.6.1.4.1.4203.1.11.99', '1.3.6.1.4.1.1466.20036', '', 'not an oid', '1.2.3.4.5.6.7.8.9.10']);
  return cons(0x77, [str(name, 0x80), ...(rng.chance(0.5) ? [str(value(rng), 0x81)] : [])]);
}

function controls(rng: Rng, op: string): BerNode {
  const list = Array.from({ length: rng.range(rng.chance(0.05) ? 0 : 1, 3) }, () => {
    const r = rng.int(8);
    if (r === 0 || (r === 1 && op === 'search')) {
      const value = rng.chance(0.8) ? encodeNode(seq([int(rng.pick([0, 1, 2, 5, 100, -1])), str(rng.chance(0.7) ? '' : value0(rng))])) : value0(rng);
      return seq([str(OIDS.pagedResults), ...(rng.chance(0.5) ? [bool(true)] : []), str(value)]);
    }
    if (r === 2) return seq([str(OIDS.passwordPolicy), ...(rng.chance(0.3) ? [bool(rng.chance(0.5))] : [])]);
    if (r === 3) return seq([str(OIDS.manageDsaIT), bool(rng.chance(0.5))]);
    if (r === 4) return seq([str(OIDS.sort), bool(true), str(encodeNode(seq([seq([str('cn')])])))]);
    const oid = rng.pick(['1.2.3.4', '1.3.6.1.4.1.99999.1', '', 'x', '2.16.840.1.113730.3.4.18']);
    return seq([str(oid), ...(rng.chance(0.6) ? [bool(rng.chance(0.7))] : []), ...(rng.chance(0.4) ? [str(value0(rng))] : [])]);
  });
  return cons(0xa0, list);
}

function value0(rng: Rng): Buffer {
  return rng.chance(0.5) ? rng.bytes(rng.range(0, 12)) : Buffer.from('cookie');
}

// ---------------------------------------------------------------------------------------------------
// Damage

const TAGS = [0x00, 0x01, 0x02, 0x04, 0x05, 0x0a, 0x30, 0x31, 0x42, 0x4a, 0x50, 0x60, 0x63, 0x65, 0x77, 0x80, 0x87, 0xa0, 0xa3, 0xa9, 0xbf, 0x1f, 0xff];
const LENGTH_MODES: LengthMode[] = ['short', 'long', 'indefinite', 'fiveOctets', 'huge', 'nonMinimal'];

function mutateTree(rng: Rng, root: BerNode): void {
  const nodes = allNodes(root);
  const { node, parent } = rng.pick(nodes);
  switch (rng.int(11)) {
    case 0:
      node.len = rng.pick(LENGTH_MODES);
      return;
    case 1:
      node.tag = rng.chance(0.5) ? rng.pick(TAGS) : rng.int(256);
      return;
    case 2: // a value of the wrong type where it stands
      replace(
        node,
        rng.pick<BerNode>([
          str('abc', node.tag),
          int(rng.range(-5, 5), node.tag),
          prim(node.tag, Buffer.alloc(0)),
          cons(node.tag, [str('x')]),
          bool(true, node.tag),
        ]),
      );
      return;
    case 3: // empty
      if (isCons(node)) node.kids = [];
      else (node as { bytes: Buffer }).bytes = Buffer.alloc(0);
      return;
    case 4: // drop, duplicate or swap children
      if (parent && parent.kids.length > 0) {
        const i = parent.kids.indexOf(node);
        const what = rng.int(3);
        if (what === 0) parent.kids.splice(i, 1);
        else if (what === 1) parent.kids.splice(i, 0, structuredCloneNode(node));
        else {
          const j = rng.int(parent.kids.length);
          [parent.kids[i], parent.kids[j]] = [parent.kids[j], parent.kids[i]];
        }
      }
      return;
    case 5: // an extra element
      if (isCons(node)) node.kids.splice(rng.int(node.kids.length + 1), 0, prim(rng.pick(TAGS), rng.bytes(rng.int(6))));
      return;
    case 6: // a very long value
      if (!isCons(node))
        (node as { bytes: Buffer }).bytes = Buffer.alloc(rng.logRange(1000, 200000), rng.pick(['a', '\u00e9', 'x,', '*'].map((s) => s.charCodeAt(0) & 0x7f)));
      return;
    case 7: // invalid UTF-8
      if (!isCons(node)) (node as { bytes: Buffer }).bytes = invalidUtf8(rng);
      return;
    case 8: // odd integers: negative, huge, longer than LDAP allows
      if (!isCons(node))
        (node as { bytes: Buffer }).bytes = int(rng.pick<number | bigint>([-1, -2147483648, 2147483647, 2147483648, 2n ** 40n, -(2n ** 63n), 0])).bytes;
      return;
    case 9: // the messageID itself
      if (isCons(root) && root.kids.length > 0 && !isCons(root.kids[0]))
        (root.kids[0] as { bytes: Buffer }).bytes = int(rng.pick<number | bigint>([-1, -100, 2147483648, 2n ** 40n, 0, 2147483647])).bytes;
      return;
    default: // a primitive turned constructed or the other way round
      node.tag ^= 0x20;
      return;
  }
}

function replace(node: BerNode, by: BerNode): void {
  const target = node as unknown as Record<string, unknown>;
  delete target.kids;
  delete target.bytes;
  Object.assign(target, by);
}

function structuredCloneNode(node: BerNode): BerNode {
  return isCons(node) ? { tag: node.tag, kids: node.kids.map(structuredCloneNode), len: node.len } : { tag: node.tag, bytes: node.bytes, len: node.len };
}

function mutateBytes(rng: Rng, bytes: Buffer): Buffer {
  const b = Buffer.from(bytes);
  switch (rng.int(7)) {
    case 0: {
      for (let i = rng.range(1, 4); i > 0; i--) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return b;
    }
    case 1: {
      const at = rng.int(b.length + 1);
      return Buffer.concat([b.subarray(0, at), rng.bytes(rng.range(1, 4)), b.subarray(at)]);
    }
    case 2: {
      const at = rng.int(b.length);
      return Buffer.concat([b.subarray(0, at), b.subarray(at + rng.range(1, 4))]);
    }
    case 3: // truncated, the outer length left as it was
      return b.subarray(0, rng.int(b.length));
    case 4: // truncated inside, the outer length made to fit
      return refitOuter(b.subarray(0, 2 + rng.int(Math.max(1, b.length - 2))));
    case 5: // trailing garbage inside the LDAPMessage
      return refitOuter(Buffer.concat([b, rng.bytes(rng.range(1, 8))]));
    default: // trailing garbage after it
      return Buffer.concat([b, rng.bytes(rng.range(1, 8))]);
  }
}

/** The octets after the outer header, behind a fresh SEQUENCE header of their actual length. */
function refitOuter(b: Buffer): Buffer {
  if (b.length < 2) return b;
  const first = b[1];
  const headerLength = first < 0x80 ? 2 : 2 + (first & 0x7f);
  return encodeNode(prim(0x30, b.subarray(Math.min(headerLength, b.length))));
}
