import type { Command } from 'commander';
import { SYSTEM } from '../directory/identity';
import { escapeDNValue } from '../directory/dn';
import { services } from './lookup';
import { withDirectory } from './context';

export function registerServices(program: Command) {
  const service = program.command('service').description('bind accounts for sssd, nslcd, FreeRADIUS and Wi-Fi controllers (read-only)');
  service
    .command('add')
    .argument('<name>')
    .option('--password <password>', 'generated and printed when absent')
    .option('--description <text>')
    .action(async (name: string, o: { password?: string; description?: string }, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        const target = `cn=${escapeDNValue(name)},${services(d)}`;
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
