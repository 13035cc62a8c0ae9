import { isRawBytes, valueBytes } from '../bytes';
import type { Command } from 'commander';
import { SYSTEM } from '../directory/identity';
import { allPeople, findAll, personByUid, valuesOf } from '../directory/lookup';
import { withDirectory } from './context';
import { addPerson, checkNewPerson, type NewPerson } from '../directory/people';

/** commander's options of `user add`: the new person but for the uid (an argument), --ssh-key repeatable. */
type AddOptions = Omit<NewPerson, 'uid' | 'sshKeys'> & { sshKey: string[] };

const collect = (v: string, acc: string[]) => [...acc, v];

export function registerUsers(program: Command) {
  const user = program.command('user').description('manage people');

  user
    .command('add')
    .description('add a person (inetOrgPerson, posixAccount) under ou=people, with the next free uidNumber')
    .argument('<uid>', 'the login name: letters, digits, ".", "_", "-"')
    .requiredOption('--given <name>', 'given name')
    .requiredOption('--sn <name>', 'surname')
    .option('--mail <address>')
    .option('--password <password>', 'initial password (none: the account cannot bind until one is set)')
    .option('--uid-number <n>')
    .option('--gid-number <n>', "primary group number (default: the default group's)")
    .option('--shell <path>')
    .option('--ssh-key <key>', 'an OpenSSH public key line (repeatable)', collect, [])
    .action(async (uid: string, o: AddOptions, cmd: Command) => {
      const person = {
        uid,
        given: o.given,
        sn: o.sn,
        mail: o.mail,
        password: o.password,
        uidNumber: o.uidNumber,
        gidNumber: o.gidNumber,
        shell: o.shell,
        sshKeys: o.sshKey,
      };
      checkNewPerson(person);
      // One transaction: a default group given its gidNumber here keeps none if the person cannot be added.
      await withDirectory(cmd, async ({ directory: d, store }, config) =>
        store.batch(async () => {
          const added = await addPerson(d, SYSTEM, config, person);
          if (added.allocatedGroupGid)
            process.stdout.write(`The default group ${config.users.defaultGroup} had no gidNumber: it now has ${added.allocatedGroupGid}\n`);
          process.stdout.write(`Added ${added.dn} (uidNumber ${added.uidNumber}, gidNumber ${added.gidNumber})\n`);
        }),
      );
    });

  user
    .command('list')
    .description('list people (entries with a uid anywhere under the base, outside ou=services): uid, uidNumber, name, mail')
    .action(async (_o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        for (const e of await allPeople(d)) {
          process.stdout.write(
            [valuesOf(e, 'uid')[0], valuesOf(e, 'uidNumber')[0] ?? '-', valuesOf(e, 'cn')[0] ?? '', valuesOf(e, 'mail')[0] ?? ''].join('\t') + '\n',
          );
        }
      });
    });

  user
    .command('show')
    .argument('<uid>')
    .description('show one person with operational attributes')
    .action(async (uid: string, _o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        const e = await personByUid(d, uid);
        const full = (await findAll(d, e.dn, { type: 'present', attribute: 'objectClass' }, ['*', '+'], 'base'))[0];
        process.stdout.write(`dn: ${full.dn}\n`);
        // Text as it is; a value that is not UTF-8 (a photo, a certificate) in base64, as LDIF writes it.
        for (const a of full.attributes)
          for (const v of a.values) process.stdout.write(isRawBytes(v) ? `${a.type}:: ${valueBytes(v).toString('base64')}\n` : `${a.type}: ${v}\n`);
      });
    });

  user
    .command('passwd')
    .description("set a person's password (an administrator reset)")
    .argument('<uid>')
    .option('--password <password>', 'the new password (one that satisfies the policy is generated and printed when absent)')
    .option('--reset', 'the person must change it at their next login (pwdReset)')
    .action(async (uid: string, o: { password?: string; reset?: boolean }, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        const e = await personByUid(d, uid);
        const { generated } = await d.accounts.changePassword(SYSTEM, { userIdentity: e.dn, newPassword: o.password }, undefined, { reset: o.reset });
        process.stdout.write(
          `Password of ${e.dn} changed${o.reset ? '; it must be changed at the next login' : ''}\n` +
            (generated ? `New password (shown once): ${generated}\n` : ''),
        );
      });
    });

  user
    .command('unlock')
    .argument('<uid>')
    .description('lift a lockout after too many failed binds')
    .action(async (uid: string, _o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        const e = await personByUid(d, uid);
        await d.accounts.unlock(SYSTEM, e.dn);
        process.stdout.write(`Unlocked ${e.dn}\n`);
      });
    });

  user
    .command('delete')
    .description('delete a person')
    .argument('<uid>')
    .action(async (uid: string, _o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        const e = await personByUid(d, uid);
        await d.delete(SYSTEM, e.dn);
        process.stdout.write(`Deleted ${e.dn}\n`);
      });
    });
}
