/**
 * The fuzz run: several real TCP connections to a running server, each sending batches of generated
 * messages (pipelined, one write per batch) and checking every batch against BatchModel. Some
 * connections bind as the administrator or as a person first, so that writes and authenticated paths
 * run too; a connection the server closes is replaced by a new one. Findings:
 * - death: the server process exited, or refused a connection;
 * - hang: a connection owed an answer or a close and got neither within the deadline (counted from
 *   the last octet received), or a fresh root DSE search went unanswered;
 * - internal: a response with resultCode 80 (otherError, Cairn's internal error), or a message on which
 *   the decoder failed with an unexpected exception (the server then disconnects with protocolError);
 * - surprise: the server did something BatchModel does not allow (closed with answers owed, sent a
 *   Notice of Disconnection for a readable batch, sent octets no LDAP server may send).
 */
import { connect, type Socket } from 'node:net';
import { bool, cons, encodeNode, int, seq, str } from './ber-tree';
import { FUZZ_ADMIN_DN, FUZZ_PEOPLE, fuzzPersonDn, fuzzPersonPassword, generateMessage, type FuzzMessage } from './generator';
import { BatchModel } from './predict';
import { ResponseReader, type Response } from './responses';

export interface FuzzOptions {
  port: number;
  seed: number;
  messages: number;
  /** Connections open at once. */
  connections?: number;
  /** Messages per batch at most. */
  batch?: number;
  /** Batches on one connection before it is replaced. */
  batchesPerConnection?: number;
  deadlineMs?: number;
  adminPassword: string;
  isAlive(): boolean;
  /** Called about once a second with the report so far. */
  progress?(report: FuzzReport): void;
}

export interface Finding {
  kind: 'death' | 'hang' | 'internal' | 'surprise';
  detail: string;
  seed: number;
  /** The messages involved (the batch, or the ones whose messageID got the answer). */
  indices: number[];
  hex: string[];
}

export interface FuzzReport {
  seed: number;
  messages: number;
  mutated: number;
  /** Final responses by resultCode. */
  codes: Record<number, number>;
  /** Notices of Disconnection by resultCode. */
  notices: Record<number, number>;
  connections: number;
  closesByServer: number;
  batches: number;
  probes: number;
  deaths: number;
  hangs: number;
  internal: number;
  surprises: number;
  findings: Finding[];
  ms: number;
}

const MAX_FINDINGS = 40;
const HEX_LIMIT = 4096;

