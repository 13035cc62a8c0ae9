import type { Config } from '../../config';

/**
 * Settings read once, when the server starts: a change in the configuration waits for a restart, and a
 * reload (SIGHUP) names them in a warning. Every other setting takes effect at the reload.
 */
export const RESTART_ONLY: readonly string[] = [
  'server.listen',
  'server.ldaps',
  'server.workers',
  'server.connectionBalancing',
  'server.maxConnections',
  'server.maxUnauthenticatedPerAddress',
  'server.messageTimeoutSeconds',
  'server.unauthenticatedIdleSeconds',
  'server.unauthenticatedBufferBytes',
  'security.hashWorkers',
  'store.synchronous',
  'schema.extra',
  'mfa.keyFile',
  'log.file',
  'log.auditFile',
];

type Tree = Record<string, unknown>;
const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The settings (dotted keys) whose values differ between two configurations. */
export function changedSettings(current: Config, next: Config): string[] {
  const out: string[] = [];
  const walk = (a: Tree, b: Tree, path: string) => {
    for (const k of Object.keys(b)) {
      const key = path ? `${path}.${k}` : k;
      if (isTree(a[k]) && isTree(b[k])) walk(a[k], b[k], key);
      else if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) out.push(key);
    }
  };
  walk(current as unknown as Tree, next as unknown as Tree, '');
  return out;
}

/**
 * Copies the given settings from `next` into `current`, changing it in place: the directory, the LDAP
 * server and the MFA layer hold `current` (or a part of it) and read it at each use.
 */
export function applySettings(current: Config, next: Config, keys: readonly string[]): void {
  for (const key of keys) {
    const path = key.split('.');
    const last = path.pop()!;
    let a = current as unknown as Tree;
    let b = next as unknown as Tree;
    for (const p of path) {
      a = a[p] as Tree;
      b = b[p] as Tree;
    }
    a[last] = b[last];
  }
}

/** Splits changed settings into those taken up now and those that wait for a restart. */
export function splitChanges(changed: readonly string[]): { live: string[]; restartOnly: string[] } {
  return { live: changed.filter((k) => !RESTART_ONLY.includes(k)), restartOnly: changed.filter((k) => RESTART_ONLY.includes(k)) };
}
