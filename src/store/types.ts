/** Attribute display names to values, in the order they were written. */
export type AttributeMap = Record<string, string[]>;

export interface StoredEntry {
  id: number;
  parentId: number | null;
  dn: string;
  ndn: string;
  path: string;
  attributes: AttributeMap;
}

/** One normalised value as filters see it: the attribute's canonical key and the value's normal form. */
export interface IndexRow {
  attr: string;
  norm: string;
}

/**
 * How an entry's attributes become index rows: the directory's schema decides (matching rules, object class
 * superclasses). The store computes the rows it writes and the rows it deletes with the same indexer, so it
 * keeps no second copy of them to look up by entry.
 */
export interface EntryIndexer {
  /** The entry's index rows; with `keys`, only those under these attribute keys (a filter's). */
  rows(attributes: AttributeMap, keys?: ReadonlySet<string>): IndexRow[];
  /** The key an attribute name's rows go under (its type's, without options); undefined: it has none. */
  typeKey(name: string): string | undefined;
  /** Changes whenever rows would come out differently (another schema): the index is then rebuilt. */
  readonly fingerprint: string;
}

/**
 * A two-valued filter over indexed values, already resolved by the directory against the schema
 * (attribute keys include subtypes, values are normalised). The store turns it into SQL.
 */
export type StoreFilter =
  | { kind: 'true' }
  | { kind: 'false' }
  | { kind: 'and'; items: StoreFilter[] }
  | { kind: 'or'; items: StoreFilter[] }
  | { kind: 'not'; item: StoreFilter }
  | { kind: 'equal'; attrs: string[]; norm: string }
  | { kind: 'present'; attrs: string[] }
  | { kind: 'substrings'; attrs: string[]; initial?: string; any: string[]; final?: string }
  | { kind: 'range'; attrs: string[]; op: '>=' | '<='; norm: string }
  | { kind: 'ndn'; ndn: string };

export type ScopeQuery = { kind: 'base'; id: number } | { kind: 'one'; id: number } | { kind: 'sub' | 'children'; id: number; path: string };

export interface SearchPageQuery {
  scope: ScopeQuery;
  filter: StoreFilter;
  /** Only entries with a greater id: pages continue where the last one ended. */
  afterId: number;
  limit: number;
}

export interface NewEntry {
  parentId: number | null;
  dn: string;
  ndn: string;
  path: string;
  attributes: AttributeMap;
}

/** Synchronous operations inside one write transaction; all of them commit together or not at all. */
export interface WriteTx {
  entryByNdn(ndn: string): StoredEntry | undefined;
  entryById(id: number): StoredEntry | undefined;
  hasChildren(id: number): boolean;
  /** Every entry below this one (not itself), parents before children. */
  descendants(id: number): StoredEntry[];
  /** Ids of entries having this normalised value, optionally limited. */
  entriesWithValue(attr: string, norm: string, limit?: number): number[];
  insertEntry(entry: NewEntry): number;
  /** Replaces an entry's attributes; its index rows follow (the indexer's). */
  updateEntry(id: number, attributes: AttributeMap): void;
  /** Moves an entry and its whole subtree: every descendant's dn, ndn and path change suffix. */
  moveEntry(id: number, parentId: number | null, dn: string, ndn: string, path: string): void;
  deleteEntry(id: number): void;
  setCredential(entryId: number, hash: string, changedAt: number): void;
  deleteCredential(entryId: number): void;
  /** Ends every portal session of an entry (its password changed). */
  endWebSessions(entryId: number): void;
  /** Keeps an earlier hash for pwdInHistory, and only the newest `keep` of them. */
  addPasswordHistory(entryId: number, hash: string, changedAt: number, keep: number): void;
  credential(entryId: number): { hash: string; changedAt: number } | undefined;
  setMeta(key: string, value: string): void;
  /** A TOTP secret (already encrypted), pending until confirmed. */
  setTotp(entryId: number, sealedSecret: string, confirmed: boolean, createdAt: number): void;
  confirmTotp(entryId: number): void;
  /** Removes the secret, and the recovery codes that stood in for it. */
  deleteTotp(entryId: number): void;
  /** The NT hash of a device credential (MSCHAPv2), stored beside its entry. */
  setDeviceSecret(entryId: number, ntHash: string): void;
  /** A new set of recovery codes (their hashes), replacing any earlier set. */
  setRecoveryCodes(entryId: number, codeHashes: string[], createdAt: number): void;
  /** Password checks under way for an account, started at or after `since` (older ones are abandoned). */
  bindAttemptsInFlight(entryId: number, since: number): number;
  /** Records a password check under way; its id ends it. */
  startBindAttempt(entryId: number, startedAt: number): number;
  /** Ends a password check (and forgets abandoned ones older than `abandonedBefore`). */
  endBindAttempt(attemptId: number, abandonedBefore: number): void;
}

/** A portal session as stored: the token itself is never stored, only its hash. */
export interface WebSessionRecord {
  entryId: number;
  createdAt: number;
  seenAt: number;
  /** The accounts engine's own note of what the session may still do (undefined: anything). */
  restriction?: string;
}

