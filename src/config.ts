import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configDir } from './paths';

export interface Config {
  server: {
    listen: string;
    ldaps: string;
    workers: number;
    connectionBalancing: 'kernel' | 'primary';
    tlsCert: string;
    tlsKey: string;
    allowCleartextBind: boolean;
    maxConnections: number;
    idleTimeoutSeconds: number;
    maxMessageBytes: number;
    maxAnonymousMessageBytes: number;
    maxUnauthenticatedPerAddress: number;
    messageTimeoutSeconds: number;
    unauthenticatedIdleSeconds: number;
    unauthenticatedBufferBytes: number;
    shutdownGraceSeconds: number;
  };
  metrics: { listen: string };
  portal: { listen: string; publicUrl: string; trustedProxies: string[]; sessionIdleMinutes: number; sessionMaxHours: number };
  search: { sizeLimit: number; timeLimitSeconds: number };
  security: { bcryptCost: number; hashWorkers: number; bindCacheSeconds: number };
  ids: { uidNumberMin: number; uidNumberMax: number; gidNumberMin: number; gidNumberMax: number };
  users: { homeDirectoryPrefix: string; defaultShell: string; defaultGroup: string };
  access: { selfWritable: string[]; selfAddableClasses: string[]; allowedShells: string[] };
  log: { level: string; file: string; auditFile: string };
  notify: {
    enabled: boolean;
    hour: number;
    daysBefore: number[];
    onExpiry: boolean;
    changeUrl: string;
    instructions: string;
    textTemplate: string;
    htmlTemplate: string;
    subject: string;
    smtp: { host: string; port: number; tls: boolean; startTls: boolean; user: string; password: string; from: string };
  };
  mfa: { keyFile: string; window: number; reuseSeconds: number; requiredGroups: string[]; servicesExempt: boolean; issuer: string };
  schema: { extra: string[] };
  /** Device credentials: the groups (by cn) whose members may have them; the services (by cn) that may read their NT hashes. */
  wifi: { groups: string[]; ntHashReaders: string[] };
  store: { synchronous: 'full' | 'normal' };
}

export class ConfigError extends Error {}

/** A listening address setting (`server.listen`, `metrics.listen`…) as host and port. */
export interface ListenAddress {
  host: string;
  port: number;
}

