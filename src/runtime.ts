import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, writeFileSync, rmSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config';
import { Directory } from './directory/directory';
import { Normalization } from './directory/normalize';
import { SYSTEM } from './directory/identity';
import { adminsGroupDN, defaultPolicyDN, groupDN, initialAdminDN, unitDN, UNITS } from './directory/layout';
import type { Schema } from './directory/schema/registry';
import { loadSchema as loadSchemaFiles } from './directory/schema/load';
import { createLogger, silentLogger, type Logger } from './log';
import { HashPool } from './security/hash-pool';
import { openMfaKey, type SealedEnrolments } from './security/mfa-key';
import { SecretBox } from './security/secret-box';
import { PasswordHasher } from './security/passwords';
import { generateSelfSignedCertificate } from './security/certificate';
import { SqliteStore } from './store/sqlite-store';
import { schemaDir } from './paths';
import { supportedControls } from './wire/controls';
import { supportedExtensions } from './wire/extended';
import { parseDN } from './directory/dn';
import { DEFAULT_POLICY, defaultPolicyAttributes } from './security/policy/policy';
import { checkLength } from './security/policy/quality';
import type { Clock } from './directory/accounts/clock';
import { recordInitEntries } from './directory/init-entries';
import { formatGeneralizedTime } from './directory/matching';
import { dataPaths, mfaKeyFile } from './data-folder';

/** The audit trail: DATA/audit.log unless log.auditFile names another file, or "none". */
function auditLogger(config: Config, dataDir: string): Logger {
  if (config.log.auditFile === 'none') return silentLogger();
  return createLogger('info', config.log.auditFile || join(dataDir, 'audit.log'));
}

function requireDirectory(paths: ReturnType<typeof dataPaths>, dataDir: string): void {
  if (!existsSync(paths.database)) throw new Error(`no directory in ${paths.dir} (run "cairn init --data ${dataDir}" first)`);
}

/**
 * The MFA key for the directory in `store`: made only while nobody is enrolled (pending or confirmed);
 * refused when missing or not opening an enrolled secret (one is checked).
 */
export async function mfaKeyFor(store: SqliteStore, config: Config, dataDir: string): Promise<SecretBox> {
  return openMfaKey(mfaKeyFile(config, dataDir), await sealedEnrolments(store));
}

/** How many MFA enrolments the directory holds (pending or confirmed), and one sealed secret to try a key on. */
export async function sealedEnrolments(store: SqliteStore): Promise<SealedEnrolments> {
  const enrolments = await store.totpEnrolments();
  const first = enrolments[0] && (await store.totp(enrolments[0].entryId));
  return { count: enrolments.length, sample: first?.sealedSecret };
}

/**
 * Checks the MFA key before any server worker starts (see mfaKeyFor), so that a lost key stops start-up
 * with one line, and several workers never race to make a key.
 */
export async function checkMfaKey(dataDir: string, config: Config): Promise<void> {
  const paths = dataPaths(dataDir);
  requireDirectory(paths, dataDir);
  const store = new SqliteStore(paths.database);
  try {
    await mfaKeyFor(store, config, paths.dir);
  } finally {
    await store.close();
  }
}

/**
 * Rebuilds the index when the schema changed since it was built (see Directory.prepareIndex): once, in the
 * primary before any server worker starts, so that workers never wait on each other's rebuild.
 */
export async function prepareIndex(dataDir: string, config: Config, log: Logger): Promise<void> {
  const paths = dataPaths(dataDir);
  requireDirectory(paths, dataDir);
  const store = new SqliteStore(paths.database, { synchronous: config.store.synchronous });
  try {
    await Directory.prepareIndex(store, new Normalization(loadSchema(config)), log);
  } finally {
    await store.close();
  }
}

export interface OpenDirectory {
  directory: Directory;
  store: SqliteStore;
  close(): Promise<void>;
}

let schemaCache: { extra: string; schema: Schema } | undefined;
/** Cairn's schema plus the site's (schema.extra), read once per process. */
export function loadSchema(config: Config): Schema {
  const extra = JSON.stringify(config.schema.extra);
  if (schemaCache?.extra !== extra) schemaCache = { extra, schema: loadSchemaFiles(schemaDir, config.schema.extra) };
  return schemaCache.schema;
}

