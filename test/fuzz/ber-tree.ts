/**
 * BER as a tree the fuzzer can damage before writing it: any node may get a wrong tag, a wrong type of
 * content or a corrupt length field (too short, too long, indefinite, five octets, huge, non-minimal).
 */
export type LengthMode = 'short' | 'long' | 'indefinite' | 'fiveOctets' | 'huge' | 'nonMinimal';

export interface Prim {
  tag: number;
  bytes: Buffer;
  len?: LengthMode;
}
export interface Cons {
  tag: number;
  kids: BerNode[];
  len?: LengthMode;
}
export type BerNode = Prim | Cons;

export const isCons = (n: BerNode): n is Cons => 'kids' in n;

export const prim = (tag: number, bytes: Buffer | string): Prim => ({ tag, bytes: typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes });
export const cons = (tag: number, kids: BerNode[]): Cons => ({ tag, kids });
export const str = (s: Buffer | string, tag = 0x04): Prim => prim(tag, s);
export const int = (n: number | bigint, tag = 0x02): Prim => prim(tag, integerOctets(BigInt(n)));
export const bool = (b: boolean, tag = 0x01): Prim => prim(tag, Buffer.from([b ? 0xff : 0x00]));
export const seq = (kids: BerNode[]): Cons => cons(0x30, kids);

/** Minimal two's complement octets of any integer (also beyond 32 bits, which LDAP refuses). */
export function integerOctets(n: bigint): Buffer {
  const out: number[] = [];
  let v = n;
  for (;;) {
    const byte = Number(BigInt.asUintN(8, v));
    out.unshift(byte);
    v >>= 8n;
    if ((v === 0n && (byte & 0x80) === 0) || (v === -1n && (byte & 0x80) !== 0)) break;
  }
  return Buffer.from(out);
}

function lengthField(len: number, mode: LengthMode | undefined): Buffer {
  switch (mode) {
    case 'short':
      return minimalLength(Math.max(0, len - 1 - (len % 3)));
    case 'long':
      return minimalLength(len + 1 + (len % 5));
    case 'indefinite':
      return Buffer.from([0x80]);
    case 'fiveOctets':
      return Buffer.from([0x85, 0, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]);
    case 'huge':
      return Buffer.from([0x84, 0x7f, 0xff, 0xff, 0xf0]);
    case 'nonMinimal':
      return Buffer.from([0x84, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff]);
    default:
      return minimalLength(len);
  }
}

function minimalLength(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  const octets: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) octets.unshift(v & 0xff);
  return Buffer.from([0x80 | octets.length, ...octets]);
}

/** The node's octets, with whatever damage it carries: measured once, then written into one Buffer. */
export function encodeNode(node: BerNode): Buffer {
  const sizes = new Map<BerNode, number>();
  const out = Buffer.allocUnsafe(measure(node, sizes));
  write(node, sizes, out, 0);
  return out;
}

/** The content length of every node (kept in `sizes`); returns the node's whole encoded length. */
function measure(node: BerNode, sizes: Map<BerNode, number>): number {
  let content = 0;
  if (isCons(node)) for (const k of node.kids) content += measure(k, sizes);
  else content = node.bytes.length;
  sizes.set(node, content);
  return 1 + lengthField(content, node.len).length + content + (node.len === 'indefinite' ? 2 : 0);
}

function write(node: BerNode, sizes: Map<BerNode, number>, out: Buffer, pos: number): number {
  const content = sizes.get(node)!;
  out[pos++] = node.tag & 0xff;
  pos += lengthField(content, node.len).copy(out, pos);
  if (isCons(node)) for (const k of node.kids) pos = write(k, sizes, out, pos);
  else pos += node.bytes.copy(out, pos);
  if (node.len === 'indefinite') {
    out[pos++] = 0;
    out[pos++] = 0;
  }
  return pos;
}

/** Every node of the tree, the root first. */
export function allNodes(root: BerNode): { node: BerNode; parent?: Cons }[] {
  const out: { node: BerNode; parent?: Cons }[] = [];
  const stack: { node: BerNode; parent?: Cons }[] = [{ node: root }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    out.push(item);
    if (isCons(item.node)) for (const k of item.node.kids) stack.push({ node: k, parent: item.node });
  }
  return out;
}
