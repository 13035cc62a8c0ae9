/**
 * What the server must do with a batch of octets on one connection, worked out the way the connection
 * reads them (frameLength, the anonymous size limit, decodeRequest): which messageIDs must be answered,
 * and whether the server must close the connection. The fuzz client checks the server against this:
 * a response owed and never sent, or a close owed and never done, within the deadline is a hang.
 */
import { frameLength } from '../../src/wire/protocol/frame';
import { decodeRequest, INTERNAL_ERROR_PREFIX } from '../../src/wire/protocol/decode';
import { OIDS } from './generator';

/** The server's limit for a message before a bind (config server.maxAnonymousMessageBytes). */
export const ANONYMOUS_LIMIT = 262144;
/** The limit after a bind (server.maxMessageBytes). */
export const BOUND_LIMIT = 8388608;

/**
 * - 'disconnect': a message the server cannot read: a Notice of Disconnection, then close;
 * - 'unbind': an Unbind: close;
 * - 'startTLS': the rest would be TLS: the client stops at the answer;
 * - 'halfClose': the last message is incomplete: the client half-closes and the server must close.
 */
export type Terminal = 'disconnect' | 'unbind' | 'startTLS' | 'halfClose';

export class BatchModel {
  private pending: Buffer = Buffer.alloc(0);
  /** Offset in the whole batch of `pending`'s first octet, and where each message started. */
  private consumed = 0;
  private readonly starts: { offset: number; index: number }[] = [];
  private total = 0;
  /** messageID -> how many answers are owed. */
  readonly owed = new Map<number, number>();
  /** messageID -> indices of the messages whose frames carried it (for reports). */
  readonly ids = new Map<number, number[]>();
  terminal?: Terminal;
  /** Bind requests read: a bound connection would lose its identity to them. */
  binds = 0;
  /** Frames the decoder failed on with an unexpected exception (a decoder bug, not bad input). */
  readonly decoderBugs: { index: number; error: string }[] = [];
  /** The message that made the batch terminal. */
  terminalIndex?: number;
  startTLSId?: number;

  /** Adds one message's octets; returns whether the batch can take another. */
  add(index: number, bytes: Buffer): boolean {
    this.starts.push({ offset: this.total, index });
    this.total += bytes.length;
    this.pending = this.pending.length === 0 ? bytes : Buffer.concat([this.pending, bytes]);
    while (this.terminal === undefined) {
      const f = frameLength(this.pending, 0);
      if (f === 'incomplete') break;
      if ('error' in f) {
        this.end('disconnect', index);
        break;
      }
      const need = f.headerLength + f.bodyLength;
      if (need > ANONYMOUS_LIMIT) {
        // Past the anonymous limit the server refuses at once; below the bound limit a bound connection
        // waits for the rest: either way a half-close must end it.
        this.end(need > BOUND_LIMIT ? 'disconnect' : 'halfClose', index);
        break;
      }
      if (this.pending.length < need) break;
      const frame = this.pending.subarray(0, need);
      const frameIndex = this.indexAt(this.consumed);
      this.pending = this.pending.subarray(need);
      this.consumed += need;
      let req;
      try {
        req = decodeRequest(frame);
      } catch (err) {
        const text = (err as Error).message;
        if (text.startsWith(INTERNAL_ERROR_PREFIX)) this.decoderBugs.push({ index: frameIndex, error: text });
        this.end('disconnect', frameIndex);
        break;
      }
      const id = req.messageId;
      const p = req.protocolOp;
      this.ids.set(id, [...(this.ids.get(id) ?? []), frameIndex]);
      if (p.op === 'bind') this.binds++;
      if (p.op === 'unbind') this.end('unbind', frameIndex);
      else if (p.op === 'abandon')
        this.owed.delete(p.messageId); // an operation in flight may go unanswered
      else {
        this.owed.set(id, (this.owed.get(id) ?? 0) + 1);
        if (p.op === 'extended' && p.name === OIDS.startTLS) {
          this.startTLSId = id;
          this.end('startTLS', frameIndex);
        }
      }
    }
    return this.terminal === undefined && this.pending.length === 0;
  }

  /** Called when no more messages will be added: leftover octets are an incomplete message. */
  finish(): void {
    if (this.terminal === undefined && this.pending.length > 0) this.end('halfClose', this.starts[this.starts.length - 1].index);
  }

  private end(terminal: Terminal, index: number) {
    this.terminal = terminal;
    this.terminalIndex = index;
  }

  private indexAt(offset: number): number {
    let found = this.starts[0].index;
    for (const s of this.starts) if (s.offset <= offset) found = s.index;
    return found;
  }
}
