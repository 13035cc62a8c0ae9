import type { Command } from 'commander';
import { loadConfig, type Config } from '../config';
import type { Logger } from '../log';
import type { OpenDirectory, OpenOptions } from '../runtime';
import { LdapError } from '../directory/errors';

export interface GlobalOptions {
  data: string;
  config?: string;
}

export function globalOptions(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export function configFor(cmd: Command, overrides?: Record<string, unknown>): Config {
  return loadConfig({ file: globalOptions(cmd).config, overrides: overrides as never });
}

/**
 * CLI commands log warnings only, to stderr, so their own output stays readable. The logger and the
 * directory are loaded when a command first needs them: a command that stops at its arguments (or
 * --help, --version) starts in a fraction of the time.
 */
export async function cliLogger(config: Config): Promise<Logger> {
  const { createLogger } = await import('../log');
  return createLogger(process.env.CAIRN_LOG_LEVEL ? config.log.level : 'warn', config.log.file || undefined);
}

/**
 * Opens the directory for one command and always closes it. Passwords are hashed inline unless the
 * command asks for the hash threads (an import, which may hash thousands).
 */
export async function withDirectory<T>(
  cmd: Command,
  fn: (o: OpenDirectory, config: Config) => Promise<T>,
  options: Pick<OpenOptions, 'hashing'> = {},
): Promise<T> {
  const config = configFor(cmd);
  const { openDirectory } = await import('../runtime');
  const opened = await openDirectory(globalOptions(cmd).data, config, await cliLogger(config), { hashing: 'inline', ...options });
  try {
    return await fn(opened, config);
  } finally {
    await opened.close();
  }
}

/**
 * One clear line on stderr and a non-zero exit: how every CLI error ends. The process ends by itself, so
 * the audit log still gets its line for a refused write.
 */
export function fail(err: unknown): void {
  const message = err instanceof LdapError ? `${err.message} (LDAP result ${err.resultCode})` : err instanceof Error ? err.message : String(err);
  process.stderr.write(`cairn: ${message}\n`);
  process.exitCode = 1;
}
