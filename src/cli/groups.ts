import type { Command } from 'commander';
import { SYSTEM } from '../directory/identity';
import { escapeDNValue } from '../directory/dn';
import { findAll, findOne, groups, nextFreeNumber, personByUid, valuesOf } from './lookup';
import { withDirectory } from './context';
import type { Directory } from '../directory/directory';

const groupByName = (d: Directory, name: string) => findOne(d, groups(d), { type: 'equality', attribute: 'cn', value: name }, `group ${name}`);

export function registerGroups(program: Command) {
  const group = program.command('group').description('manage groups (groupOfNames + posixGroup)');

  group
    .command('add')
    .argument('<name>')
    .option('--gid-number <n>')
    .option('--description <text>')
    .action(async (name: string, o: { gidNumber?: string; description?: string }, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }, config) => {
        const gid = o.gidNumber ?? String(await nextFreeNumber(d, 'gidNumber', config.ids.gidNumberMin, config.ids.gidNumberMax));
        const dn = await d.add(SYSTEM, `cn=${escapeDNValue(name)},${groups(d)}`, [
          { type: 'objectClass', values: ['top', 'groupOfNames', 'posixGroup'] },
          { type: 'cn', values: [name] },
          { type: 'gidNumber', values: [gid] },
          ...(o.description ? [{ type: 'description', values: [o.description] }] : []),
        ]);
        process.stdout.write(`Added ${dn} (gidNumber ${gid})\n`);
      });
    });

  for (const [verb, operation] of [['add-member', 'add'], ['remove-member', 'delete']] as const) {
    group
      .command(verb)
      .argument('<name>')
      .argument('<uid>')
      .action(async (name: string, uid: string, _o: unknown, cmd: Command) => {
        await withDirectory(cmd, async ({ directory: d }) => {
          const g = await groupByName(d, name);
          const p = await personByUid(d, uid);
          await d.modify(SYSTEM, g.dn, [{ operation, modification: { type: 'member', values: [p.dn] } }]);
          process.stdout.write(`${operation === 'add' ? 'Added' : 'Removed'} ${uid} ${operation === 'add' ? 'to' : 'from'} ${name}\n`);
        });
      });
  }

  group
    .command('list')
    .description('list groups: name, gidNumber, members')
    .action(async (_o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        for (const e of await findAll(d, groups(d), { type: 'present', attribute: 'cn' })) {
          if (!valuesOf(e, 'gidNumber').length && !valuesOf(e, 'member').length) continue;
          process.stdout.write([valuesOf(e, 'cn')[0], valuesOf(e, 'gidNumber')[0] ?? '-', valuesOf(e, 'memberUid').join(',')].join('\t') + '\n');
        }
      });
    });
}
