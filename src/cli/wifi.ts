import type { Command } from 'commander';
import { SYSTEM } from '../directory/identity';
import { personByUid } from '../directory/lookup';
import { withDirectory } from './context';

const day = (ms?: number) => (ms === undefined ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));

export function registerWifi(program: Command) {
  const wifi = program.command('wifi').description("Wi-Fi credentials for a person's devices (PEAP-MSCHAPv2, EAP-TTLS/PAP): generated, no MFA code, revocable");
  wifi
    .command('add')
    .description('make a credential for one device of a person in a Wi-Fi group (wifi.groups); prints its user name and password once')
    .argument('<uid>')
    .argument('<device>', 'the device\'s name: lower-case letters, digits and "-" (the user name becomes UID.DEVICE)')
    .action(async (uid: string, device: string, _o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        const person = await personByUid(d, uid);
        const made = await d.accounts.addWifiCredential(SYSTEM, person.dn, device);
        process.stdout.write(`Wi-Fi user name: ${made.name}\nPassword (shown once): ${made.password}\n`);
      });
    });
  wifi
    .command('list')
    .description("list Wi-Fi credentials (a person's, or everyone's): user name, owner, made, last used over LDAP")
    .argument('[uid]')
    .action(async (uid: string | undefined, _o: unknown, cmd: Command) => {
      await withDirectory(cmd, async ({ directory: d }) => {
        const owner = uid === undefined ? undefined : (await personByUid(d, uid)).dn;
        for (const c of await d.accounts.wifiCredentials(owner)) process.stdout.write([c.name, c.owner, day(c.createdAt), day(c.lastUsedAt)].join('\t') + '\n');
      });
    });
  wifi
    .command('revoke')
    .description("revoke one of a person's Wi-Fi credentials (a lost device), or all of them with --all")
    .argument('<uid>')
    .argument('[name]', "the credential's user name (UID.DEVICE) or the device's name")
    .option('--all', 'every credential of the person')
    .action(async (uid: string, name: string | undefined, o: { all?: boolean }, cmd: Command) => {
      if ((name === undefined) === !o.all) throw new Error('name one credential, or give --all');
      await withDirectory(cmd, async ({ directory: d }) => {
        const person = await personByUid(d, uid);
        const full = name === undefined || name.includes('.') ? name : `${uid}.${name}`;
        const revoked = await d.accounts.revokeWifiCredentials(SYSTEM, person.dn, full);
        process.stdout.write(revoked.length ? `Revoked ${revoked.join(', ')}\n` : `${uid} has no Wi-Fi credentials\n`);
      });
    });
}
