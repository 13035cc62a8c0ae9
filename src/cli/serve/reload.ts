import type { Config } from '../../config';
import type { AccessControl } from '../../directory/acl';
import type { Portal } from '../../web/portal';
import type { Directory } from '../../directory/directory';
import { reopenLogFiles, type Logger } from '../../log';
import type { LdapServer } from '../../wire/server';
import { loadTls } from '../../wire/tls';
import { applySettings, changedSettings, splitChanges } from './settings';

/** What a reload (SIGHUP) did in one process: said once by the primary for all its workers. */
export interface ReloadOutcome {
  /** Why something was not reloaded; the old one stays in use. */
  errors: string[];
  /** Changed settings that take effect only at a restart. */
  restartOnly: string[];
  /** Changed settings taken up now. */
  changed: string[];
}

export const emptyOutcome = (): ReloadOutcome => ({ errors: [], restartOnly: [], changed: [] });

/** Several processes' outcomes as one, each problem once. */
export function mergeOutcomes(outcomes: readonly ReloadOutcome[]): ReloadOutcome {
  const unique = (f: (o: ReloadOutcome) => string[]) => [...new Set(outcomes.flatMap(f))];
  return { errors: unique((o) => o.errors), restartOnly: unique((o) => o.restartOnly), changed: unique((o) => o.changed) };
}

export function logOutcome(log: Logger, o: ReloadOutcome): void {
  for (const error of o.errors) log.error('reload incomplete: the old one stays in use', { error });
  if (o.restartOnly.length > 0) log.warn('changed settings that take effect only at a restart: their old values stay until then', { settings: o.restartOnly });
  log.info('reloaded', { changed: o.changed, errors: o.errors.length });
}

/**
 * Reopens the log files and reads the configuration again (file and environment, as at start). Settings
 * that may change live are copied into `config` in place; `check` may refuse the new configuration (it
 * throws), and then nothing changes. Returns the live settings changed.
 */
export function reloadConfig(config: Config, readConfig: () => Config, outcome: ReloadOutcome, check?: (next: Config) => void): string[] {
  outcome.errors.push(...reopenLogFiles());
  let next: Config;
  try {
    next = readConfig();
    check?.(next);
  } catch (err) {
    outcome.errors.push(`the configuration was not reloaded: ${(err as Error).message}`);
    return [];
  }
  const { live, restartOnly } = splitChanges(changedSettings(config, next));
  applySettings(config, next, live);
  outcome.restartOnly.push(...restartOnly);
  outcome.changed.push(...live);
  return live;
}

export interface Serving {
  config: Config;
  log: Logger;
  directory: Directory;
  /** The self-service portal, when portal.listen is not none. */
  portal?: Portal;
  ldap: LdapServer;
  /** The certificate and key files, from the configuration as it is now. */
  tlsFiles(config: Config): { cert: string; key: string };
}

/**
 * SIGHUP in a serving process: log files reopened, live settings taken up (access rules, limits, MFA,
 * bcrypt cost, log level...), and the TLS certificate and key read again for the next handshakes. What
 * fails keeps the old and is said in the outcome.
 */
export function reloadServing(s: Serving, readConfig: () => Config): ReloadOutcome {
  const outcome = emptyOutcome();
  const d = s.directory;
  let acl: AccessControl | undefined;
  const live = reloadConfig(s.config, readConfig, outcome, (next) => {
    // Unknown attribute or class names in access.*: refused before anything changes.
    acl = d.prepareAccess(next.access);
  });
  if (live.length > 0) {
    if (acl) d.useAccess(acl);
    d.bcryptCost = s.config.security.bcryptCost;
    s.log.level = s.config.log.level;
    s.ldap.reconfigure();
  }
  if (s.ldap.hasTls) {
    const { cert, key } = s.tlsFiles(s.config);
    try {
      const tls = loadTls(cert, key);
      s.ldap.setTls(tls);
      s.portal?.setSecureContext(tls.options);
    } catch (err) {
      outcome.errors.push(`the TLS certificate was not reloaded: ${(err as Error).message}`);
    }
  }
  return outcome;
}
