import Database from 'better-sqlite3';
import { migrationsDir } from '../paths';
import {
  filterCondition,
  isConjunct,
  isEvaluatedInJs,
  LONG_GLOB_FUNCTION,
  longGlobMatches,
  planFilter,
  scopeCondition,
  SMALL_SUBTREE,
  SqlParams,
  scanDriver,
  splitForSql,
  usefulDriver,
  walkingEquality,
  withoutConjunct,
  type Driver,
  type PlanFilter,
  type SubtreeWalk,
} from './filter-sql';
import { filterAttrs, filterPredicate, testsDn, textFromSqlite, type IndexedEntry } from './filter-eval';
import { migrate } from './migrate';
import type {
  AppPasswordRecord,
  AttributeMap,
  EntryIndexer,
  IndexRow,
  NewEntry,
  SearchPageQuery,
  Store,
  StoredEntry,
  StoreFilter,
  TotpRecord,
  WebSessionRecord,
  WriteTx,
} from './types';
import { StoreBusy } from './types';
import { EntryCache } from './entry-cache';
import { attributesFromJson, attributesToJson } from './attributes-json';

interface EntryRow {
  id: number;
  parent_id: number | null;
  dn: string;
  ndn: string;
  path: string;
  attrs: string;
}

const toEntry = (r: EntryRow): StoredEntry => ({
  id: r.id,
  parentId: r.parent_id,
  dn: r.dn,
  ndn: r.ndn,
  path: r.path,
  attributes: attributesFromJson(r.attrs),
});

const ENTRY_COLUMNS = 'e.id, e.parent_id, e.dn, e.ndn, e.path, e.attrs';
/** Candidates read at most at a time for a filter evaluated in JavaScript (see jsSearchPage). */
const MAX_CANDIDATES = 2048;
const sameValues = (a: string[], b: string[] | undefined) => b !== undefined && a.length === b.length && a.every((v, i) => v === b[i]);

/** Index rows written by one INSERT (see writeIndex). */
const INDEX_ROWS_PER_INSERT = 32;
/** SQL longer than this (characters) is a wide filter's: see searchStmt. */
const LARGE_SQL = 20000;

/** The next candidates of a filter evaluated in JavaScript: the driver's entries in scope, in id order. */
function candidateSql(q: SearchPageQuery, { driver, lead, walk }: PagePlan, afterId: number, chunk: number, dnBytes: boolean, tested: PlanFilter) {
  const p = new SqlParams();
  const columns = candidateColumns(dnBytes);
  if (lead) {
    const sql =
      `SELECT ${columns} FROM attr_index d JOIN entries e ON e.id = d.entry_id WHERE ${leadCondition(lead, p)} AND ` +
      `${scopeCondition(q.scope, false, p)} AND ${filterCondition(tested, p)} AND d.entry_id > ${p.ref(afterId)} ORDER BY d.entry_id LIMIT ${chunk}`;
    return { sql, params: p.values };
  }
  const parts = driver ? [`e.id IN (${driver.sql(p)})`] : [];
  parts.push(scopeCondition(q.scope, driver === undefined && walk === 'index', p));
  parts.push(filterCondition(tested, p));
  parts.push(`e.id > ${p.ref(afterId)}`);
  return { sql: `SELECT ${columns} FROM entries e WHERE ${parts.join(' AND ')} ORDER BY e.id LIMIT ${chunk}`, params: p.values };
}

/** A candidate's columns: with the DN's exact text for a filter that tests it (a Buffer per row costs: only then). */
const candidateColumns = (dnBytes: boolean) => (dnBytes ? `${ENTRY_COLUMNS}, CAST(e.ndn AS BLOB) AS ndn_bytes` : ENTRY_COLUMNS);

/** An equality whose index rows lead a page: they come in entry order, so the page joins the entries to them. */
type Leading = Extract<StoreFilter, { kind: 'equal' }>;

const leadCondition = (lead: Leading, p: SqlParams) => `d.attr = ${p.ref(lead.attrs[0])} AND d.norm = ${p.ref(lead.norm)}`;

/** A filter as jsSearchPage runs it: the conjuncts SQL tests, and the rest as a JavaScript predicate. */
interface JsFilter {
  /** The equality leading the walk, or the scan driver, that the candidates already satisfy. */
  given?: PlanFilter;
  sql: PlanFilter;
  test: (e: IndexedEntry) => boolean;
  /** The attribute keys the predicate reads, and whether it reads the DN. */
  keys: ReadonlySet<string>;
  dn: boolean;
}

/** A candidate as jsSearchPage reads it: with the DN's exact bytes when the filter tests the DN. */
type CandidateRow = EntryRow & { ndn_bytes?: Buffer };

/** How a page is found: the driver (if any), the equality that leads it (if any), how it walks the scope. */
interface PagePlan {
  driver?: Driver;
  lead?: Leading;
  walk: SubtreeWalk;
}

/**
 * When a write is acknowledged. `full` (the default): SQLite syncs the WAL to disk at every commit, so an
 * acknowledged write survives a power loss or an OS crash. `normal`: it syncs only at checkpoints, so the
 * last writes acknowledged before a power loss can roll back (a process crash or kill -9 loses nothing).
 */
export type Synchronous = 'full' | 'normal';

const isBusy = (err: unknown) => err instanceof Database.SqliteError && err.code.startsWith('SQLITE_BUSY');

/** SQLite's own ceiling for a mapping (SQLITE_MAX_MMAP_SIZE): a larger database reads the rest with pread. */
const MMAP_BYTES = 0x7fff0000;