export interface OpenOptions {
  /**
   * Opens without the MFA key, sealing with a throw-away one: only for "cairn mfa new-key", which removes
   * every enrolment before it writes a new key.
   */
  withoutMfaKey?: boolean;
  /** The time the account rules read (tests move it); the system clock when absent. */
  clock?: Clock;
  /**
   * Where passwords are hashed: on security.hashWorkers threads (a server, an import), or inline on the
   * caller's thread (a CLI command that hashes one password: a thread costs more to start than the hash).
   */
  hashing?: 'threads' | 'inline';
}

/** Opens an initialised data folder: store, schema, hashing pool and the directory on top. */
export async function openDirectory(dataDir: string, config: Config, log: Logger, options: OpenOptions = {}): Promise<OpenDirectory> {
  const paths = dataPaths(dataDir);
  requireDirectory(paths, dataDir);
  const store = new SqliteStore(paths.database, { synchronous: config.store.synchronous });
  let secrets: SecretBox;
  try {
    secrets = options.withoutMfaKey ? SecretBox.random() : await mfaKeyFor(store, config, paths.dir);
  } catch (err) {
    await store.close();
    throw err;
  }
  const pool = new HashPool(options.hashing === 'inline' ? 'inline' : config.security.hashWorkers || availableParallelism());
  try {
    const directory = await Directory.open({
      store,
      schema: loadSchema(config),
      config,
      hasher: new PasswordHasher(pool, config.security.bcryptCost),
      log,
      audit: auditLogger(config, paths.dir),
      secrets,
      clock: options.clock,
      features: { controls: supportedControls(), extensions: supportedExtensions(), vendorVersion: '0.1.0' },
    });
    return {
      directory,
      store,
      close: async () => {
        await pool.close();
        await store.close();
      },
    };
  } catch (err) {
    await pool.close();
    await store.close();
    throw err;
  }
}

/** The entry for the naming context itself, from its RDN type. */
function baseEntry(base: string): { type: string; values: string[] }[] {
  const rdn = parseDN(base)[0]?.[0];
  if (!rdn) throw new Error('the base DN must not be empty');
  switch (rdn.type.toLowerCase()) {
    case 'dc':
      return [
        { type: 'objectClass', values: ['top', 'dcObject', 'organization'] },
        { type: 'dc', values: [rdn.value] },
        { type: 'o', values: [rdn.value] },
      ];
    case 'o':
      return [
        { type: 'objectClass', values: ['top', 'organization'] },
        { type: 'o', values: [rdn.value] },
      ];
    case 'ou':
      return [
        { type: 'objectClass', values: ['top', 'organizationalUnit'] },
        { type: 'ou', values: [rdn.value] },
      ];
    default:
      throw new Error(`the base DN must start with dc=, o= or ou= (not ${rdn.type}=)`);
  }
}

const ou = (name: string) => [
  { type: 'objectClass', values: ['top', 'organizationalUnit'] },
  { type: 'ou', values: [name] },
];

export interface InitOptions {
  /** The built-in administrator is also a POSIX account (uidNumber/gidNumber from the ids ranges' first numbers). */
  posixAdmin?: boolean;
}

/**
 * Creates a new directory: database, base entry, the four organisational units, the administrator in
 * cn=admins, a default group, and a self-signed certificate. Refuses an existing one; on failure removes
 * what it created.
 *
 * The built-in entries take no POSIX numbers (unless posixAdmin): the administrator is no posixAccount, so
 * `getent passwd` on the login machines does not list it, and cn=admins and the default group have no
 * gidNumber, so an import keeps the numbers it brings. `cairn user add` gives the default group the first
 * free gidNumber of the ids range when it first needs one.
 */