export function parseAddress(text: string): ListenAddress {
  const m = /^\[?([^\]]*)\]?:(\d+)$/.exec(text);
  if (!m) throw new Error(`bad address "${text}": use HOST:PORT`);
  return { host: m[1], port: Number(m[2]) };
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const checks: Record<string, (v: never) => string | undefined> = {
  'server.listen': (v: string) => (ADDRESS.test(v) ? undefined : 'must be HOST:PORT'),
  'server.ldaps': (v: string) => (v === 'none' || ADDRESS.test(v) ? undefined : 'must be HOST:PORT or "none"'),
  'server.workers': (v: number) => (Number.isInteger(v) && v >= 0 && v <= 64 ? undefined : 'must be 0 (one per CPU) to 64'),
  'server.connectionBalancing': (v: string) => (v === 'kernel' || v === 'primary' ? undefined : 'must be "kernel" or "primary"'),
  'server.maxConnections': (v: number) => (Number.isInteger(v) && v >= 1 ? undefined : 'must be a whole number of at least 1'),
  'server.idleTimeoutSeconds': (v: number) => (v >= 0 ? undefined : 'must be 0 (never) or more'),
  'server.maxMessageBytes': (v: number) => (Number.isInteger(v) && v >= 1024 ? undefined : 'must be at least 1024'),
  'server.maxAnonymousMessageBytes': (v: number) => (Number.isInteger(v) && v >= 1024 ? undefined : 'must be at least 1024'),
  'server.maxUnauthenticatedPerAddress': (v: number) => (Number.isInteger(v) && v >= 0 ? undefined : 'must be 0 (no cap) or a whole number'),
  'server.messageTimeoutSeconds': (v: number) => (v >= 0 ? undefined : 'must be 0 (none) or more'),
  'server.unauthenticatedIdleSeconds': (v: number) => (v >= 0 ? undefined : 'must be 0 (none) or more'),
  'server.unauthenticatedBufferBytes': (v: number) => (Number.isInteger(v) && v >= 1048576 ? undefined : 'must be at least 1048576 (1 MB)'),
  'metrics.listen': (v: string) => (v === 'none' || ADDRESS.test(v) ? undefined : 'must be HOST:PORT or "none"'),
  'portal.listen': (v: string) => (v === 'none' || ADDRESS.test(v) ? undefined : 'must be HOST:PORT or "none"'),
  'portal.publicUrl': (v: string) => (v === '' || /^https:\/\/[^/\s]+(\/[^\s]*)?$/.test(v) ? undefined : 'must be empty or an https:// URL'),
  'portal.trustedProxies': (v: unknown) => (isStringArray(v) ? undefined : 'must be a list of addresses or CIDR ranges'),
  'portal.sessionIdleMinutes': (v: number) => (Number.isInteger(v) && v >= 1 && v <= 1440 ? undefined : 'must be 1 to 1440 minutes'),
  'portal.sessionMaxHours': (v: number) => (Number.isInteger(v) && v >= 1 && v <= 168 ? undefined : 'must be 1 to 168 hours'),
  'search.sizeLimit': (v: number) => (Number.isInteger(v) && v >= 0 ? undefined : 'must be 0 (unlimited) or more'),
  'search.timeLimitSeconds': (v: number) => (v >= 0 ? undefined : 'must be 0 (unlimited) or more'),
  'security.bcryptCost': (v: number) => (Number.isInteger(v) && v >= 4 && v <= 16 ? undefined : 'must be a whole number from 4 to 16'),
  'security.hashWorkers': (v: number) => (Number.isInteger(v) && v >= 0 && v <= 64 ? undefined : 'must be 0 (one per CPU) to 64'),
  'security.bindCacheSeconds': (v: number) => (Number.isInteger(v) && v >= 0 && v <= 3600 ? undefined : 'must be 0 (off) to 3600'),
  'access.selfWritable': (v: unknown) => (isStringArray(v) ? undefined : 'must be a list of attribute names'),
  'access.selfAddableClasses': (v: unknown) => (isStringArray(v) ? undefined : 'must be a list of object class names'),
  'access.allowedShells': (v: unknown) => (isStringArray(v) && v.every((x) => x.startsWith('/')) ? undefined : 'must be a list of absolute paths'),
  'mfa.window': (v: number) => (Number.isInteger(v) && v >= 0 && v <= 10 ? undefined : 'must be a whole number of steps from 0 to 10'),
  'mfa.reuseSeconds': (v: number) => (Number.isInteger(v) && v >= 0 && v <= 3600 ? undefined : 'must be 0 (off) to 3600 seconds'),
  'mfa.requiredGroups': (v: unknown) => (isStringArray(v) ? undefined : 'must be a list of group DNs'),
  'wifi.groups': (v: unknown) => (isStringArray(v) ? undefined : 'must be a list of group names (cn)'),
  'wifi.ntHashReaders': (v: unknown) => (isStringArray(v) ? undefined : 'must be a list of service names (cn under ou=services)'),
  'notify.hour': (v: number) => (Number.isInteger(v) && v >= 0 && v <= 23 ? undefined : 'must be an hour from 0 to 23'),
  'notify.daysBefore': (v: unknown) =>
    Array.isArray(v) && v.every((d) => Number.isInteger(d) && d > 0) ? undefined : 'must be a list of whole numbers of days',
  'notify.smtp.port': (v: number) => (Number.isInteger(v) && v > 0 && v < 65536 ? undefined : 'must be a port number'),
  'schema.extra': (v: unknown) =>
    isStringArray(v) && v.every((x) => x.startsWith('/')) ? undefined : 'must be a list of absolute paths of schema files or folders',
  'store.synchronous': (v: string) =>
    v === 'full' || v === 'normal'
      ? undefined
      : 'must be full (every acknowledged write survives a power loss) or normal (faster; the last writes may roll back after a power loss)',
  'log.level': (v: string) => (['error', 'warn', 'info', 'debug'].includes(v) ? undefined : 'must be error, warn, info or debug'),
};

