import type { Worker } from 'node:cluster';
import type { Socket } from 'node:net';

/**
 * Connection balancing `kernel`: every worker accepts on the shared socket, with no hand-off through the
 * primary (which costs a connection more CPU than a cached bind). A burst of connections may then land
 * mostly in one worker (libuv accepts all that are waiting): a worker holding more than slack() connections
 * above the least busy other worker passes each new one (before reading a byte of it) through the primary
 * to that worker. Workers tell the primary how many connections they hold every REPORT_MS when it changed;
 * the primary tells each worker the lowest count among the others.
 */
const REPORT_MS = 250;
const SLACK = 8;
/**
 * Under 4 x SLACK connections, a quarter of them (at least 2): an application's pool of 8 opened at once
 * (ldclt's 8 threads) all landing in one worker left the other idle, and the searches at half speed.
 */
const slack = (held: number) => Math.min(SLACK, Math.max(2, held >> 2));

/** A worker's count (worker → primary). */
interface ConnectionCount {
  type: 'cairn:connections';
  count: number;
}
/** The fewest connections any other worker holds (primary → worker); null: there is no other worker. */
interface OthersLowest {
  type: 'cairn:others-lowest';
  count: number | null;
}
/** A connection passed on, sent with its socket (worker → primary → worker). */
interface Handoff {
  type: 'cairn:handoff';
}
type BalanceMessage = ConnectionCount | OthersLowest | Handoff;

type Channel = { send?: (m: BalanceMessage, handle: Socket | undefined, options: object, sent: (err: Error | null) => void) => unknown };
const send = (to: Channel, m: BalanceMessage, socket?: Socket, sent: (err: Error | null) => void = () => undefined) => {
  try {
    to.send?.(m, socket, {}, sent);
    return true;
  } catch {
    return false;
  }
};

/** In a worker: reports its count, and decides for each new plain connection whether another worker takes it. */
export class WorkerBalance {
  /** Unknown until the primary says: nothing is passed on. */
  private othersLowest = Infinity;
  private passedOn = 0;
  private reported = -1;

  constructor(
    private readonly connections: () => number,
    adopt: (socket: Socket) => void,
  ) {
    setInterval(() => this.report(), REPORT_MS).unref();
    process.on('message', (m: BalanceMessage, socket?: Socket) => {
      if (m?.type === 'cairn:others-lowest') {
        this.othersLowest = m.count ?? Infinity;
        this.passedOn = 0;
      } else if (m?.type === 'cairn:handoff' && socket) {
        adopt(socket);
      }
    });
  }

  private report() {
    const count = this.connections();
    if (count !== this.reported && send(process, { type: 'cairn:connections', count })) this.reported = count;
  }

  /** Whether `socket` (accepted, nothing read yet) was passed on to a less busy worker. */
  passOn(socket: Socket): boolean {
    const held = this.connections();
    if (!process.send || held <= this.othersLowest + this.passedOn + slack(held)) return false;
    if (!send(process, { type: 'cairn:handoff' }, socket)) return false;
    this.passedOn++;
    return true;
  }
}

/** In the primary: keeps the workers' counts, tells each the lowest of the others, forwards passed-on connections. */
export class PrimaryBalance {
  private readonly counts = new Map<number, { worker: Worker; count: number; told?: number | null }>();

  /** A worker serving: its messages are listened to. */
  add(worker: Worker) {
    this.counts.set(worker.id, { worker, count: 0 });
    worker.on('message', (m: BalanceMessage, socket?: Socket) => {
      if (m?.type === 'cairn:connections') {
        const known = this.counts.get(worker.id);
        if (known) known.count = m.count;
        this.tell();
      } else if (m?.type === 'cairn:handoff' && socket) {
        this.forward(worker.id, socket);
      }
    });
    this.tell();
  }

  remove(worker: Worker) {
    this.counts.delete(worker.id);
    this.tell();
  }

  private forward(from: number, socket: Socket) {
    // The socket Node made of the received handle started reading; the bytes it would read here before the
    // handle is sent on (sends of handles wait for each other) would be lost. Nothing was read yet: this
    // runs in the same turn as the socket's creation.
    (socket as unknown as { _handle?: { readStop?: () => number } })._handle?.readStop?.();
    let target: { worker: Worker; count: number } | undefined;
    for (const [id, w] of this.counts) if (id !== from && w.worker.isConnected() && (!target || w.count < target.count)) target = w;
    // No other worker (they are restarting): the one that accepted it serves it after all.
    target ??= this.counts.get(from);
    // Once sent, the socket here holds no handle: destroying it only says it is gone, so that the worker
    // that passed it on does not wait for it when it closes its listener.
    if (target && send(target.worker, { type: 'cairn:handoff' }, socket, () => socket.destroy())) target.count++;
    else socket.destroy();
  }

  private tell() {
    for (const [id, w] of this.counts) {
      let lowest: number | null = null;
      for (const [other, o] of this.counts) if (other !== id) lowest = Math.min(lowest ?? Infinity, o.count);
      if (lowest !== w.told && send(w.worker, { type: 'cairn:others-lowest', count: lowest })) w.told = lowest;
    }
  }
}
