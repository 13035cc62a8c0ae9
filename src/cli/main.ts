import { Command } from 'commander';
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

export async function main(argv: string[]): Promise<void> {
  const program = new Command('cairn')
    .description('Cairn: an LDAP identity directory')
    .option('--data <dir>', 'the data folder', process.env.CAIRN_DATA || './data')
    .option('--config <file>', 'a JSON configuration file overriding config/default.json')
    .configureOutput({ outputError: (s, write) => write(`cairn: ${s.replace(/^error: /, '').trim().split('\n')[0]}\n`) });
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