export interface TotpRecord {
  sealedSecret: string;
  confirmed: boolean;
  lastStep: number;
}

export interface AppPasswordRecord {
  id: number;
  name: string;
  hash: string;
  /** JSON of the scope (accounts/app-passwords.ts). */
  scope: string;
  createdAt: number;
  lastUsedAt?: number;
}

/** The directory's view of storage. Async so that a networked database can implement it later. */
export interface Store {
  entryByNdn(ndn: string): Promise<StoredEntry | undefined>;
  entryById(id: number): Promise<StoredEntry | undefined>;
  hasChildren(id: number): Promise<boolean>;
  searchPage(query: SearchPageQuery): Promise<StoredEntry[]>;
  credential(entryId: number): Promise<{ hash: string; changedAt: number } | undefined>;
  /** Password checks under way for an account, started at or after `since` (as WriteTx's, outside a write). */
  bindAttemptsInFlight(entryId: number, since: number): Promise<number>;
  /** The newest earlier hashes of an entry's password, newest first. */
  passwordHistory(entryId: number, limit: number): Promise<string[]>;
  meta(key: string): Promise<string | undefined>;
  totp(entryId: number): Promise<TotpRecord | undefined>;
  /** Records that a time step was used, atomically: false when it (or a later one) was used already. */
  claimTotpStep(entryId: number, step: number): Promise<boolean>;
  /** Remembers a code accepted for a client until expiresAt; and asks whether it was. */
  rememberTotpUse(entryId: number, client: string, codeMac: string, expiresAt: number, now: number): Promise<void>;
  recentTotpUse(entryId: number, client: string, codeMac: string, now: number): Promise<boolean>;
  /** Whether this reminder went out for this password (identified by its change time). */
  reminderSent(entryId: number, passwordChangedAt: string, reminder: string): Promise<boolean>;
  recordReminders(entryId: number, passwordChangedAt: string, reminders: string[], sentAt: number): Promise<void>;
  /** Every entry with a TOTP secret, and whether it is confirmed. */
  totpEnrolments(): Promise<{ entryId: number; confirmed: boolean }[]>;
  /** A forgotten-password token (its hash) for an entry, replacing any earlier one. */
  setResetToken(entryId: number, tokenHash: string, requestedAt: number, expiresAt: number): Promise<void>;
  /** When the entry's current reset token was requested (to space out mails). */
  resetTokenRequestedAt(entryId: number): Promise<number | undefined>;
  /** The entry a reset token is for, while it has not expired at `now`. */
  resetTokenEntry(tokenHash: string, now: number): Promise<number | undefined>;
  /** Spends a reset token, atomically: what it was, if it existed and had not expired at `now`. */
  takeResetToken(tokenHash: string, now: number): Promise<{ entryId: number; requestedAt: number; expiresAt: number } | undefined>;
  /** A person's app passwords (their hashes and scopes), oldest first. */
  appPasswords(entryId: number): Promise<AppPasswordRecord[]>;
  addAppPassword(entryId: number, name: string, hash: string, scope: string, createdAt: number): Promise<void>;
  /** Removes one app password by name (or all of the entry's): how many went. */
  deleteAppPasswords(entryId: number, name?: string): Promise<number>;
  appPasswordUsed(id: number, now: number): Promise<void>;
  /** A device credential's NT hash and when it last authenticated. */
  deviceSecret(entryId: number): Promise<{ ntHash: string; lastUsedAt?: number } | undefined>;
  deviceUsed(entryId: number, now: number): Promise<void>;
  /** Spends a recovery code, atomically: false when the entry has no such unused code. */
  useRecoveryCode(entryId: number, codeHash: string, now: number): Promise<boolean>;
  /** How many of the entry's recovery codes are still unused (0 when it has none). */
  recoveryCodesLeft(entryId: number): Promise<number>;
  createWebSession(tokenHash: string, session: WebSessionRecord): Promise<void>;
  webSession(tokenHash: string): Promise<WebSessionRecord | undefined>;
  touchWebSession(tokenHash: string, seenAt: number): Promise<void>;
  deleteWebSession(tokenHash: string): Promise<void>;
  /** Forgets sessions last seen before `seenBefore` or created before `createdBefore`. */
  expireWebSessions(seenBefore: number, createdBefore: number): Promise<void>;
  /**
   * Runs fn in one write transaction. `durable: false` is for bookkeeping a power cut may lose without harm
   * (a password check in flight): it commits without waiting for the disk, whatever `synchronous` says.
   */
  write<T>(fn: (tx: WriteTx) => T, options?: { durable?: boolean }): Promise<T>;
  /**
   * Tells the store how values are indexed (before any write or search). When the index was built by
   * another indexer (its fingerprint differs), it is rebuilt from the entries first: the number of entries
   * reindexed, 0 when nothing was to do.
   */
  useIndexer(indexer: EntryIndexer): Promise<number>;
  close(): Promise<void>;
}

/** A write that waited its whole busy timeout for another process's write transaction (SQLITE_BUSY). */
export class StoreBusy extends Error {
  constructor(readonly waitedMs: number) {
    super(`the database stayed locked by another writer for ${waitedMs / 1000} s`);
    this.name = 'StoreBusy';
  }
}
