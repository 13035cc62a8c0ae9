import type { Command } from 'commander';
import { administrators, makeAdministrator, removeAdministrator } from '../directory/lookup';
import { withDirectory } from './context';

/** `cairn admin add|remove|list`: administrators are the members of cn=admins (full access over LDAP). */
export function registerAdmins(program: Command) {
  const admin = program.command('admin').description('administrators: the members of cn=admins (full access over LDAP)');
  admin
    .command('add')
    .description('make an existing entry an administrator (a member of cn=admins)')
    .argument('<dn>', 'an existing entry with a password, e.g. an imported cn=admin,dc=example,dc=com')
    .action(async (dn: string, _o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        const added = await makeAdministrator(d, dn);
        process.stdout.write(added ? `${dn} is now an administrator\n` : `${dn} is an administrator already\n`);
      });
    });
  admin
    .command('remove')
    .description('take an entry out of cn=admins (the last administrator stays)')
    .argument('<dn>')
    .action(async (dn: string, _o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        await removeAdministrator(d, dn);
        process.stdout.write(`${dn} is no longer an administrator\n`);
      });
    });
  admin
    .command('list')
    .description("list the administrators' DNs")
    .action(async (_o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        for (const dn of await administrators(d)) process.stdout.write(`${dn}\n`);
      });
    });
}