export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const started = Date.now();
  const report: FuzzReport = {
    seed: o.seed,
    messages: 0,
    mutated: 0,
    codes: {},
    notices: {},
    connections: 0,
    closesByServer: 0,
    batches: 0,
    probes: 0,
    deaths: 0,
    hangs: 0,
    internal: 0,
    surprises: 0,
    findings: [],
    ms: 0,
  };
  const deadlineMs = o.deadlineMs ?? 10000;
  const batchSize = o.batch ?? 16;
  const perConnection = o.batchesPerConnection ?? 40;
  let next = 0;
  let stop = false;

  const find = (kind: Finding['kind'], detail: string, msgs: FuzzMessage[]) => {
    report[kind === 'death' ? 'deaths' : kind === 'hang' ? 'hangs' : kind === 'internal' ? 'internal' : 'surprises']++;
    if (kind === 'death') stop = true;
    if (report.findings.length >= MAX_FINDINGS) return;
    report.findings.push({
      kind,
      detail,
      seed: o.seed,
      indices: msgs.map((m) => m.index),
      hex: msgs.map((m) =>
        m.bytes.length * 2 > HEX_LIMIT ? `${m.bytes.subarray(0, HEX_LIMIT / 2).toString('hex')}... (${m.bytes.length} octets)` : m.bytes.toString('hex'),
      ),
    });
  };
  const checkAlive = () => {
    if (!stop && !o.isAlive()) find('death', 'the server process exited', []);
    return !stop;
  };

  /**
   * Messages that end a connection by themselves (unreadable, Unbind, StartTLS, incomplete) wait here:
   * each ends one batch of an anonymous connection, so that bound connections live long.
   */
  const deferred: FuzzMessage[] = [];
  const connections = o.connections ?? 8;
  /** Past this many, generating waits for the anonymous connections to catch up (memory stays flat). */
  const maxDeferred = 8 * connections;
  /** Binds, kept from bound connections (which would lose their identity) for anonymous ones. */
  const binds: FuzzMessage[] = [];
  /** The next message that leaves the connection open, or undefined when there is none (for now). */
  const fresh = (bound: boolean): FuzzMessage | undefined => {
    if (!bound && binds.length > 0) return binds.shift();
    while (next < o.messages && deferred.length < maxDeferred && binds.length < maxDeferred) {
      const m = generateMessage(o.seed, next++);
      const alone = new BatchModel();
      alone.add(m.index, m.bytes);
      alone.finish();
      if (alone.terminal !== undefined) deferred.push(m);
      else if (bound && alone.binds > 0) binds.push(m);
      else return m;
    }
    return undefined;
  };

  async function worker(w: number) {
    const kind = w % 8 < 5 ? 0 : w % 8 < 7 ? 1 : 2; // five eighths anonymous, a quarter admin, an eighth a person
    let round = 0;
    while ((next < o.messages || (kind === 0 && deferred.length + binds.length > 0)) && checkAlive()) {
      let conn: FuzzConnection;
      try {
        conn = await FuzzConnection.open(o.port);
      } catch (err) {
        if (checkAlive()) find('death', `connection refused: ${(err as Error).message}`, []);
        return;
      }
      report.connections++;
      round++;
      if (kind !== 0) {
        const k = (w * 7 + round) % FUZZ_PEOPLE;
        const [dn, pw] = kind === 1 ? [FUZZ_ADMIN_DN, o.adminPassword] : [fuzzPersonDn(k), fuzzPersonPassword(k)];
        const bindMessage = encodeNode(seq([int(1), cons(0x60, [int(3), str(dn), str(pw, 0x80)])]));
        const model = new BatchModel();
        model.add(-1, bindMessage);
        await conn.run(model, [{ index: -1, bytes: bindMessage, op: 'bind', mutated: false }], deadlineMs, report, find);
      }
      for (let b = 0; b < perConnection && !conn.closed && !stop; b++) {
        const model = new BatchModel();
        const msgs: FuzzMessage[] = [];
        // Anonymous connections mostly end the queued connection-enders (and take the binds): readable
        // messages go to the bound ones as much as possible, where writes and authenticated paths run.
        const room = kind !== 0 ? batchSize - 1 : deferred.length > maxDeferred / 2 ? 0 : 4;
        if (kind !== 0) while (next < o.messages && (deferred.length >= maxDeferred || binds.length >= maxDeferred) && !stop) await sleep(2);
        while (msgs.length < room) {
          const m = fresh(kind !== 0);
          if (m === undefined) break;
          msgs.push(m);
          model.add(m.index, m.bytes);
        }
        if (kind === 0 && deferred.length > 0) {
          const m = deferred.shift()!;
          msgs.push(m);
          model.add(m.index, m.bytes);
        }
        if (msgs.length === 0) break;
        model.finish();
        report.batches++;
        report.messages += msgs.length;
        for (const m of msgs) if (m.mutated) report.mutated++;
        await conn.run(model, msgs, deadlineMs, report, find);
        if (model.terminal !== undefined) break;
      }
      conn.destroy();
    }
  }

  let lastProgress = Date.now();
  const prober = setInterval(() => {
    if (o.progress && Date.now() - lastProgress >= 1000) {
      lastProgress = Date.now();
      report.ms = Date.now() - started;
      o.progress(report);
    }
  }, 250);
  let probing = false;
  const probeTimer = setInterval(() => {
    if (probing || stop) return;
    probing = true;
    void probe(o.port, deadlineMs).then((why) => {
      probing = false;
      report.probes++;
      if (why !== undefined && checkAlive()) find('hang', `a fresh root DSE search: ${why}`, []);
    });
  }, 2000);
  try {
    await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
    if (checkAlive()) {
      const why = await probe(o.port, deadlineMs);
      report.probes++;
      if (why !== undefined && checkAlive()) find('hang', `the closing root DSE search: ${why}`, []);
    }
  } finally {
    clearInterval(prober);
    clearInterval(probeTimer);
  }
  report.ms = Date.now() - started;
  return report;
}

