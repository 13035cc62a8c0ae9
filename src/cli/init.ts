import type { Command } from 'commander';
import { cliLogger, configFor, globalOptions } from './context';

/** The first administrator's password, when none is given: one Cairn's default policy accepts. */
export async function generatePassword(): Promise<string> {
  const { generateInitialPassword } = await import('../directory/accounts/generator');
  const { loadBlocklist } = await import('../security/policy/blocklist');
  return generateInitialPassword(loadBlocklist());
}

export function registerInit(program: Command) {
  program
    .command('init')
    .description('create a new directory in the data folder')
    .option('--base <dn>', 'the naming context', 'dc=example,dc=com')
    .option('--admin-password <password>', 'the administrator password (or CAIRN_ADMIN_PASSWORD); generated when absent')
    .option('--posix-admin', "make the administrator a POSIX account too (uidNumber and the admins group's gidNumber: the first of the ids ranges)")
    .action(async (opts: { base: string; adminPassword?: string; posixAdmin?: boolean }, cmd: Command) => {
      const config = configFor(cmd);
      const given = opts.adminPassword ?? process.env.CAIRN_ADMIN_PASSWORD;
      const password = given ?? (await generatePassword());
      const { initDirectory } = await import('../runtime');
      const { adminDn } = await initDirectory(globalOptions(cmd).data, opts.base, password, config, await cliLogger(config), { posixAdmin: opts.posixAdmin });
      process.stdout.write(`Created the directory ${opts.base} in ${globalOptions(cmd).data}\nAdministrator: ${adminDn}\n`);
      if (!given) process.stdout.write(`Administrator password (shown once): ${password}\n`);
    });
}
