import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CompatDirectory } from './directory';
import { fillTemplate, readTemplate } from './templates';
import { PrivateHost } from './host';

export const PAM_SERVICE = 'cairn-login';

/** sssd, configured from config/clients/sssd.conf, in its own namespace with pam_sss for `cairn-login` and sshd. */
export async function startSssd(directory: CompatDirectory, schema: 'rfc2307' | 'rfc2307bis'): Promise<PrivateHost> {
  const host = await PrivateHost.create(`sssd-${schema}`);
  const lib = join(host.root, 'lib');
  const folders: [string, number][] = [
    ['db', 0o700],
    ['pipes', 0o755],
    ['pipes/private', 0o700],
    ['mc', 0o755],
    ['pubconf', 0o755],
    ['gpo_cache', 0o755],
    ['secrets', 0o700],
    ['deskprofile', 0o755],
  ];
  for (const [f, mode] of folders) {
    mkdirSync(join(lib, f), { recursive: true });
    chmodSync(join(lib, f), mode);
  }
  const etc = join(host.root, 'etc');
  const log = join(host.root, 'log');
  mkdirSync(etc);
  mkdirSync(log);
  const conf = join(etc, 'sssd.conf');
  writeFileSync(conf, fillTemplate(readTemplate('sssd.conf'), { ...directory.clientValues('sssd'), SCHEMA: schema, CACHE_SECONDS: 1 }));
  chmodSync(conf, 0o600);
  chmodSync(etc, 0o700);
  host.bind(lib, '/var/lib/sss');
  host.bind(log, '/var/log/sssd');
  host.bind(etc, '/etc/sssd');
  host.nsswitch('sss');
  host.pamServices({ [PAM_SERVICE]: readTemplate('pam-sss'), sshd: readTemplate('pam-sss') });
  host.daemon('sssd', 'sssd', ['--interactive', '--logger=stderr', '--debug-level=2']);
  await host.waitFor('sssd', () => host.run('getent', ['passwd', 'alice']).status === 0);
  return host;
}
