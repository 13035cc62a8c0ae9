import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { projectRoot } from '../paths';
import { fail } from './context';

type Register = (program: Command) => void;
/**
 * Each command group's module, by the commands it adds, in the order --help lists them. A command line
 * that names one loads only that module (a server or a command starts faster); anything else (--help,
 * help, an unknown command) loads them all.
 */
const GROUPS: [string[], () => Promise<Register>][] = [
  [['init'], async () => (await import('./init')).registerInit],
  [['serve'], async () => (await import('./serve')).registerServe],
  [['import', 'export'], async () => (await import('./import-export')).registerImportExport],
  [['backup', 'restore'], async () => (await import('./backup')).registerBackup],
  [['user'], async () => (await import('./users')).registerUsers],
  [['group'], async () => (await import('./groups')).registerGroups],
  [['service'], async () => (await import('./services')).registerServices],
  [['admin'], async () => (await import('./admins')).registerAdmins],
  [['policy'], async () => (await import('./policy')).registerPolicy],
  [['mfa'], async () => (await import('./mfa')).registerMfa],
  [['wifi'], async () => (await import('./wifi')).registerWifi],
  [['app-password'], async () => (await import('./app-passwords')).registerAppPasswords],
  [['notify'], async () => (await import('./notify')).registerNotify],
  [['tls'], async () => (await import('./tls')).registerTls],
];
/** The program's own options that take a value (the command comes after them). */
const VALUE_OPTIONS = ['--data', '--config'];

/** The command a command line names, if any: the first argument that is not a program option. */
function commandNamed(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (VALUE_OPTIONS.includes(a)) i++;
    else if (!a.startsWith('-')) return a;
    else if (!VALUE_OPTIONS.some((o) => a.startsWith(`${o}=`))) return undefined;
  }
  return undefined;
}

/** The version in the installation's package.json. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * A reader that stops early (`cairn user list | head -1`) closes the pipe: from then on output goes nowhere,
 * quietly, and the command finishes what it was doing (a write still commits) and exits as it would have.
 * A writer waiting for room in the pipe ('drain', as export does) is let go.
 */
let quietOnClose = false;
function quietWhenStdoutCloses(): void {
  if (quietOnClose) return;
  quietOnClose = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.stdout.write = () => true;
    process.stdout.emit('drain');
  });
}

export async function main(argv: string[]): Promise<void> {
  quietWhenStdoutCloses();
  const program = new Command('cairn')
    .description('Cairn: an LDAP identity directory')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--data <dir>', 'the data folder', process.env.CAIRN_DATA || './data')
    .option('--config <file>', 'a JSON configuration file overriding config/default.json')
    .configureOutput({
      outputError: (s, write) =>
        write(
          `cairn: ${
            s
              .replace(/^error: /, '')
              .trim()
              .split('\n')[0]
          }\n`,
        ),
    });
  const named = commandNamed(argv.slice(2));
  const one = GROUPS.find(([names]) => named !== undefined && names.includes(named));
  for (const [, load] of one ? [one] : GROUPS) (await load())(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    fail(err);
  }
}
