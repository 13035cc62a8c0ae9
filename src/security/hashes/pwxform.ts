import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Byte offsets in a context's memory: pwxform's state (S0, S1, S2, w), its 64-byte Y, the S-boxes, the block. */
const STATE_AT = 0;
const Y_AT = 64;
const S_AT = 1024;
const X_AT = 16384;
/** Three S-boxes of 4 KiB (Swidth 8, PWXsimple 2). */
export const S_WORDS = 3 * 256 * 2 * 2;

let compiled: WebAssembly.Module | undefined;

/**
 * One yescrypt context of BlockMix_pwxform: its S-boxes and the block it works on, in the memory of
 * pwxform.wasm (see pwxform.wat), which does the 64-bit multiply-add-xor rounds at native speed where
 * JavaScript took 15 times libxcrypt's time. Salsa20/2 and SMix stay in yescrypt.ts, on these views.
 */
export class PwxformContext {
  /** The S-boxes (S2, S1, S0 at the start), filled by the caller before the first transform. */
  readonly S: Uint32Array;
  /** The working block, 32r words. */
  readonly X: Uint32Array;
  private readonly blocks: (b: number, count: number, state: number, y: number) => void;

  constructor(words: number) {
    // The views read the module's little-endian 64-bit words as pairs of 32-bit words in machine order.
    if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) throw new Error('yescrypt here needs a little-endian machine');
    compiled ??= new WebAssembly.Module(readFileSync(join(__dirname, 'pwxform.wasm')));
    const memory = new WebAssembly.Memory({ initial: Math.ceil((X_AT + words * 4) / 65536) });
    const instance = new WebAssembly.Instance(compiled, { env: { memory } });
    this.blocks = instance.exports.blocks as (b: number, count: number, state: number, y: number) => void;
    this.S = new Uint32Array(memory.buffer, S_AT, S_WORDS);
    this.X = new Uint32Array(memory.buffer, X_AT, words);
    new Int32Array(memory.buffer, STATE_AT, 4).set([S_AT + 8192, S_AT + 4096, S_AT, 0]);
  }

  /** pwxform over each 64-byte sub-block of X in turn, each XORed with the result before it. */
  transform(subBlocks: number): void {
    this.blocks(X_AT, subBlocks, STATE_AT, Y_AT);
  }
}
