import type { Command } from 'commander';
import { SYSTEM } from '../directory/identity';
import { policyDN } from '../directory/layout';
import { POLICY_ATTRIBUTES } from '../security/policy/policy';
import { policyValueProblem } from '../security/policy/settings';
import { findAll } from '../directory/lookup';
import { withDirectory } from './context';

export function registerPolicy(program: Command) {
  const policy = program.command('policy').description('the password policy (draft-behera pwdPolicy plus Cairn quality rules)');

  policy
    .command('show')
    .description('print the policy settings')
    .option('--name <cn>', 'the policy entry under ou=policies', 'default')
    .action(async (o: { name: string }, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        const [e] = await findAll(d, policyDN(d.namingContext, o.name), { type: 'present', attribute: 'objectClass' }, ['*'], 'base');
        process.stdout.write(`dn: ${e.dn}\n`);
        const known = new Set(Object.values(POLICY_ATTRIBUTES).map((a) => a.toLowerCase()));
        for (const a of e.attributes) if (known.has(a.type.toLowerCase())) process.stdout.write(`${a.type}: ${a.values.join(', ')}\n`);
      });
    });

  policy
    .command('set')
    .description('change policy settings; each value is checked (a whole number 0 or more, TRUE or FALSE) before anything is written')
    .argument('<settings...>', 'ATTRIBUTE=VALUE pairs, e.g. pwdMaxAge=7776000 pwdMinLength=14 (an empty VALUE removes it)')
    .option('--name <cn>', 'the policy entry under ou=policies', 'default')
    .action(async (settings: string[], o: { name: string }, cmd: Command) => {
      const known = new Map(Object.values(POLICY_ATTRIBUTES).map((a) => [a.toLowerCase(), a]));
      const changes = settings.map((s) => {
        const m = /^([A-Za-z][A-Za-z0-9-]*)=(.*)$/.exec(s);
        if (!m) throw new Error(`"${s}" is not ATTRIBUTE=VALUE`);
        const attribute = known.get(m[1].toLowerCase());
        if (!attribute) throw new Error(`${m[1]} is not a password policy setting (${[...known.values()].join(', ')})`);
        const problem = m[2] === '' ? undefined : policyValueProblem(attribute, m[2]);
        if (problem) throw new Error(problem);
        return { operation: 'replace' as const, modification: { type: attribute, values: m[2] === '' ? [] : [m[2]] } };
      });
      await withDirectory(cmd, async ({ directory: d }) => {
        await d.modify(SYSTEM, policyDN(d.namingContext, o.name), changes);
        process.stdout.write(`Policy ${o.name} updated: ${settings.join(' ')}\n`);
      });
    });
}
