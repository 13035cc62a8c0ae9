import { isRawBytes, valueBytes } from '../bytes';
import type { Command } from 'commander';
import { SYSTEM } from '../directory/identity';
import { personDN } from '../directory/layout';
import { allPeople, findAll, groupByName, hasClass, nextFreeNumber, personByUid, valuesOf } from './lookup';
import type { Directory } from '../directory/directory';
import type { Config } from '../config';

/**
 * The default group's gidNumber, for a new person's primary group. A group without one (as `cairn init`
 * creates it, so an import keeps its numbers) gets the next free gidNumber of the ids range now, and
 * becomes a posixGroup.
 */
async function defaultGroupGid(d: Directory, config: Config): Promise<{ gid: string; allocated: boolean }> {
  const name = config.users.defaultGroup;
  const g = await groupByName(d, name).catch((err: Error) => {
    throw new Error(`default group ${name}: ${err.message.replace(/^no /, 'there is no ')} (users.defaultGroup; or give --gid-number)`);
  });
  const have = valuesOf(g, 'gidNumber')[0];
  if (have !== undefined) return { gid: have, allocated: false };
  const gid = String(await nextFreeNumber(d, 'gidNumber', config.ids.gidNumberMin, config.ids.gidNumberMax));
  await d.modify(SYSTEM, g.dn, [
    ...(hasClass(d, g, 'posixGroup') ? [] : [{ operation: 'add' as const, modification: { type: 'objectClass', values: ['posixGroup'] } }]),
    { operation: 'add', modification: { type: 'gidNumber', values: [gid] } },
  ]);
  return { gid, allocated: true };
}
import { withDirectory } from './context';
import { checkIdNumber, checkMail, checkName, checkShell } from './checks';

interface AddOptions {
  given: string;
  sn: string;
  mail?: string;
  password?: string;
  uidNumber?: string;
  gidNumber?: string;
  shell?: string;
  sshKey: string[];
}

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
      checkName('uid', uid);
      if (o.uidNumber !== undefined) checkIdNumber('--uid-number', o.uidNumber);
      if (o.gidNumber !== undefined) checkIdNumber('--gid-number', o.gidNumber);
      if (o.mail !== undefined) checkMail(o.mail);
      if (o.shell !== undefined) checkShell(o.shell);
      // One transaction: a default group given its gidNumber here keeps none if the person cannot be added.
      await withDirectory(cmd, async ({ directory: d, store }, config) =>
        store.batch(async () => {
          const uidNumber = o.uidNumber ?? String(await nextFreeNumber(d, 'uidNumber', config.ids.uidNumberMin, config.ids.uidNumberMax));
          const primary = o.gidNumber ? { gid: o.gidNumber, allocated: false } : await defaultGroupGid(d, config);
          const gidNumber = primary.gid;
          const dn = personDN(d.namingContext, uid);
          const attrs = [
            // ldapPublicKey (all MAY) lets the person add SSH keys to their own entry later.
            { type: 'objectClass', values: ['top', 'inetOrgPerson', 'posixAccount', 'shadowAccount', 'ldapPublicKey'] },
            { type: 'uid', values: [uid] },
            { type: 'givenName', values: [o.given] },
            { type: 'sn', values: [o.sn] },
            { type: 'cn', values: [`${o.given} ${o.sn}`] },
            { type: 'displayName', values: [`${o.given} ${o.sn}`] },
            { type: 'uidNumber', values: [uidNumber] },
            { type: 'gidNumber', values: [gidNumber] },
            { type: 'homeDirectory', values: [`${config.users.homeDirectoryPrefix}/${uid}`] },
            { type: 'loginShell', values: [o.shell ?? config.users.defaultShell] },
            ...(o.mail ? [{ type: 'mail', values: [o.mail] }] : []),
            ...(o.sshKey.length ? [{ type: 'sshPublicKey', values: o.sshKey }] : []),
            ...(o.password ? [{ type: 'userPassword', values: [o.password] }] : []),
          ];
          const stored = await d.add(SYSTEM, dn, attrs);
          if (primary.allocated) process.stdout.write(`The default group ${config.users.defaultGroup} had no gidNumber: it now has ${gidNumber}\n`);
          process.stdout.write(`Added ${stored} (uidNumber ${uidNumber}, gidNumber ${gidNumber})\n`);
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
