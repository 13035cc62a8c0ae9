import type { Command } from 'commander';
import { dataPaths } from '../data-folder';
import { configFor, globalOptions } from './context';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

const words = (list: string[]) => (list.length > 1 ? `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}` : list.join(''));

const CARRIED_WORDS = { mfaKey: 'the MFA key', tlsCert: 'the TLS certificate', tlsKey: 'the TLS key' } as const;

export function registerBackup(program: Command) {
  program
    .command('backup')
    .description('copy the directory and its keys to one file (mode 0600), safely while servers run')
    .argument('<file>', 'the backup file, or - for standard output')
    .option('--force', 'replace FILE if it exists')
    .action(async (file: string, opts: { force?: boolean }, cmd: Command) => {
      const { makeBackup } = await import('../backup/make-backup');
      const s = await makeBackup(globalOptions(cmd).data, configFor(cmd), file, opts.force ?? false);
      const carried = s.carried.map((c) => CARRIED_WORDS[c]);
      const line =
        `Backed up ${plural(s.entries, 'entry', 'entries')} (${plural(s.mfaPeople, 'person', 'people')} with MFA) to ${file === '-' ? 'standard output' : file}: ${size(s.bytes)}` +
        (carried.length ? `, with ${words(carried)}; keep it as secret as the data folder\n` : '\n');
      (file === '-' ? process.stderr : process.stdout).write(line);
    });

  program
    .command('restore')
    .description('bring a backup back into the data folder (over a directory only with --force)')
    .argument('<file>', 'the backup file')
    .option('--force', 'replace the directory in the data folder (refused while a server uses it); the old one is kept in replaced-TIME/')
    .action(async (file: string, opts: { force?: boolean }, cmd: Command) => {
      const data = globalOptions(cmd).data;
      const { restoreBackup } = await import('../backup/restore-backup');
      const s = restoreBackup(file, data, configFor(cmd), opts.force ?? false);
      process.stdout.write(
        `Restored ${plural(s.entries, 'entry', 'entries')} (${plural(s.mfaPeople, 'person', 'people')} with MFA) from ${file}, taken ${s.created}, into ${dataPaths(data).dir}\n` +
          (s.replacedDir ? `What it replaced is in ${s.replacedDir}; remove it when you no longer need it\n` : ''),
      );
    });
}