/** A root DSE search on a new connection; undefined when answered with success, else what went wrong. */
async function probe(port: number, deadlineMs: number): Promise<string | undefined> {
  let conn: FuzzConnection;
  try {
    conn = await FuzzConnection.open(port);
  } catch (err) {
    return `connection failed: ${(err as Error).message}`;
  }
  try {
    const search = cons(0x63, [str(''), int(0, 0x0a), int(0, 0x0a), int(0), int(0), bool(false), str('objectClass', 0x87), seq([])]);
    const bytes = encodeNode(seq([int(7), search]));
    const model = new BatchModel();
    model.add(-2, bytes);
    let why: string | undefined;
    let code: number | undefined;
    await conn.run(
      model,
      [{ index: -2, bytes, op: 'search', mutated: false }],
      deadlineMs,
      undefined,
      (_k, detail) => (why = detail),
      (r) => (code = r.resultCode),
    );
    return why ?? (code === 0 ? undefined : `answered ${code}`);
  } finally {
    conn.destroy();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type FindFn = (kind: Finding['kind'], detail: string, msgs: FuzzMessage[]) => void;

class FuzzConnection {
  closed = false;
  private readonly reader = new ResponseReader();
  private onEvent?: (responses: Response[] | 'closed' | Error) => void;

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (!this.onEvent) return;
      let responses: Response[];
      try {
        responses = this.reader.feed(chunk);
      } catch (err) {
        this.onEvent(err as Error);
        return;
      }
      this.onEvent(responses);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.onEvent?.('closed');
    });
  }

  static open(port: number): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.off('error', reject);
        resolve(new FuzzConnection(s));
      });
      s.once('error', reject);
    });
  }

  /** Sends a batch and waits until the server has done what the model says it owes. */
  run(
    model: BatchModel,
    msgs: FuzzMessage[],
    deadlineMs: number,
    report: FuzzReport | undefined,
    find: FindFn,
    onFinal?: (r: Response) => void,
  ): Promise<void> {
    const owed = new Map(model.owed);
    let owedCount = 0;
    for (const n of owed.values()) owedCount += n;
    const terminal = model.terminal;
    // The connection's decoder turns an unexpected exception into protocolError: still an internal error.
    for (const bug of model.decoderBugs)
      find(
        'internal',
        bug.error,
        msgs.filter((m) => m.index === bug.index),
      );
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout;
      const finish = () => {
        clearTimeout(timer);
        this.onEvent = undefined;
        resolve();
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          find(
            'hang',
            `no answer and no close within ${deadlineMs} ms (owed ${
              [...owed]
                .filter(([, n]) => n > 0)
                .map(([id]) => id)
                .join(',') || 'a close'
            }, terminal ${terminal ?? 'none'})`,
            msgs,
          );
          this.destroy();
          finish();
        }, deadlineMs);
      };
      const msgsFor = (id: number) => {
        const indices = model.ids.get(id) ?? [];
        const hit = msgs.filter((m) => indices.includes(m.index));
        return hit.length > 0 ? hit : msgs;
      };
      this.onEvent = (ev) => {
        if (ev === 'closed') {
          if (report) report.closesByServer++;
          if (terminal === undefined && owedCount > 0) find('surprise', `the server closed the connection with ${owedCount} answers owed`, msgs);
          finish();
          return;
        }
        if (ev instanceof Error) {
          find('surprise', `the server sent octets no LDAP server may send: ${ev.message}`, msgs);
          this.destroy();
          finish();
          return;
        }
        arm();
        for (const r of ev) {
          if (r.resultCode === undefined) continue;
          if (r.notice) {
            if (report) report.notices[r.resultCode] = (report.notices[r.resultCode] ?? 0) + 1;
            // After an Unbind or a StartTLS the server may still read what followed it in clear.
            if (terminal === undefined) find('surprise', `Notice of Disconnection ${r.resultCode} for a batch the model says is readable`, msgs);
            continue;
          }
          if (report) report.codes[r.resultCode] = (report.codes[r.resultCode] ?? 0) + 1;
          onFinal?.(r);
          if (r.resultCode === 80) find('internal', `resultCode 80 for messageID ${r.id} (protocolOp 0x${r.tag.toString(16)})`, msgsFor(r.id));
          const n = owed.get(r.id) ?? 0;
          if (n > 0) {
            owed.set(r.id, n - 1);
            owedCount--;
          }
          if (terminal === 'startTLS' && r.id === model.startTLSId && r.tag === 0x78) {
            // After a successful StartTLS the server speaks TLS: this connection is done.
            this.destroy();
            finish();
            return;
          }
        }
        if (terminal === undefined && owedCount === 0) finish();
      };
      arm();
      this.socket.write(msgs.length === 1 ? msgs[0].bytes : Buffer.concat(msgs.map((m) => m.bytes)));
      if (terminal === 'halfClose') this.socket.end();
      if (this.closed) this.onEvent('closed');
      else if (terminal === undefined && owedCount === 0) finish();
    });
  }

  destroy() {
    this.socket.destroy();
  }
}
