import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { frameLength } from './protocol/frame';
import { decodeRequest, ProtocolError } from './protocol/decode';
import { encodeNoticeOfDisconnection, encodeResponse } from './protocol/encode';
import type { LdapRequest, LdapResponse } from './protocol/types';
import { ResultCode } from '../ldap/result-codes';
import { ANONYMOUS, type Identity } from '../directory/identity';
import type { BindOrigin, SessionRestriction } from '../directory/accounts/accounts';
import { isLoopback } from './transport-security';
import { countTlsHandshake } from '../metrics/counts';

/** What the connection needs from the server around it. */
export interface ConnectionHost {
  maxMessageBytes: number;
  maxAnonymousMessageBytes: number;
  idleTimeoutMs: number;
  secureContext?: SecureContext;
  handle(conn: Connection, req: LdapRequest): Promise<void>;
  log(event: string, fields: Record<string, unknown>): void;
  logError(event: string, fields: Record<string, unknown>): void;
  closed(conn: Connection): void;
  /** The connection bound as someone, or fell back to anonymous. */
  identityChanged(conn: Connection): void;
  /** The bytes of an incomplete message it holds changed; false if the connection was let go for it. */
  holding(conn: Connection): boolean;
}

/** An operation in flight, so Abandon and Unbind can stop it. */
export interface Operation {
  messageId: number;
  abandoned: boolean;
}

const MAX_IN_FLIGHT = 64;
let nextConnectionId = 1;

/**
 * One client connection: frames LDAP messages with an iterative reader (never recursion), bounds their
 * size, dispatches each to the host, writes responses with backpressure, and holds the session state.
 */
export class Connection {
  readonly id = nextConnectionId++;
  readonly peer: string;
  /** The client's address without the port: one client, whichever connection it opens. */
  readonly address: string;
  readonly loopback: boolean;
  private who: Identity = ANONYMOUS;
  /** Everyone who has authenticated on this connection, in order (for the MFA code's grace: see BindOrigin). */
  private readonly authenticatedNdns: string[] = [];
  /** What the accounts engine allows this session after its bind (a password change only, or anything): carried, not read. */
  restriction?: SessionRestriction;
  secure: boolean;
  readonly operations = new Map<number, Operation>();
  private socket: Socket;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need: number | undefined;
  private ended = false;
  private readingPaused = false;
  private drainWaiters: (() => void)[] = [];
  private corked = false;
  private messageStarted: number | undefined;
  lastActivity = Date.now();

  constructor(
    socket: Socket,
    secure: boolean,
    private readonly host: ConnectionHost,
  ) {
    this.socket = socket;
    this.secure = secure;
    const addr = socket.remoteAddress ?? '';
    this.address = addr;
    this.peer = `${addr}:${socket.remotePort ?? 0}`;
    this.loopback = isLoopback(addr);
    this.attach(socket);
  }

  get identity(): Identity {
    return this.who;
  }

  set identity(identity: Identity) {
    const changed = (identity.kind === 'anonymous') !== (this.who.kind === 'anonymous');
    this.who = identity;
    if (changed) this.host.identityChanged(this);
  }

  get bound(): boolean {
    return this.who.kind !== 'anonymous';
  }

  get busy(): boolean {
    return this.operations.size > 0;
  }

  /** When the first byte of the message being read arrived (ms), while it is incomplete (not while reading is paused). */
  get partialSince(): number | undefined {
    return this.readingPaused ? undefined : this.messageStarted;
  }

  /** Bytes of the message being read: its announced size once its header is in, so memory is claimed before it is used. */
  get partialBytes(): number {
    return Math.max(this.buffered, this.need ?? 0);
  }

  get origin(): BindOrigin {
    return { address: this.address, earlierIdentities: this.authenticatedNdns };
  }

  authenticated(ndn: string) {
    if (!this.authenticatedNdns.includes(ndn)) this.authenticatedNdns.push(ndn);
  }

