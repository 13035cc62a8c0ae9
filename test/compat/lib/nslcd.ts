import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompatDirectory } from './directory';
import { fillTemplate, readTemplate } from './templates';
import { PrivateHost } from './host';

export const PAM_SERVICE = 'cairn-login';

/** nslcd, configured from config/clients/nslcd.conf, in its own namespace with pam_ldap for `cairn-login`. */
export async function startNslcd(directory: CompatDirectory): Promise<PrivateHost> {
  const host = await PrivateHost.create('nslcd');
  const conf = join(host.root, 'nslcd.conf');
  writeFileSync(conf, fillTemplate(readTemplate('nslcd.conf'), directory.clientValues('nslcd')));
  chmodSync(conf, 0o600);
  host.bind(conf, '/etc/nslcd.conf');
  host.mustRun('install', ['-d', '-o', 'nslcd', '-g', 'nslcd', '/run/nslcd']);
  host.nsswitch('ldap');
  host.pamServices({ [PAM_SERVICE]: readTemplate('pam-ldap') });
  host.daemon('nslcd', 'nslcd', ['--nofork']);
  await host.waitFor('nslcd', () => host.run('getent', ['-s', 'ldap', 'passwd', 'alice']).status === 0);
  return host;
}
