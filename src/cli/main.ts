import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { projectRoot } from '../paths';
import { registerBackup } from './backup';
import { registerAdmins } from './admins';
import { fail } from './context';
import { registerGroups } from './groups';
import { registerImportExport } from './import-export';
import { registerInit } from './init';
import { registerMfa } from './mfa';
import { registerNotify } from './notify';
import { registerPolicy } from './policy';
import { registerServe } from './serve';
import { registerServices } from './services';
import { registerTls } from './tls';
import { registerUsers } from './users';

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
  registerInit(program);
  registerServe(program);
  registerImportExport(program);
  registerBackup(program);
  registerUsers(program);
  registerGroups(program);
  registerServices(program);
  registerAdmins(program);
  registerPolicy(program);
  registerMfa(program);
  registerNotify(program);
  registerTls(program);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    fail(err);
  }
}