/** The embedded store: one SQLite file in WAL mode. Reads and writes run synchronously inside. */
export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly largeStatements = new Map<string, Database.Statement>();
  private readonly kinds = new WeakMap<Database.Statement, 'reader' | 'readonly' | 'write'>();
  private readonly plans = new WeakMap<StoreFilter, PlanFilter>();
  private readonly walks = new WeakMap<SearchPageQuery['scope'], SubtreeWalk>();
  private readonly predicates = new WeakMap<StoreFilter, JsFilter>();
  /** The ids of a scan driver, per search (see scannedIds); null when the filter has none. */
  private readonly scans = new WeakMap<StoreFilter, { ids: number[]; leaf?: PlanFilter } | null>();
  /** How values become index rows (the directory's schema); set by useIndexer before any write or search. */
  private indexer?: EntryIndexer;
  private readonly tx: WriteTx;
  private readonly byNdnCache = new EntryCache();
  private readonly dataVersion: Database.Statement;
  private readonly beginRead: Database.Statement;
  private readonly commitRead: Database.Statement;
  private seenDataVersion = -1;
  /** Whether this store opened the transaction now open: a read snapshot that ends with the event loop's turn. */
  private readTurn = false;
  private readonly endReadTurnSoon = () => this.endReadTurn();

  /** Whether commits sync (store.synchronous full): a write that need not be durable turns it off for itself. */
  private readonly syncsEveryCommit: boolean;
  /** One write: a transaction that runs the function it is given (made once: better-sqlite3 builds it each call). */
  private readonly writeTransaction: Database.Transaction<(fn: (tx: WriteTx) => unknown) => unknown>;

  /** How long a write waits for another process's write transaction before it fails as StoreBusy. */
  private readonly busyTimeoutMs: number;

  constructor(file: string, options: { synchronous?: Synchronous; busyTimeoutMs?: number } = {}) {
    this.db = new Database(file);
    this.busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.db.pragma('journal_mode = WAL');
    this.syncsEveryCommit = options.synchronous !== 'normal';
    this.db.pragma(`synchronous = ${this.syncsEveryCommit ? 'FULL' : 'NORMAL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${this.busyTimeoutMs}`);
    // Reads map the file instead of copying each page into SQLite's cache with a pread (slapd's back-mdb
    // reads only this way): 2 to 9% more lookups per server CPU-second in alternate runs on 100k people,
    // never fewer. The mapped pages are the page cache's, shared by the workers. As with slapd, a disk
    // that fails under a mapping ends the process (the primary starts the worker again) instead of an error.
    this.db.pragma(`mmap_size = ${MMAP_BYTES}`);
    migrate(this.db, migrationsDir);
    this.db.function(LONG_GLOB_FUNCTION, { deterministic: true }, (pattern: unknown, value: unknown) =>
      pattern instanceof Uint8Array && value instanceof Uint8Array && longGlobMatches(pattern, value) ? 1 : 0,
    );
    this.tx = this.makeWriteTx();
    this.writeTransaction = this.db.transaction((fn: (tx: WriteTx) => unknown) => {
      this.forgetOthersWrites();
      return fn(this.tx);
    });
    this.dataVersion = this.db.prepare('PRAGMA data_version').pluck();
    this.beginRead = this.db.prepare('BEGIN');
    this.commitRead = this.db.prepare('COMMIT');
  }

  /** SQLite's synchronous level on this connection: 2 is FULL, 1 is NORMAL. */
  synchronousLevel(): number {
    return this.db.pragma('synchronous', { simple: true }) as number;
  }

  /** Prepared statements are cached by their SQL text: filter shapes repeat, their values do not. */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.prepare(sql);
      if (this.statements.size > 2000) this.statements.clear();
      this.statements.set(sql, s);
    }
    return this.inTurn(s);
  }

  /** A statement, with what inTurn asks of it read once (each is a call into better-sqlite3). */
  private prepare(sql: string): Database.Statement {
    const s = this.db.prepare(sql);
    this.kinds.set(s, s.readonly ? (s.reader ? 'reader' : 'readonly') : 'write');
    return s;
  }

  /**
   * Reads share one read transaction per turn of the event loop. Each statement run on its own is a
   * transaction of its own, and in WAL mode starting one costs two fcntl locks and an fstat: about 7 µs,
   * more than a lookup by index, and the locks of all the workers meet on the same file. The snapshot
   * ends when the turn does (setImmediate), so it is never older than the requests of that turn; a
   * write ends it first (a read transaction cannot become a write once another process has committed).
   */
  private inTurn(s: Database.Statement): Database.Statement {
    const kind = this.kinds.get(s)!; // every statement here comes from prepare()
    if (kind === 'write') this.endReadTurn();
    else if (kind === 'reader' && !this.readTurn && !this.db.inTransaction) this.beginReadTurn();
    return s;
  }

  private beginReadTurn() {
    this.beginRead.run();
    this.readTurn = true;
    setImmediate(this.endReadTurnSoon);
    this.forgetOthersWrites();
  }

  private endReadTurn() {
    if (!this.readTurn) return;
    this.readTurn = false;
    if (this.db.inTransaction) this.commitRead.run();
  }

  private rowByNdn(ndn: string): EntryRow | undefined {
    return this.stmt(`SELECT ${ENTRY_COLUMNS} FROM entries e WHERE e.ndn = ?`).get(ndn) as EntryRow | undefined;
  }

  private getById(id: number): StoredEntry | undefined {
    const r = this.stmt(`SELECT ${ENTRY_COLUMNS} FROM entries e WHERE e.id = ?`).get(id) as EntryRow | undefined;
    return r && toEntry(r);
  }

  private childExists(id: number): boolean {
    return this.stmt('SELECT 1 FROM entries WHERE parent_id = ? LIMIT 1').get(id) !== undefined;
  }

  private countBindAttempts(entryId: number, since: number): number {
    return this.stmt('SELECT count(*) FROM bind_attempts WHERE entry_id = ? AND started_at >= ?').pluck().get(entryId, since) as number;
  }

  private getCredential(entryId: number) {
    const r = this.stmt('SELECT hash, changed_at FROM credentials WHERE entry_id = ?').get(entryId) as { hash: string; changed_at: number } | undefined;
    return r && { hash: r.hash, changedAt: r.changed_at };
  }

  /**
   * Search bases repeat (ou=people for every lookup), so reads by DN are cached until the next write.
   * Callers must not change the entries they get.
   */
  async entryByNdn(ndn: string) {
    if (!this.db.inTransaction) this.beginReadTurn();
    return this.cachedByNdn(ndn);
  }

  /** data_version changes when another process (another server worker, the CLI) commits to the file. */
  private forgetOthersWrites() {
    const version = this.dataVersion.get() as number;
    if (version !== this.seenDataVersion) {
      this.seenDataVersion = version;
      this.byNdnCache.clear();
    }
  }

  /**
   * Also read by writes: their own changes drop what they change (an add, its DN; a modify or a delete,
   * the entry; a rename, everything), and a write that fails drops everything it may have read since.
   */
  private cachedByNdn(ndn: string) {
    let e = this.byNdnCache.get(ndn);
    if (e === undefined) {
      const row = this.rowByNdn(ndn);
      e = row ? toEntry(row) : null;
      this.byNdnCache.set(ndn, e, row?.attrs.length ?? 0);
    }
    return e ?? undefined;
  }
  async entryById(id: number) {
    return this.getById(id);
  }
  async hasChildren(id: number) {
    return this.childExists(id);
  }
  async credential(entryId: number) {
    return this.getCredential(entryId);
  }
  async bindAttemptsInFlight(entryId: number, since: number) {
    return this.countBindAttempts(entryId, since);
  }
  async passwordHistory(entryId: number, limit: number): Promise<string[]> {
    return (
      this.stmt('SELECT hash FROM password_history WHERE entry_id = ? ORDER BY changed_at DESC, rowid DESC LIMIT ?').all(entryId, limit) as {
        hash: string;
      }[]
    ).map((r) => r.hash);
  }

  async totp(entryId: number): Promise<TotpRecord | undefined> {
    const r = this.stmt('SELECT secret, confirmed, last_step FROM totp WHERE entry_id = ?').get(entryId) as
      { secret: string; confirmed: number; last_step: number } | undefined;
    return r && { sealedSecret: r.secret, confirmed: r.confirmed === 1, lastStep: r.last_step };
  }

  async claimTotpStep(entryId: number, step: number): Promise<boolean> {
    // One UPDATE is atomic across connections and worker processes: of two binds racing with the same
    // code, exactly one changes the row.
    return this.stmt('UPDATE totp SET last_step = ? WHERE entry_id = ? AND last_step < ?').run(step, entryId, step).changes === 1;
  }

  async rememberTotpUse(entryId: number, client: string, codeMac: string, expiresAt: number, now: number): Promise<void> {
    this.stmt('DELETE FROM totp_reuse WHERE expires_at < ?').run(now);
    this.stmt('INSERT OR REPLACE INTO totp_reuse (entry_id, client, code_mac, expires_at) VALUES (?, ?, ?, ?)').run(entryId, client, codeMac, expiresAt);
  }

  async recentTotpUse(entryId: number, client: string, codeMac: string, now: number): Promise<boolean> {
    return (
      this.stmt('SELECT 1 FROM totp_reuse WHERE entry_id = ? AND client = ? AND code_mac = ? AND expires_at >= ?').get(entryId, client, codeMac, now) !==
      undefined
    );
  }

  async reminderSent(entryId: number, passwordChangedAt: string, reminder: string): Promise<boolean> {
    return (
      this.stmt('SELECT 1 FROM reminders_sent WHERE entry_id = ? AND password_changed_at = ? AND reminder = ?').get(entryId, passwordChangedAt, reminder) !==
      undefined
    );
  }

  async recordReminders(entryId: number, passwordChangedAt: string, reminders: string[], sentAt: number): Promise<void> {
    const ins = this.stmt('INSERT OR IGNORE INTO reminders_sent (entry_id, password_changed_at, reminder, sent_at) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const r of reminders) ins.run(entryId, passwordChangedAt, r, sentAt);
    })();
  }

  async setResetToken(entryId: number, tokenHash: string, requestedAt: number, expiresAt: number): Promise<void> {
    this.stmt(
      'INSERT INTO reset_tokens (entry_id, token_hash, requested_at, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT(entry_id) DO UPDATE SET token_hash = excluded.token_hash, requested_at = excluded.requested_at, expires_at = excluded.expires_at',
    ).run(entryId, tokenHash, requestedAt, expiresAt);
  }

  async resetTokenRequestedAt(entryId: number): Promise<number | undefined> {
    return (this.stmt('SELECT requested_at FROM reset_tokens WHERE entry_id = ?').pluck().get(entryId) as number | undefined) ?? undefined;
  }

  async resetTokenEntry(tokenHash: string, now: number): Promise<number | undefined> {
    return (
      (this.stmt('SELECT entry_id FROM reset_tokens WHERE token_hash = ? AND expires_at > ?').pluck().get(tokenHash, now) as number | undefined) ?? undefined
    );
  }

  async takeResetToken(tokenHash: string, now: number): Promise<{ entryId: number; requestedAt: number; expiresAt: number } | undefined> {
    const row = this.stmt('DELETE FROM reset_tokens WHERE token_hash = ? RETURNING entry_id, requested_at, expires_at').get(tokenHash) as
      { entry_id: number; requested_at: number; expires_at: number } | undefined;
    return row && row.expires_at > now ? { entryId: row.entry_id, requestedAt: row.requested_at, expiresAt: row.expires_at } : undefined;
  }

  async appPasswords(entryId: number): Promise<AppPasswordRecord[]> {
    const rows = this.stmt('SELECT id, name, hash, scope, created_at, last_used_at FROM app_passwords WHERE entry_id = ? ORDER BY id').all(entryId) as {
      id: number;
      name: string;
      hash: string;
      scope: string;
      created_at: number;
      last_used_at: number | null;
    }[];
    return rows.map((r) => ({ id: r.id, name: r.name, hash: r.hash, scope: r.scope, createdAt: r.created_at, lastUsedAt: r.last_used_at ?? undefined }));
  }

  async addAppPassword(entryId: number, name: string, hash: string, scope: string, createdAt: number): Promise<void> {
    this.stmt('INSERT INTO app_passwords (entry_id, name, hash, scope, created_at) VALUES (?, ?, ?, ?, ?)').run(entryId, name, hash, scope, createdAt);
  }

  async deleteAppPasswords(entryId: number, name?: string): Promise<number> {
    return name === undefined
      ? this.stmt('DELETE FROM app_passwords WHERE entry_id = ?').run(entryId).changes
      : this.stmt('DELETE FROM app_passwords WHERE entry_id = ? AND name = ?').run(entryId, name).changes;
  }

  async appPasswordUsed(id: number, now: number): Promise<void> {
    this.stmt('UPDATE app_passwords SET last_used_at = ? WHERE id = ?').run(now, id);
  }

  async deviceSecret(entryId: number): Promise<{ ntHash: string; lastUsedAt?: number } | undefined> {
    const r = this.stmt('SELECT nt_hash, last_used_at FROM device_secrets WHERE entry_id = ?').get(entryId) as
      { nt_hash: string; last_used_at: number | null } | undefined;
    return r && { ntHash: r.nt_hash, lastUsedAt: r.last_used_at ?? undefined };
  }

  async deviceUsed(entryId: number, now: number): Promise<void> {
    this.stmt('UPDATE device_secrets SET last_used_at = ? WHERE entry_id = ?').run(now, entryId);
  }

  async useRecoveryCode(entryId: number, codeHash: string, now: number): Promise<boolean> {
    return (
      this.stmt('UPDATE recovery_codes SET used_at = ? WHERE entry_id = ? AND code_hash = ? AND used_at IS NULL').run(now, entryId, codeHash).changes === 1
    );
  }

  async recoveryCodesLeft(entryId: number): Promise<number> {
    return this.stmt('SELECT count(*) FROM recovery_codes WHERE entry_id = ? AND used_at IS NULL').pluck().get(entryId) as number;
  }

  async createWebSession(tokenHash: string, w: WebSessionRecord): Promise<void> {
    this.stmt('INSERT INTO web_sessions (token_hash, entry_id, created_at, seen_at, restriction) VALUES (?, ?, ?, ?, ?)').run(
      tokenHash,
      w.entryId,
      w.createdAt,
      w.seenAt,
      w.restriction ?? null,
    );
  }

  async webSession(tokenHash: string): Promise<WebSessionRecord | undefined> {
    const r = this.stmt('SELECT entry_id, created_at, seen_at, restriction FROM web_sessions WHERE token_hash = ?').get(tokenHash) as
      { entry_id: number; created_at: number; seen_at: number; restriction: string | null } | undefined;
    return r && { entryId: r.entry_id, createdAt: r.created_at, seenAt: r.seen_at, restriction: r.restriction ?? undefined };
  }

  async touchWebSession(tokenHash: string, seenAt: number): Promise<void> {
    this.stmt('UPDATE web_sessions SET seen_at = ? WHERE token_hash = ?').run(seenAt, tokenHash);
  }

  async deleteWebSession(tokenHash: string): Promise<void> {
    this.stmt('DELETE FROM web_sessions WHERE token_hash = ?').run(tokenHash);
  }

  async expireWebSessions(seenBefore: number, createdBefore: number): Promise<void> {
    this.stmt('DELETE FROM web_sessions WHERE seen_at < ? OR created_at < ?').run(seenBefore, createdBefore);
  }

  async totpEnrolments() {
    return (this.stmt('SELECT entry_id, confirmed FROM totp ORDER BY entry_id').all() as { entry_id: number; confirmed: number }[]).map((r) => ({
      entryId: r.entry_id,
      confirmed: r.confirmed === 1,
    }));
  }

  private readMeta(key: string): string | undefined {
    return this.stmt('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
  }

  async meta(key: string) {
    return this.readMeta(key);
  }

  /** The driver of a page, and whether an equality leads it (see SubtreeWalk). */
  private pagePlan(q: SearchPageQuery, filter: PlanFilter): PagePlan {
    const useful = usefulDriver(q.scope, filter);
    const walk = useful ? 'index' : this.subtreeWalk(q.scope);
    const driver = useful ?? (walk === 'rows' ? walkingEquality(filter) : undefined);
    const lead = driver?.equality && isConjunct(filter, driver.equality) ? driver.equality : undefined;
    return { driver, lead, walk };
  }

  /**
   * The SQL for one page: an index driver when one is selective, the scope, the filter, id order. The limit
   * is written into the text (as a bound parameter it made SQLite several times slower here).
   */
  private searchSql(q: SearchPageQuery, filter: PlanFilter): { sql: string; params: (string | number)[] } {
    const limit = Math.max(1, Math.floor(q.limit));
    // Parameters are positional: every piece of SQL is built in the order it is written.
    const p = new SqlParams();
    const { driver, lead, walk } = this.pagePlan(q, filter);
    if (lead) {
      // One equality leads: walk its index rows (already in entry order) and join the entries.
      const condition = leadCondition(lead, p);
      const scope = scopeCondition(q.scope, false, p);
      const rest = filterCondition(withoutConjunct(filter, lead), p);
      const sql =
        `SELECT ${ENTRY_COLUMNS} FROM attr_index d JOIN entries e ON e.id = d.entry_id ` +
        `WHERE ${condition} AND ${scope} AND ${rest} AND d.entry_id > ${p.ref(q.afterId)} ORDER BY d.entry_id LIMIT ${limit}`;
      return { sql, params: p.values };
    }
    const parts = driver ? [`e.id IN (${driver.sql(p)})`] : [];
    parts.push(scopeCondition(q.scope, driver === undefined && walk === 'index', p));
    // A driver that is a leaf of the top conjunction needs no second test.
    const given = driver?.leaf && isConjunct(filter, driver.leaf) ? driver.leaf : undefined;
    parts.push(filterCondition(given ? withoutConjunct(filter, given) : filter, p));
    parts.push(`e.id > ${p.ref(q.afterId)}`);
    return { sql: `SELECT ${ENTRY_COLUMNS} FROM entries e WHERE ${parts.join(' AND ')} ORDER BY e.id LIMIT ${limit}`, params: p.values };
  }

  /**
   * A search's statement. Large ones (wide filters) are kept apart, a few at a time: the pages of one search
   * reuse theirs, and they do not fill the cache of everyday statements.
   */
  private searchStmt(sql: string): Database.Statement {
    if (sql.length <= LARGE_SQL) return this.stmt(sql);
    let s = this.largeStatements.get(sql);
    if (!s) {
      s = this.prepare(sql);
      if (this.largeStatements.size >= 4) this.largeStatements.delete(this.largeStatements.keys().next().value!);
      this.largeStatements.set(sql, s);
    }
    return this.inTurn(s);
  }

  /** The indexer, which every write and every filter evaluated in JavaScript needs. */
  private requireIndexer(): EntryIndexer {
    if (!this.indexer) throw new Error('the store has no indexer: the directory sets one when it opens (useIndexer)');
    return this.indexer;
  }

  /**
   * The ids a scan driver yields for a search (see scanDriver), sorted, read once for all its pages (the
   * pages of one search share its filter object); undefined when the filter has no such driver.
   */
  private scannedIds(key: StoreFilter, filter: PlanFilter): { ids: number[]; leaf?: PlanFilter } | undefined {
    let scan = this.scans.get(key);
    if (scan === undefined) {
      const driver = scanDriver(filter);
      const p = new SqlParams();
      scan = driver ? { ids: [...new Set(this.searchStmt(driver.sql(p)).pluck().all(p.values) as number[])].sort((x, y) => x - y), leaf: driver.leaf } : null;
      this.scans.set(key, scan);
    }
    return scan ?? undefined;
  }

  /**
   * A page of the matches of a filter SQL cannot test (isEvaluatedInJs): the driver and the scope, in SQL,
   * give candidates in id order (over a large subtree, a scan driver's ids when there is one); the filter is
   * evaluated in JavaScript over the values of each candidate, normalised by the indexer as they were
   * indexed. Each candidate costs one walk of the filter, whatever its shape.
   */
  private jsSearchPage(q: SearchPageQuery, filter: PlanFilter): StoredEntry[] {
    const limit = Math.max(1, Math.floor(q.limit));
    const walking = this.pagePlan(q, filter);
    const scanned = walking.walk === 'rows' ? this.scannedIds(q.filter, filter) : undefined;
    const plan: PagePlan = scanned ? { walk: 'rows' } : walking;
    // A leaf of the top conjunction that drives the page holds for every candidate: it need not be tested.
    const driving = scanned ? scanned.leaf : plan.driver?.leaf;
    const given = driving && isConjunct(filter, driving) ? driving : undefined;
    let compiled = this.predicates.get(q.filter);
    if (!compiled || compiled.given !== given) {
      const { sql, js } = splitForSql(given ? withoutConjunct(filter, given) : filter);
      compiled = { given, sql, test: filterPredicate(js), keys: filterAttrs(js), dn: testsDn(js) };
      this.predicates.set(q.filter, compiled);
    }
    const { test, keys, dn, sql: tested } = compiled;
    /** The next candidates after afterId, at most `chunk`: their rows, where the next read starts, whether there are more. */
    const read = (afterId: number, chunk: number): { rows: CandidateRow[]; last: number; more: boolean } => {
      if (!scanned) {
        const { sql, params } = candidateSql(q, plan, afterId, chunk, dn, tested);
        const rows = this.searchStmt(sql).all(params) as CandidateRow[];
        return { rows, last: rows.length ? rows[rows.length - 1].id : afterId, more: rows.length === chunk };
      }
      const all = scanned.ids;
      let lo = 0;
      for (let hi = all.length; lo < hi;) {
        const mid = (lo + hi) >> 1;
        if (all[mid] <= afterId) lo = mid + 1;
        else hi = mid;
      }
      const ids = all.slice(lo, lo + chunk);
      if (ids.length === 0) return { rows: [], last: afterId, more: false };
      const p = new SqlParams();
      const sql =
        `SELECT ${candidateColumns(dn)} FROM entries e ` +
        `WHERE e.id IN (SELECT value FROM json_each(${p.ref(JSON.stringify(ids))})) AND ${scopeCondition(q.scope, false, p)} AND ${filterCondition(tested, p)} ORDER BY e.id`;
      // Ids that left the scope or were deleted are not read; the next chunk still starts after the last id.
      return { rows: this.stmt(sql).all(p.values) as CandidateRow[], last: ids[ids.length - 1], more: lo + chunk < all.length };
    };
    const indexer = this.requireIndexer();
    const matched: StoredEntry[] = [];
    let afterId = q.afterId;
    // A page's worth of candidates first (an enumeration's all match), then more and more: a page reads
    // about what it returns. (Iterating the statement row by row instead cost twice as much per row.)
    for (let chunk = limit; matched.length < limit; chunk = Math.min(MAX_CANDIDATES, 2 * chunk)) {
      const { rows, last, more } = read(afterId, Math.min(chunk, MAX_CANDIDATES));
      for (const row of rows) {
        const entry = toEntry(row);
        const values = new Map<string, string[]>();
        for (const { attr, norm } of keys.size ? indexer.rows(entry.attributes, keys) : []) {
          const list = values.get(attr);
          if (list) list.push(norm);
          else values.set(attr, [norm]);
        }
        if (test({ ndn: row.ndn_bytes ? textFromSqlite(row.ndn_bytes) : '', values })) matched.push(entry);
        if (matched.length >= limit) break;
      }
      if (!more) break;
      afterId = last;
    }
    return matched;
  }

  /**
   * How the pages of a search walk its scope (see SubtreeWalk): decided at its first page by counting the
   * subtree up to SMALL_SUBTREE through the path index, and kept for its other pages (one scope object).
   */
  private subtreeWalk(scope: SearchPageQuery['scope']): SubtreeWalk {
    if (scope.kind !== 'sub' && scope.kind !== 'children') return 'index';
    if (scope.path === '') return 'rows';
    let walk = this.walks.get(scope);
    if (!walk) {
      const { n } = this.stmt(`SELECT count(*) AS n FROM (SELECT 1 FROM entries WHERE path > ? AND path < ? LIMIT ${SMALL_SUBTREE})`).get(
        scope.path + ',',
        scope.path + '-',
      ) as { n: number };
      walk = n < SMALL_SUBTREE ? 'index' : 'rows';
      this.walks.set(scope, walk);
    }
    return walk;
  }

  async searchPage(q: SearchPageQuery): Promise<StoredEntry[]> {
    // The pages of one search share its filter object: a wide filter is planned once.
    let filter = this.plans.get(q.filter);
    if (!filter) {
      filter = planFilter(q.filter);
      this.plans.set(q.filter, filter);
    }
    if (isEvaluatedInJs(filter)) return this.jsSearchPage(q, filter);
    const { sql, params } = this.searchSql(q, filter);
    return (this.searchStmt(sql).all(params) as EntryRow[]).map(toEntry);
  }

  /** How SQLite runs a search (for a filter evaluated in JavaScript: its candidates); tests use it to show that filters use the index. */
  explainSearch(q: SearchPageQuery): string[] {
    const filter = planFilter(q.filter);
    const plan = this.pagePlan(q, filter);
    const { sql, params } = isEvaluatedInJs(filter)
      ? candidateSql(q, plan, q.afterId, MAX_CANDIDATES, true, splitForSql(filter).sql)
      : this.searchSql(q, filter);
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(params) as { detail: string }[]).map((r) => r.detail);
  }

  async write<T>(fn: (tx: WriteTx) => T, options: { durable?: boolean } = {}): Promise<T> {
    // The entries read by DN stay cached unless this write changes an entry (the WriteTx methods that do
    // drop them): a bind's bookkeeping, a session or a TOTP step leaves them as they are.
    // In WAL mode NORMAL commits without an fsync and stays safe from corruption; a later durable commit
    // syncs the log, this one with it.
    this.endReadTurn();
    const relaxed = options.durable === false && this.syncsEveryCommit && !this.db.inTransaction;
    if (relaxed) this.stmt('PRAGMA synchronous = NORMAL').run();
    try {
      return this.writeTransaction.immediate(fn) as T;
    } catch (err) {
      this.byNdnCache.clear();
      throw isBusy(err) ? new StoreBusy(this.busyTimeoutMs) : err;
    } finally {
      if (relaxed) this.stmt('PRAGMA synchronous = FULL').run();
    }
  }

  /**
   * Runs many writes as one transaction (import, init): all of them commit, or none. Writes inside nest
   * as savepoints. Only for a process that owns the store meanwhile, such as the CLI.
   */
  async batch<T>(fn: () => Promise<T>): Promise<T> {
    this.endReadTurn();
    this.byNdnCache.clear();
    // A savepoint keeps the pages it changes in a sub-journal, a temporary file by default: an import (a
    // savepoint per record) spent a fifth of its time writing it. In memory it holds one record's pages.
    this.db.pragma('temp_store = MEMORY');
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      this.db.pragma('temp_store = DEFAULT');
      throw isBusy(err) ? new StoreBusy(this.busyTimeoutMs) : err;
    }
    try {
      const result = await fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.byNdnCache.clear();
      this.db.pragma('temp_store = DEFAULT');
    }
  }

  /**
   * Inside a batch: runs fn's writes as one savepoint; when fn throws they are all undone (and the error
   * passes on), so the batch can go on with the next piece of work.
   */
  async savepoint<T>(fn: () => Promise<T>): Promise<T> {
    // Nested savepoints may share a name: RELEASE and ROLLBACK TO take the innermost one. One name lets
    // the statements be prepared once (an import runs them for every record).
    this.stmt('SAVEPOINT record').run();
    try {
      const result = await fn();
      this.stmt('RELEASE record').run();
      return result;
    } catch (err) {
      if (this.db.inTransaction) {
        this.stmt('ROLLBACK TO record').run();
        this.stmt('RELEASE record').run();
      }
      this.byNdnCache.clear();
      throw err;
    }
  }

  async close() {
    this.endReadTurn();
    this.statements.clear();
    this.largeStatements.clear();
    this.db.close();
  }

  /** Rows go in up to INDEX_ROWS_PER_INSERT per statement: each call into SQLite costs about as much as a row's insert. */
  private writeIndex(id: number, index: IndexRow[]) {
    for (let start = 0; start < index.length; start += INDEX_ROWS_PER_INSERT) {
      const rows = index.slice(start, start + INDEX_ROWS_PER_INSERT);
      const params: (string | number)[] = [];
      for (const row of rows) params.push(row.attr, row.norm, id);
      this.stmt(`INSERT OR IGNORE INTO attr_index (attr, norm, entry_id) VALUES ${'(?, ?, ?), '.repeat(rows.length - 1)}(?, ?, ?)`).run(params);
    }
  }

  private deleteIndex(id: number, index: IndexRow[]) {
    const del = this.stmt('DELETE FROM attr_index WHERE attr = ? AND norm = ? AND entry_id = ?');
    for (const row of index) del.run(row.attr, row.norm, id);
  }

  /** The stored attributes of an entry (as the indexer reads them), and its DN, once the entry leaves the cache. */
  private storedAttributes(id: number): AttributeMap | undefined {
    const row = this.stmt('SELECT ndn, attrs FROM entries WHERE id = ?').get(id) as { ndn: string; attrs: string } | undefined;
    if (!row) return undefined;
    this.byNdnCache.delete(row.ndn);
    return attributesFromJson(row.attrs);
  }

  /**
   * Makes an entry's index rows follow its new attributes, deleting and inserting only the rows that differ:
   * a group's new member gains one memberOf row, not all twenty of its rows deleted and written again. The
   * old rows are the indexer's rows of the old attributes: the same strings were bound when they were
   * written, so they are deleted by the same bytes.
   */
  private rewriteIndex(id: number, before: AttributeMap, after: AttributeMap) {
    const indexer = this.requireIndexer();
    const key = (r: IndexRow) => `${r.attr}\0${r.norm}`;
    // Only the rows of the types whose values changed can differ (every row of a type comes from that type's values).
    const changed = new Set<string>();
    for (const [a, b] of [
      [before, after],
      [after, before],
    ]) {
      for (const name in a) {
        const type = indexer.typeKey(name);
        if (type !== undefined && !changed.has(type) && !sameValues(a[name], b[name])) changed.add(type);
      }
    }
    if (changed.size === 0) return;
    const old = indexer.rows(before, changed);
    const wanted = indexer.rows(after, changed);
    const had = new Set(old.map(key));
    const keep = new Set(wanted.map(key));
    this.deleteIndex(
      id,
      old.filter((r) => !keep.has(key(r))),
    );
    this.writeIndex(
      id,
      wanted.filter((r) => !had.has(key(r))),
    );
  }

  /** Rebuilds every entry's index rows with the current indexer, in one transaction (see useIndexer). */
  private reindexAll(): number {
    const indexer = this.requireIndexer();
    this.db.exec('DELETE FROM attr_index');
    const page = this.stmt('SELECT id, attrs FROM entries WHERE id > ? ORDER BY id LIMIT 1000');
    let count = 0;
    for (let after = 0; ;) {
      const rows = page.all(after) as { id: number; attrs: string }[];
      for (const r of rows) this.writeIndex(r.id, indexer.rows(attributesFromJson(r.attrs)));
      count += rows.length;
      if (rows.length < 1000) return count;
      after = rows[rows.length - 1].id;
    }
  }

  async useIndexer(indexer: EntryIndexer): Promise<number> {
    this.indexer = indexer;
    if (this.readMeta('index_fingerprint') === indexer.fingerprint) return 0;
    return this.write((tx) => {
      // Another process may have rebuilt it while this one waited for the write lock.
      if (this.readMeta('index_fingerprint') === indexer.fingerprint) return 0;
      const count = this.reindexAll();
      tx.setMeta('index_fingerprint', indexer.fingerprint);
      return count;
    });
  }

  private makeWriteTx(): WriteTx {
    return {
      entryByNdn: (ndn) => this.cachedByNdn(ndn),
      entryById: (id) => this.getById(id),
      hasChildren: (id) => this.childExists(id),
      descendants: (id) => {
        const e = this.getById(id);
        if (!e) return [];
        return (
          this.stmt(`SELECT ${ENTRY_COLUMNS} FROM entries e WHERE e.path > ? AND e.path < ? ORDER BY length(e.path), e.id`).all(
            e.path + ',',
            e.path + '-',
          ) as EntryRow[]
        ).map(toEntry);
      },
      // The limit is written into the SQL: bound as a parameter, it made this seek three times as slow.
      entriesWithValue: (attr, norm, limit = -1) =>
        this.stmt(`SELECT entry_id FROM attr_index WHERE attr = ? AND norm = ?${limit < 0 ? '' : ` LIMIT ${Math.floor(limit)}`}`)
          .pluck()
          .all(attr, norm) as number[],
      insertEntry: (e: NewEntry) => {
        this.byNdnCache.delete(e.ndn);
        const info = this.stmt('INSERT INTO entries (parent_id, dn, ndn, path, attrs) VALUES (?, ?, ?, ?, ?)').run(
          e.parentId,
          e.dn,
          e.ndn,
          e.path,
          attributesToJson(e.attributes),
        );
        const id = Number(info.lastInsertRowid);
        this.writeIndex(id, this.requireIndexer().rows(e.attributes));
        return id;
      },
      updateEntry: (id, attributes) => {
        const before = this.storedAttributes(id);
        if (!before) return;
        this.stmt('UPDATE entries SET attrs = ? WHERE id = ?').run(attributesToJson(attributes), id);
        this.rewriteIndex(id, before, attributes);
      },
      moveEntry: (id, parentId, dn, ndn, path) => {
        this.byNdnCache.clear();
        const old = this.getById(id);
        if (!old) return;
        this.stmt('UPDATE entries SET parent_id = ?, dn = ?, ndn = ?, path = ? WHERE id = ?').run(parentId, dn, ndn, path, id);
        // Descendants keep their own RDNs; only the suffix they inherit changes.
        this.stmt(
          `UPDATE entries SET
             dn = substr(dn, 1, length(dn) - ?) || ?,
             ndn = substr(ndn, 1, length(ndn) - ?) || ?,
             path = ? || substr(path, ? + 1)
           WHERE path > ? AND path < ?`,
        ).run(old.dn.length, dn, old.ndn.length, ndn, path, old.path.length, old.path + ',', old.path + '-');
      },
      deleteEntry: (id) => {
        const attributes = this.storedAttributes(id);
        if (attributes) this.deleteIndex(id, this.requireIndexer().rows(attributes));
        this.stmt('DELETE FROM credentials WHERE entry_id = ?').run(id);
        this.stmt('DELETE FROM password_history WHERE entry_id = ?').run(id);
        this.stmt('DELETE FROM totp WHERE entry_id = ?').run(id);
        this.stmt('DELETE FROM totp_reuse WHERE entry_id = ?').run(id);
        this.stmt('DELETE FROM reminders_sent WHERE entry_id = ?').run(id);
        this.stmt('DELETE FROM bind_attempts WHERE entry_id = ?').run(id);
        this.stmt('DELETE FROM entries WHERE id = ?').run(id);
      },
      setCredential: (entryId, hash, changedAt) => {
        this.stmt(
          'INSERT INTO credentials (entry_id, hash, changed_at) VALUES (?, ?, ?) ON CONFLICT(entry_id) DO UPDATE SET hash = excluded.hash, changed_at = excluded.changed_at',
        ).run(entryId, hash, changedAt);
      },
      addPasswordHistory: (entryId, hash, changedAt, keep) => {
        this.stmt('INSERT INTO password_history (entry_id, hash, changed_at) VALUES (?, ?, ?)').run(entryId, hash, changedAt);
        this.stmt(
          'DELETE FROM password_history WHERE entry_id = ? AND rowid NOT IN (SELECT rowid FROM password_history WHERE entry_id = ? ORDER BY changed_at DESC, rowid DESC LIMIT ?)',
        ).run(entryId, entryId, keep);
      },
      setTotp: (entryId, sealedSecret, confirmed, createdAt) => {
        this.stmt(
          'INSERT INTO totp (entry_id, secret, confirmed, created_at, last_step) VALUES (?, ?, ?, ?, 0) ON CONFLICT(entry_id) DO UPDATE SET secret = excluded.secret, confirmed = excluded.confirmed, created_at = excluded.created_at, last_step = 0',
        ).run(entryId, sealedSecret, confirmed ? 1 : 0, createdAt);
      },
      confirmTotp: (entryId) => {
        this.stmt('UPDATE totp SET confirmed = 1 WHERE entry_id = ?').run(entryId);
      },
      deleteTotp: (entryId) => {
        this.stmt('DELETE FROM totp WHERE entry_id = ?').run(entryId);
        this.stmt('DELETE FROM totp_reuse WHERE entry_id = ?').run(entryId);
        this.stmt('DELETE FROM recovery_codes WHERE entry_id = ?').run(entryId);
      },
      setDeviceSecret: (entryId, ntHash) => {
        this.stmt('INSERT INTO device_secrets (entry_id, nt_hash) VALUES (?, ?) ON CONFLICT(entry_id) DO UPDATE SET nt_hash = excluded.nt_hash').run(
          entryId,
          ntHash,
        );
      },
      setRecoveryCodes: (entryId, codeHashes, createdAt) => {
        this.stmt('DELETE FROM recovery_codes WHERE entry_id = ?').run(entryId);
        const insert = this.stmt('INSERT INTO recovery_codes (entry_id, code_hash, created_at) VALUES (?, ?, ?)');
        for (const h of codeHashes) insert.run(entryId, h, createdAt);
      },
      deleteCredential: (entryId) => {
        this.stmt('DELETE FROM credentials WHERE entry_id = ?').run(entryId);
      },
      endWebSessions: (entryId) => {
        this.stmt('DELETE FROM web_sessions WHERE entry_id = ?').run(entryId);
      },
      credential: (entryId) => this.getCredential(entryId),
      bindAttemptsInFlight: (entryId, since) => this.countBindAttempts(entryId, since),
      startBindAttempt: (entryId, startedAt) =>
        Number(this.stmt('INSERT INTO bind_attempts (entry_id, started_at) VALUES (?, ?)').run(entryId, startedAt).lastInsertRowid),
      endBindAttempt: (attemptId, abandonedBefore) => {
        this.stmt('DELETE FROM bind_attempts WHERE id = ? OR started_at < ?').run(attemptId, abandonedBefore);
      },
      setMeta: (key, value) => {
        this.stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
      },
    };
  }
}
