import { clientKey } from './client-address';

/** What admission needs to know of a connection, and how it ends one. */
export interface AdmittedConnection {
  readonly address: string;
  /** Bound as someone: such a connection is never evicted nor counted against its address. */
  readonly bound: boolean;
  /** An operation is being processed for it (a bind waiting for its hash, a search…). */
  readonly busy: boolean;
  /** Bytes of a message not yet complete. */
  readonly partialBytes: number;
  /** When the first byte of the incomplete message arrived (ms), if one is incomplete. */
  readonly partialSince: number | undefined;
  /** When the last byte arrived or the last operation ended (ms). */
  readonly lastActivity: number;
  disconnect(resultCode: number, message: string): void;
}

export interface AdmissionLimits {
  /** Connections held by one worker process. */
  maxConnections: number;
  /** Unauthenticated connections of one client address (IPv6: one /64); 0: no cap. */
  maxUnauthenticatedPerAddress: number;
  /** Time from the first byte of a message to its last; 0: none. */
  messageTimeoutMs: number;
  /** Time an unauthenticated connection may sit idle; 0: only the general idle timeout. */
  unauthenticatedIdleMs: number;
  /** Bytes of incomplete messages all unauthenticated connections may hold together. */
  unauthenticatedBufferBytes: number;
}

export type Refusal = { reason: 'full' | 'address'; message: string };

const BUSY = 51;
const PROTOCOL_ERROR = 2;

/**
 * Which connections a worker takes and which it lets go, so that clients that never authenticate (idle,
 * trickling bytes, holding half messages) cannot crowd out the ones that do: unauthenticated connections
 * are capped per address and evicted oldest first when the worker is full, a message must arrive within a
 * deadline, and the memory their incomplete messages hold is bounded. Bound connections are left alone.
 */
export class Admission<C extends AdmittedConnection> {
  private readonly all = new Set<C>();
  /** In the order they connected (or fell back to anonymous): the oldest first. */
  private readonly unauthenticated = new Set<C>();
  private readonly perAddress = new Map<string, C[]>();
  private readonly keys = new Map<C, string>();
  private heldBytes = 0;
  private readonly held = new Map<C, number>();

  constructor(
    private readonly limits: AdmissionLimits,
    /** Told of every connection let go to protect the others (for a throttled warning). */
    private readonly letGo: (conn: C, why: string) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get size() {
    return this.all.size;
  }

  connections(): Iterable<C> {
    return this.all;
  }

  /**
   * Makes room for a new connection from this address, evicting an idle unauthenticated one if needed,
   * or says why it cannot be taken.
   */
  admit(address: string): Refusal | undefined {
    const key = clientKey(address);
    const cap = this.limits.maxUnauthenticatedPerAddress;
    const mine = this.perAddress.get(key);
    if (cap > 0 && mine && mine.length >= cap && !this.evictOldest(mine, 'too many unauthenticated connections from your address')) {
      return { reason: 'address', message: 'too many connections from your address; try again later' };
    }
    if (
      this.all.size >= this.limits.maxConnections &&
      !this.evictOldest(this.unauthenticated, 'the server is full; unauthenticated connections are closed first')
    ) {
      return { reason: 'full', message: 'too many connections; try again later' };
    }
    return undefined;
  }

  add(conn: C) {
    this.all.add(conn);
    this.keys.set(conn, clientKey(conn.address));
    if (!conn.bound) this.markUnauthenticated(conn);
  }

  remove(conn: C) {
    if (!this.all.delete(conn)) return;
    this.markAuthenticated(conn);
    this.keys.delete(conn);
  }

  /** A bind changed who the connection is. */
  identityChanged(conn: C) {
    if (!this.all.has(conn)) return;
    if (conn.bound) this.markAuthenticated(conn);
    else this.markUnauthenticated(conn);
  }

  /** The connection holds this many bytes of an incomplete message now; false if it was let go for it. */
  holding(conn: C): boolean {
    if (conn.bound || !this.all.has(conn)) return true;
    const before = this.held.get(conn) ?? 0;
    const bytes = conn.partialBytes;
    if (bytes === before) return true;
    this.heldBytes += bytes - before;
    if (bytes === 0) this.held.delete(conn);
    else this.held.set(conn, bytes);
    if (this.heldBytes <= this.limits.unauthenticatedBufferBytes || bytes === 0) return true;
    const why = 'the server holds too much unfinished data from unauthenticated clients; try again later';
    conn.disconnect(BUSY, why);
    this.letGo(conn, why);
    this.release(conn);
    return false;
  }

  /** Ends connections past their deadlines; called about once a second. */
  sweep() {
    const now = this.now();
    const { messageTimeoutMs, unauthenticatedIdleMs } = this.limits;
    for (const conn of [...this.all]) {
      if (messageTimeoutMs > 0 && conn.partialSince !== undefined && now - conn.partialSince > messageTimeoutMs) {
        conn.disconnect(PROTOCOL_ERROR, `a message must arrive whole within ${messageTimeoutMs / 1000} seconds`);
      } else if (unauthenticatedIdleMs > 0 && !conn.bound && !conn.busy && now - conn.lastActivity > unauthenticatedIdleMs) {
        conn.disconnect(BUSY, 'idle without authenticating; closed');
      }
    }
  }

  private evictOldest(candidates: Iterable<C>, why: string): boolean {
    for (const conn of candidates) {
      if (conn.busy || conn.bound) continue;
      conn.disconnect(BUSY, why);
      this.letGo(conn, why);
      this.remove(conn);
      return true;
    }
    return false;
  }

  private markUnauthenticated(conn: C) {
    if (this.unauthenticated.has(conn)) return;
    this.unauthenticated.add(conn);
    const key = this.keys.get(conn)!;
    const list = this.perAddress.get(key);
    if (list) list.push(conn);
    else this.perAddress.set(key, [conn]);
  }

  private markAuthenticated(conn: C) {
    if (!this.unauthenticated.delete(conn)) return;
    this.release(conn);
    const key = this.keys.get(conn)!;
    const list = this.perAddress.get(key);
    if (!list) return;
    const i = list.indexOf(conn);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.perAddress.delete(key);
  }

  private release(conn: C) {
    const bytes = this.held.get(conn);
    if (bytes === undefined) return;
    this.heldBytes -= bytes;
    this.held.delete(conn);
  }
}