export function loadDefaults(): Config {
  return JSON.parse(readFileSync(join(configDir, 'default.json'), 'utf8')) as Config;
}

/** Environment variable for a key: `server.maxConnections` → `CAIRN_SERVER_MAX_CONNECTIONS`. */
export const envName = (key: string) =>
  'CAIRN_' +
  key
    .replace(/\./g, '_')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toUpperCase();

function merge(target: Record<string, Json>, source: Json, path: string, origin: string) {
  if (!isObject(source)) throw new ConfigError(`${origin}: ${path || 'the configuration'} must be an object`);
  for (const [k, v] of Object.entries(source)) {
    const key = path ? `${path}.${k}` : k;
    if (!(k in target)) throw new ConfigError(`${origin}: unknown setting "${key}"`);
    const current = target[k];
    if (isObject(current)) {
      merge(current, v, key, origin);
    } else {
      if (typeof v !== typeof current || Array.isArray(v) !== Array.isArray(current))
        throw new ConfigError(`${origin}: "${key}" must be ${Array.isArray(current) ? 'a list' : 'a ' + typeof current}, not ${JSON.stringify(v)}`);
      target[k] = v;
    }
  }
}

function applyEnvironment(target: Record<string, Json>, env: NodeJS.ProcessEnv, path = '') {
  for (const [k, current] of Object.entries(target)) {
    const key = path ? `${path}.${k}` : k;
    if (isObject(current)) {
      applyEnvironment(current, env, key);
      continue;
    }
    const raw = env[envName(key)];
    if (raw === undefined) continue;
    const where = `environment variable ${envName(key)}`;
    if (Array.isArray(current)) {
      // Lists are separated by ";": values such as group DNs contain commas.
      const items = raw
        .split(';')
        .map((x) => x.trim())
        .filter((x) => x !== '');
      target[k] = typeof current[0] === 'number' ? items.map(Number) : items;
    } else if (typeof current === 'number') {
      if (!/^-?\d+(\.\d+)?$/.test(raw.trim())) throw new ConfigError(`${where}: "${key}" must be a number, not "${raw}"`);
      target[k] = Number(raw);
    } else if (typeof current === 'boolean') {
      if (!/^(true|false|1|0|yes|no)$/i.test(raw)) throw new ConfigError(`${where}: "${key}" must be true or false, not "${raw}"`);
      target[k] = /^(true|1|yes)$/i.test(raw);
    } else {
      target[k] = raw;
    }
  }
}

function validate(config: Record<string, Json>, path = '') {
  for (const [k, v] of Object.entries(config)) {
    const key = path ? `${path}.${k}` : k;
    if (isObject(v)) validate(v, key);
    else {
      const problem = checks[key]?.(v as never);
      if (problem) throw new ConfigError(`setting "${key}" ${problem} (it is ${JSON.stringify(v)})`);
    }
  }
}

/** Defaults, then the JSON file, then CAIRN_* environment variables, then the command line's overrides. */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; overrides?: Json } = {}): Config {
  const config = loadDefaults() as unknown as Record<string, Json>;
  if (options.file) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read configuration file ${options.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch (err) {
      const detail = (err as Error).message
        .split('\n')[0]
        .replace(/, "[\s\S]*$/, '')
        .slice(0, 120);
      throw new ConfigError(`configuration file ${options.file} is not valid JSON (${detail})`);
    }
    merge(config, parsed, '', options.file);
  }
  applyEnvironment(config, options.env ?? process.env);
  if (options.overrides) merge(config, options.overrides, '', 'command line');
  validate(config);
  const c = config as unknown as Config;
  if (c.ids.uidNumberMin > c.ids.uidNumberMax) throw new ConfigError('setting "ids.uidNumberMin" must not exceed "ids.uidNumberMax"');
  if (c.ids.gidNumberMin > c.ids.gidNumberMax) throw new ConfigError('setting "ids.gidNumberMin" must not exceed "ids.gidNumberMax"');
  if ((c.server.tlsCert === '') !== (c.server.tlsKey === ''))
    throw new ConfigError('settings "server.tlsCert" and "server.tlsKey" go together: give both or neither');
  return c;
}
