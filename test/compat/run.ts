import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { removeWorkFolders, stopEverything, workFolders } from './lib/host';

/**
 * `npm run test:compat`: the real clients (sssd, nslcd, FreeRADIUS, OpenSSH, OpenLDAP's tools) against a
 * real Cairn server, each client in a private mount namespace. Prints "N passed, N failed".
 */
async function main() {
  if (process.getuid?.() !== 0) {
    console.error('the compatibility suite runs the clients in mount namespaces and must run as root');
    process.exit(2);
  }
  const only = process.argv.slice(2);
  const mocha = new Mocha({ reporter: 'spec', timeout: 120000 });
  for (const f of readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()) {
    if (only.length === 0 || only.some((o) => f.startsWith(o))) mocha.addFile(join(__dirname, f));
  }
  const runner = mocha.run();
  runner.on('end', () => {
    const { passes = 0, failures = 0, pending = 0 } = runner.stats ?? {};
    console.log(`\n${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}`);
    stopEverything();
    if (failures > 0) console.log(`The clients' configurations and logs, and Cairn's data and log, are kept in:\n  ${workFolders().join('\n  ')}`);
    else removeWorkFolders();
    process.exit(failures > 0 ? 1 : 0);
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopEverything();
    process.exit(130);
  });
}

void main();
