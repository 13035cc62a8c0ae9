import type { Command } from 'commander';
import { SYSTEM } from '../directory/identity';
import { serviceDN } from '../directory/layout';
import { withDirectory } from './context';
import { checkName } from '../directory/input-checks';

export function registerServices(program: Command) {
  const service = program.command('service').description('bind accounts for sssd, nslcd, FreeRADIUS and Wi-Fi controllers (read-only)');
  service
    .command('add')
    .description('add a service account under ou=services (bind and read only)')
    .argument('<name>', 'the service name: letters, digits, ".", "_", "-"')
    .option('--password <password>', 'generated and printed when absent')
    .option('--description <text>')
    .action(async (name: string, o: { password?: string; description?: string }, cmd: Command) => {
      checkName('service name', name);
      await withDirectory(cmd, async ({ directory: d }) => {
        const target = serviceDN(d.namingContext, name);
        // Generated for the policy that will govern the new account, so that the add cannot refuse it.
        const password = o.password ?? (await d.accounts.generatePassword(target));
        const dn = await d.add(SYSTEM, target, [
          { type: 'objectClass', values: ['top', 'cairnService'] },
          { type: 'cn', values: [name] },
          { type: 'userPassword', values: [password] },
          ...(o.description ? [{ type: 'description', values: [o.description] }] : []),
        ]);
        process.stdout.write(`Added ${dn}\n` + (o.password ? '' : `Password (shown once): ${password}\n`));
      });
    });
}