  private attach(socket: Socket) {
    socket.setNoDelay(true);
    if (this.host.idleTimeoutMs > 0) socket.setTimeout(this.host.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('timeout', () => {
      this.host.log('idle timeout', { conn: this.id, peer: this.peer });
      this.close();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') this.host.log('socket error', { conn: this.id, error: err.message });
    });
    socket.on('close', () => this.onClosed());
  }

  get isClosed() {
    return this.ended;
  }

  private onData(chunk: Buffer) {
    if (this.ended) return;
    this.lastActivity = Date.now();
    this.messageStarted ??= this.lastActivity;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    this.drainMessages();
    if (this.ended) return;
    if (this.buffered === 0) this.messageStarted = undefined;
    this.host.holding(this);
  }

  private drainMessages() {
    while (!this.ended && !this.readingPaused) {
      if (this.need === undefined) {
        if (this.buffered === 0) return;
        this.coalesceHead(Math.min(this.buffered, 6));
        const f = frameLength(this.chunks[0], 0);
        if (f === 'incomplete') return;
        if ('error' in f) return this.disconnect(ResultCode.protocolError, f.error);
        this.need = f.headerLength + f.bodyLength;
        const limit = this.identity.kind === 'anonymous' ? this.host.maxAnonymousMessageBytes : this.host.maxMessageBytes;
        if (this.need > limit) {
          return this.disconnect(ResultCode.protocolError, `message of ${this.need} bytes exceeds the limit of ${limit} bytes`);
        }
      }
      if (this.buffered < this.need) return;
      const message = this.take(this.need);
      this.need = undefined;
      // The deadline of the next message starts with its first byte, which may already be here.
      this.messageStarted = this.buffered > 0 ? Date.now() : undefined;
      this.dispatch(message);
      if (this.operations.size >= MAX_IN_FLIGHT || this.socket.writableNeedDrain) this.pauseReading();
    }
  }

  /** Makes the first chunk hold at least n bytes (n is small: a message header). */
  private coalesceHead(n: number) {
    if (this.chunks[0].length >= n) return;
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
  }

  /** Removes exactly n bytes from the front of the buffered data: one copy per message at most. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const parts: Buffer[] = [];
      let left = n;
      while (left > 0) {
        const c = this.chunks[0];
        if (c.length <= left) {
          parts.push(c);
          left -= c.length;
          this.chunks.shift();
        } else {
          parts.push(c.subarray(0, left));
          this.chunks[0] = c.subarray(left);
          left = 0;
        }
      }
      out = Buffer.concat(parts, n);
    }
    this.buffered -= n;
    return out;
  }

  private dispatch(message: Buffer) {
    let req: LdapRequest;
    try {
      req = decodeRequest(message);
    } catch (err) {
      const why = err instanceof ProtocolError ? err.message : 'undecodable message';
      return this.disconnect(ResultCode.protocolError, `malformed request: ${why}`);
    }
    const op: Operation = { messageId: req.messageId, abandoned: false };
    const track = req.protocolOp.op !== 'abandon' && req.protocolOp.op !== 'unbind';
    if (track) this.operations.set(req.messageId, op);
    this.host
      .handle(this, req)
      .catch((err: unknown) =>
        this.host.logError('handler failure', {
          conn: this.id,
          msgid: req.messageId,
          op: req.protocolOp.op,
          error: err instanceof Error ? err.stack : String(err),
        }),
      )
      .finally(() => {
        if (track && this.operations.get(req.messageId) === op) this.operations.delete(req.messageId);
        this.lastActivity = Date.now();
        if (this.readingPaused && this.operations.size < MAX_IN_FLIGHT / 2 && !this.socket.writableNeedDrain) this.resumeReading();
      });
  }

  operation(messageId: number): Operation | undefined {
    return this.operations.get(messageId);
  }

  /** Writes a response; resolves when the socket can take more (backpressure for long searches). */
  send(response: LdapResponse): Promise<void> | void {
    if (this.ended) return;
    // Responses written in the same tick (an entry and its SearchResultDone) leave in one segment.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    const ok = this.socket.write(encodeResponse(response));
    if (!ok) return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private onDrain() {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
    if (this.readingPaused && this.operations.size < MAX_IN_FLIGHT / 2) this.resumeReading();
  }

  private pauseReading() {
    this.readingPaused = true;
    this.socket.pause();
  }

  private resumeReading() {
    this.readingPaused = false;
    // Time spent paused is the server's, not the client's: the message deadline starts again.
    if (this.buffered > 0) this.messageStarted = Date.now();
    this.socket.resume();
    this.drainMessages();
  }

  /** StartTLS (RFC 4511 4.14): after the success response, the same socket continues inside TLS. */
  startTLS(context: SecureContext) {
    const raw = this.socket;
    // The StartTLS response must leave in clear before TLS takes over the socket: flush what is corked.
    while (raw.writableCorked > 0) raw.uncork();
    this.corked = false;
    raw.removeAllListeners('data');
    raw.removeAllListeners('drain');
    raw.removeAllListeners('timeout');
    raw.removeAllListeners('close');
    raw.removeAllListeners('error');
    raw.on('error', () => undefined);
    this.chunks = [];
    this.buffered = 0;
    this.need = undefined;
    this.messageStarted = undefined;
    this.host.holding(this);
    const secured = new TLSSocket(raw, { isServer: true, secureContext: context });
    let handshaken = false;
    secured.once('secure', () => {
      handshaken = true;
      countTlsHandshake('starttls', true);
    });
    secured.once('close', () => {
      if (!handshaken) countTlsHandshake('starttls', false);
    });
    this.socket = secured;
    this.secure = true;
    this.attach(secured);
  }

  /** Notice of Disconnection (RFC 4511 4.4.1), then close: for what cannot be answered in turn. */
  disconnect(resultCode: number, message: string) {
    if (this.ended) return;
    this.host.log('disconnect', { conn: this.id, peer: this.peer, resultCode, message });
    this.socket.write(encodeNoticeOfDisconnection(resultCode, message));
    this.close();
  }

  close() {
    if (this.ended) return;
    this.ended = true;
    for (const op of this.operations.values()) op.abandoned = true;
    for (const w of this.drainWaiters) w();
    this.drainWaiters = [];
    this.chunks = [];
    this.buffered = 0;
    this.socket.end();
    this.socket.destroySoon?.();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private onClosed() {
    this.ended = true;
    for (const op of this.operations.values()) op.abandoned = true;
    for (const w of this.drainWaiters) w();
    this.drainWaiters = [];
    this.host.closed(this);
  }
}
