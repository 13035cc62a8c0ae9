import type { Command } from 'commander';
import { SYSTEM } from '../directory/identity';
import { personByUid } from '../directory/lookup';
import { withDirectory } from './context';

const collect = (v: string, acc: string[]) => [...acc, v];
const when = (ms?: number) => (ms === undefined ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

export function registerAppPasswords(program: Command) {
  const app = program
    .command('app-password')
    .description("passwords for programs that bind with a person's name (mail clients through Dovecot, a NAS, a printer): generated, scoped, no MFA code");
  app
    .command('add')
    .description(
      'make an app password; prints it once. It works only for binds from --from, or through --service, and never for the portal or a password change',
    )
    .argument('<uid>')
    .argument('<name>', 'what it is for: lower-case letters, digits and "-" (mail, nas, printer)')
    .option('--from <address>', 'a client address or network the bind may come from (10.0.5.12, 10.0.5.0/24); repeatable', collect, [])
    .option('--service <cn>', 'a service account the program binds as first, on the same connection (cn under ou=services); repeatable', collect, [])
    .action(async (uid: string, name: string, o: { from: string[]; service: string[] }, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        const person = await personByUid(d, uid);
        const made = await d.accounts.addAppPassword(SYSTEM, person.dn, name, { addresses: o.from, services: o.service });
        process.stdout.write(`App password ${made.name} for ${uid} (shown once): ${made.password}\n`);
      });
    });
  app
    .command('list')
    .description("a person's app passwords: name, scope, made, last used")
    .argument('<uid>')
    .action(async (uid: string, _o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        for (const a of await d.accounts.appPasswords((await personByUid(d, uid)).dn)) {
          const scope = [...a.scope.addresses.map((x) => `from ${x}`), ...a.scope.services.map((x) => `through ${x}`)].join(', ');
          process.stdout.write([a.name, scope, when(a.createdAt), when(a.lastUsedAt)].join('\t') + '\n');
        }
      });
    });
  app
    .command('revoke')
    .description("revoke one of a person's app passwords, or all of them with --all")
    .argument('<uid>')
    .argument('[name]')
    .option('--all', 'every app password of the person')
    .action(async (uid: string, name: string | undefined, o: { all?: boolean }, cmd: Command) => {
      if ((name === undefined) === !o.all) throw new Error('name one app password, or give --all');
      await withDirectory(cmd, async ({ directory: d }) => {
        const gone = await d.accounts.revokeAppPasswords(SYSTEM, (await personByUid(d, uid)).dn, name);
        process.stdout.write(`Revoked ${gone} app password${gone === 1 ? '' : 's'} of ${uid}\n`);
      });
    });
}
