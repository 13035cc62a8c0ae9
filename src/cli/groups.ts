import type { Command } from 'commander';
import { SYSTEM } from '../directory/identity';
import { groupDN } from '../directory/layout';
import { allGroups, findAll, groupByName, nextFreeNumber, personByUid, valuesOf } from '../directory/lookup';
import { membershipChanges } from '../directory/people';
import { withDirectory } from './context';
import { checkIdNumber, checkName } from '../directory/input-checks';
import type { Directory } from '../directory/directory';
import type { SearchResultEntry } from '../directory/search/run-search';

/** A group's members for `group list`: its memberUid values, then the uid (or DN) of member entries not among them. */
async function memberNames(d: Directory, g: SearchResultEntry): Promise<string[]> {
  const names = [...valuesOf(g, 'memberUid')];
  const seen = new Set(names.map((n) => n.toLowerCase()));
  for (const m of valuesOf(g, 'member')) {
    const e = (await findAll(d, m, { type: 'present', attribute: 'objectClass' }, ['uid'], 'base').catch(() => []))[0];
    const name = (e && valuesOf(e, 'uid')[0]) ?? m;
    if (!seen.has(name.toLowerCase())) names.push(name);
    seen.add(name.toLowerCase());
  }
  return names;
}

export function registerGroups(program: Command) {
  const group = program.command('group').description('manage groups (groupOfNames + posixGroup; any group under the base for members and list)');

  group
    .command('add')
    .description('add a group (groupOfNames + posixGroup) under ou=groups, with the next free gidNumber')
    .argument('<name>', 'the group name: letters, digits, ".", "_", "-"')
    .option('--gid-number <n>')
    .option('--description <text>')
    .action(async (name: string, o: { gidNumber?: string; description?: string }, cmd: Command) => {
      checkName('group name', name);
      if (o.gidNumber !== undefined) checkIdNumber('--gid-number', o.gidNumber);
      await withDirectory(cmd, async ({ directory: d }, config) => {
        const gid = o.gidNumber ?? String(await nextFreeNumber(d, 'gidNumber', config.ids.gidNumberMin, config.ids.gidNumberMax));
        const dn = await d.add(SYSTEM, groupDN(d.namingContext, name), [
          { type: 'objectClass', values: ['top', 'groupOfNames', 'posixGroup'] },
          { type: 'cn', values: [name] },
          { type: 'gidNumber', values: [gid] },
          ...(o.description ? [{ type: 'description', values: [o.description] }] : []),
        ]);
        process.stdout.write(`Added ${dn} (gidNumber ${gid})\n`);
      });
    });

  for (const [verb, add] of [
    ['add-member', true],
    ['remove-member', false],
  ] as const) {
    group
      .command(verb)
      .argument('<name>', "the group's cn (the group may be anywhere under the base)")
      .argument('<uid>')
      .description(`${add ? 'add a person to' : 'remove a person from'} a group: member where it has member (groupOfNames), memberUid where it is a posixGroup`)
      .action(async (name: string, uid: string, _o: unknown, cmd: Command) => {
        await withDirectory(cmd, async ({ directory: d }) => {
          const g = await groupByName(d, name);
          const p = await personByUid(d, uid);
          await d.modify(SYSTEM, g.dn, membershipChanges(d, g, p, uid, add));
          process.stdout.write(`${add ? 'Added' : 'Removed'} ${uid} ${add ? 'to' : 'from'} ${name}\n`);
        });
      });
  }

  group
    .command('list')
    .description('list every group under the base: name, gidNumber, members')
    .action(async (_o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        for (const e of await allGroups(d, ['cn', 'gidNumber', 'member', 'memberUid'])) {
          process.stdout.write([valuesOf(e, 'cn')[0] ?? e.dn, valuesOf(e, 'gidNumber')[0] ?? '-', (await memberNames(d, e)).join(',')].join('\t') + '\n');
        }
      });
    });
}
