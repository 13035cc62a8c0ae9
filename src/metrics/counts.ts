import { ResultCode } from '../ldap/result-codes';
import { HistogramSlots, Slots } from './slots';

/**
 * Cairn's own metrics and the hooks the layers call to count (each in the one place its event happens:
 * the wire's operation dispatch, the bind, the listeners, the hash pool, the reminder job). Counting costs
 * an array increment; nothing here awaits or allocates. The registries (registries.ts) list these objects.
 */

/** Latency buckets, seconds: from a cached search (well under 1 ms) to a slow bcrypt bind or a long search. */
const LATENCY_BOUNDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const OPS = ['bind', 'search', 'compare', 'add', 'modify', 'delete', 'modifyDN', 'extended'] as const;
export type CountedOp = (typeof OPS)[number];
const OP_INDEX: Record<string, number> = Object.fromEntries(OPS.map((op, i) => [op, i]));

/** Result codes by number: every code Cairn sends has its RFC 4511 name; anything else is "other_code". */
const CODE_NAMES = Object.entries(ResultCode) as [string, number][];
const CODE_SLOTS = CODE_NAMES.length + 1;
const CODE_INDEX = new Int16Array(4096).fill(CODE_NAMES.length);
CODE_NAMES.forEach(([, code], i) => (CODE_INDEX[code] = i));
const codeName = (i: number) => (i < CODE_NAMES.length ? CODE_NAMES[i][0] : 'other_code');

export const operations = new Slots(
  'cairn_operations_total',
  'LDAP operations, by type and result code (unbind and abandon, which get no answer, are not counted)',
  'counter',
  OPS.flatMap((op) => Array.from({ length: CODE_SLOTS }, (_, c) => ({ op, result: codeName(c) }))),
);

export const operationSeconds = new HistogramSlots(
  'cairn_operation_duration_seconds',
  'Time from a request read to its result (for a search, its entries sent), by operation type',
  OPS.map((op) => ({ op })),
  LATENCY_BOUNDS,
);

/** Counts one answered operation: its type, result code and latency. */
export function countOperation(op: string, resultCode: number, seconds: number): void {
  const o = OP_INDEX[op];
  if (o === undefined) return;
  const c = resultCode >= 0 && resultCode < CODE_INDEX.length ? CODE_INDEX[resultCode] : CODE_NAMES.length;
  operations.inc(o * CODE_SLOTS + c);
  operationSeconds.observe(o, seconds);
}

/**
 * How a simple bind with a DN and a password ended. unknown_dn: no such entry, or no password; locked: the
 * account is locked (or too many checks at once); expired: the right password, expired with no grace
 * login left; mfa_missing: no one-time code after the password, or MFA required but not enrolled.
 */
export const BIND_OUTCOMES = ['success', 'wrong_password', 'unknown_dn', 'locked', 'expired', 'mfa_wrong', 'mfa_replayed', 'mfa_missing'] as const;
export type BindResult = (typeof BIND_OUTCOMES)[number];
const BIND_INDEX = Object.fromEntries(BIND_OUTCOMES.map((o, i) => [o, i])) as Record<BindResult, number>;

export const binds = new Slots(
  'cairn_binds_total',
  'Simple binds with a DN and a password, by outcome',
  'counter',
  BIND_OUTCOMES.map((outcome) => ({ outcome })),
  true,
);

export function countBind(outcome: BindResult): void {
  binds.inc(BIND_INDEX[outcome]);
}

export const connectionsOpen = new Slots('cairn_connections_open', 'Client connections open now', 'gauge', [{}], true);
export const connections = new Slots(
  'cairn_connections_total',
  'Client connections accepted, and refused at the door (connection limit, per-address cap)',
  'counter',
  [{ result: 'accepted' }, { result: 'refused' }],
  true,
);

export function connectionOpened(): void {
  connections.inc(0);
  connectionsOpen.inc(0);
}

export function connectionRefused(): void {
  connections.inc(1);
}

export function connectionClosed(): void {
  connectionsOpen.inc(0, -1);
}