export async function initDirectory(
  dataDir: string,
  base: string,
  adminPassword: string,
  config: Config,
  log: Logger,
  options: InitOptions = {},
): Promise<{ adminDn: string }> {
  const paths = dataPaths(dataDir);
  // Set up, not changed: the quality rules do not apply (see below), but the default policy's length rules do.
  const short = checkLength(adminPassword, { dn: '', ...DEFAULT_POLICY });
  if (short) throw new Error(`the administrator password ${short.message} (the default policy's pwdMinLength/pwdMaxLength); nothing was created`);
  if (existsSync(paths.database)) throw new Error(`${paths.dir} already holds a directory; refusing to overwrite it`);
  const created = !existsSync(paths.dir);
  if (!created && readdirSync(paths.dir).length > 0 && existsSync(join(paths.dir, 'tls'))) {
    throw new Error(`${paths.dir} is not empty; refusing to overwrite it`);
  }
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const cleanup = () => {
    for (const f of [paths.database, paths.database + '-wal', paths.database + '-shm', join(paths.dir, 'tls')]) rmSync(f, { recursive: true, force: true });
    if (created) rmSync(paths.dir, { recursive: true, force: true });
  };
  try {
    const baseAttrs = baseEntry(base);
    const store = new SqliteStore(paths.database, { synchronous: config.store.synchronous });
    await store.write((tx) => tx.setMeta('base', base));
    await store.close();
    const opened = await openDirectory(dataDir, config, log, { hashing: 'inline' });
    try {
      const d = opened.directory;
      const b = d.namingContext;
      await opened.store.batch(async () => {
        await d.add(SYSTEM, b, baseAttrs);
        for (const unit of UNITS) await d.add(SYSTEM, unitDN(b, unit), ou(unit));
        await d.add(SYSTEM, defaultPolicyDN(b), [
          { type: 'objectClass', values: ['top', 'cairnPolicy', 'pwdPolicy', 'cairnPasswordPolicy'] },
          { type: 'cn', values: ['default'] },
          { type: 'pwdAttribute', values: ['userPassword'] },
          ...defaultPolicyAttributes(),
        ]);
        const adminDn = initialAdminDN(b);
        const adminGid = String(config.ids.gidNumberMin);
        await d.add(SYSTEM, adminsGroupDN(b), [
          { type: 'objectClass', values: ['top', 'groupOfNames', ...(options.posixAdmin ? ['posixGroup'] : [])] },
          { type: 'cn', values: ['admins'] },
          ...(options.posixAdmin ? [{ type: 'gidNumber', values: [adminGid] }] : []),
          { type: 'description', values: ['Cairn administrators: full access to the directory'] },
        ]);
        await d.add(SYSTEM, groupDN(b, config.users.defaultGroup), [
          { type: 'objectClass', values: ['top', 'groupOfNames'] },
          { type: 'cn', values: [config.users.defaultGroup] },
        ]);
        const posix = options.posixAdmin
          ? [
              { type: 'uidNumber', values: [String(config.ids.uidNumberMin)] },
              { type: 'gidNumber', values: [adminGid] },
              { type: 'homeDirectory', values: [`${config.users.homeDirectoryPrefix}/admin`] },
              { type: 'loginShell', values: [config.users.defaultShell] },
            ]
          : [];
        await d.add(
          SYSTEM,
          adminDn,
          [
            { type: 'objectClass', values: ['top', 'inetOrgPerson', ...(options.posixAdmin ? ['posixAccount', 'shadowAccount'] : [])] },
            { type: 'uid', values: ['admin'] },
            { type: 'cn', values: ['Administrator'] },
            { type: 'sn', values: ['Administrator'] },
            ...posix,
            { type: 'userPassword', values: [adminPassword] },
            // A migrated entry gets no pwdChangedTime of its own (see the writer): this one was just set.
            { type: 'pwdChangedTime', values: [formatGeneralizedTime(Date.now())] },
            // The first administrator is set up, not changed: like a migration, the policy's rules do not apply.
          ],
          { migration: true },
        );
        await d.modify(SYSTEM, adminsGroupDN(b), [{ operation: 'add', modification: { type: 'member', values: [adminDn] } }]);
        // What an import may take over while unchanged; never the administrator or cn=admins.
        const takeable = [b, ...UNITS.map((unit) => unitDN(b, unit)), defaultPolicyDN(b), groupDN(b, config.users.defaultGroup)];
        await recordInitEntries(
          opened.store,
          takeable.map((dn) => d.norm.normalizeDN(dn).ndn),
        );
      });
    } finally {
      await opened.close();
    }
    const { cert, key } = await generateSelfSignedCertificate();
    mkdirSync(join(paths.dir, 'tls'), { recursive: true, mode: 0o700 });
    writeFileSync(paths.cert, cert, { mode: 0o644 });
    writeFileSync(paths.key, key, { mode: 0o600 });
    return { adminDn: initialAdminDN(base) };
  } catch (err) {
    cleanup();
    throw err;
  }
}