export const tlsHandshakes = new Slots(
  'cairn_tls_handshakes_total',
  'TLS handshakes, on the LDAPS port and by StartTLS, by result',
  'counter',
  [
    { kind: 'ldaps', result: 'ok' },
    { kind: 'ldaps', result: 'failed' },
    { kind: 'starttls', result: 'ok' },
    { kind: 'starttls', result: 'failed' },
  ],
  true,
);

export function countTlsHandshake(kind: 'ldaps' | 'starttls', ok: boolean): void {
  tlsHandshakes.inc((kind === 'ldaps' ? 0 : 2) + (ok ? 0 : 1));
}

export const hashQueue = new Slots(
  'cairn_hash_queue_length',
  'Password hash jobs waiting for their turn (at most security.hashWorkers run at once)',
  'gauge',
  [{}],
  true,
);
export const hashBusy = new Slots(
  'cairn_hash_threads_busy',
  'Password hash jobs running now (bcrypt natively, other schemes on hashing threads)',
  'gauge',
  [{}],
  true,
);
export const hashThreads = new Slots(
  'cairn_hash_threads',
  'Hashing threads started for imported schemes other than bcrypt (on first need, up to security.hashWorkers each server process)',
  'gauge',
  [{}],
  true,
);
export const hashSeconds = new HistogramSlots(
  'cairn_hash_duration_seconds',
  'Password hash jobs (bcrypt and migrated schemes), from queued to done, by job',
  [{ op: 'hash' }, { op: 'verify' }],
  LATENCY_BOUNDS,
);

export const bindCacheHits = new Slots(
  'cairn_bind_cache_hits_total',
  'Password checks answered by the verified-credential cache (security.bindCacheSeconds) instead of a hash',
  'counter',
  [{}],
  true,
);

/** A password check the verified-credential cache answered (src/directory/accounts/verified-passwords.ts). */
export function countBindCacheHit(): void {
  bindCacheHits.inc(0);
}

/** The hash pool's hooks (src/security/hash-pool.ts). */
export const hashPoolMetrics = {
  threads(delta: number) {
    hashThreads.inc(0, delta);
  },
  queued(delta: number) {
    hashQueue.inc(0, delta);
  },
  busy(delta: number) {
    hashBusy.inc(0, delta);
  },
  done(op: 'hash' | 'verify', seconds: number) {
    hashSeconds.observe(op === 'hash' ? 0 : 1, seconds);
  },
};

/** The reminder job (src/notify/): in the primary or the single process, the one that runs it. */
export const reminderRuns = new Slots(
  'cairn_reminder_runs_total',
  'Runs of the password expiry reminder job, by result',
  'counter',
  [{ result: 'ok' }, { result: 'error' }],
  true,
);
export const reminderLastRun = new Slots(
  'cairn_reminder_last_run_timestamp_seconds',
  'When the reminder job last ended (Unix time; 0: not yet)',
  'gauge',
  [{}],
  true,
  'max',
);
export const reminders = new Slots(
  'cairn_reminders_total',
  'Password expiry reminders, by result: sent, failed (tried again next run), skipped (no mail, locked, service)',
  'counter',
  [{ result: 'sent' }, { result: 'failed' }, { result: 'skipped' }],
  true,
);
export const reminderLastResults = new Slots(
  'cairn_reminder_last_run_reminders',
  'Reminders in the last run of the job, by result',
  'gauge',
  [{ result: 'sent' }, { result: 'failed' }, { result: 'skipped' }],
  true,
);

/** One run of the reminder job ended: its counts, or undefined when it failed as a whole. */
export function countReminderRun(report: { sent: number; failed: number; skipped: number } | undefined, now = Date.now()): void {
  reminderLastRun.set(0, Math.floor(now / 1000));
  reminderRuns.inc(report ? 0 : 1);
  const values = report ? [report.sent, report.failed, report.skipped] : [0, 0, 0];
  values.forEach((v, i) => {
    reminders.inc(i, v);
    reminderLastResults.set(i, v);
  });
}
