import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICE_PASSWORD, type CompatDirectory } from './directory';
import { fillTemplate, readTemplate } from './templates';
import { freePort } from '../../helpers/server';
import type { PrivateHost } from './host';

export interface SshServer {
  port: number;
}

/**
 * sshd from config/clients/sshd_config inside a host that already resolves people (sssd), with the given
 * AuthorizedKeysCommand.
 */
export async function startSshd(host: PrivateHost, name: string, keysCommand: string): Promise<SshServer> {
  const port = await freePort();
  const hostKey = join(host.root, `${name}_host_key`);
  const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`ssh-keygen: ${made.stderr}`);
  const config = join(host.root, `${name}_config`);
  writeFileSync(
    config,
    fillTemplate(readTemplate('sshd_config'), { LISTEN: `127.0.0.1:${port}`, HOST_KEY: hostKey, PID_FILE: `/run/${name}.pid`, KEYS_COMMAND: keysCommand }),
  );
  host.mustRun('install', ['-d', '-m', '755', '/run/sshd']);
  host.daemon(name, '/usr/sbin/sshd', ['-D', '-e', '-f', config]);
  await host.waitFor(name, () => host.output(name).includes(`Server listening on 127.0.0.1 port ${port}`));
  return { port };
}

/**
 * config/clients/ssh-keys-from-ldap.sh, installed where sshd accepts it: root-owned, in folders only root can
 * write (a private /srv), with the service account's password in a file only `nobody` can read.
 */
export function installKeysScript(host: PrivateHost, directory: CompatDirectory): string {
  host.mustRun('mount', ['-t', 'tmpfs', '-o', 'mode=755', 'cairn-srv', '/srv']);
  const staged = join(host.root, 'ssh-keys-from-ldap');
  writeFileSync(staged, fillTemplate(readTemplate('ssh-keys-from-ldap.sh'), { ...directory.clientValues('sssd'), PASSWORD_FILE: '/srv/ssh-keys.secret' }));
  const secret = join(host.root, 'ssh-keys.secret');
  writeFileSync(secret, SERVICE_PASSWORD);
  host.mustRun('install', ['-o', 'nobody', '-m', '400', secret, '/srv/ssh-keys.secret']);
  host.mustRun('install', ['-o', 'root', '-g', 'root', '-m', '755', staged, '/srv/ssh-keys-from-ldap']);
  return '/srv/ssh-keys-from-ldap';
}

const CLIENT_OPTIONS = [
  '-F',
  '/dev/null',
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
  '-o',
  'ConnectTimeout=10',
];

/** `ssh user@127.0.0.1 id -un` with a key only: the name the session runs as, or undefined when refused. */
export function sshWithKey(server: SshServer, user: string, key: string): string | undefined {
  const r = spawnSync(
    'ssh',
    [
      ...CLIENT_OPTIONS,
      '-p',
      String(server.port),
      '-i',
      key,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'PasswordAuthentication=no',
      '-o',
      'KbdInteractiveAuthentication=no',
      `${user}@127.0.0.1`,
      'id -un',
    ],
    {
      encoding: 'utf8',
      timeout: 30000,
    },
  );
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The same with a password typed at the prompt (sshpass), through PAM. */
export function sshWithPassword(server: SshServer, user: string, password: string): string | undefined {
  const r = spawnSync(
    'sshpass',
    [
      '-e',
      'ssh',
      ...CLIENT_OPTIONS,
      '-p',
      String(server.port),
      '-o',
      'PubkeyAuthentication=no',
      '-o',
      'NumberOfPasswordPrompts=1',
      `${user}@127.0.0.1`,
      'id -un',
    ],
    {
      encoding: 'utf8',
      timeout: 30000,
      env: { ...process.env, SSHPASS: password },
    },
  );
  return r.status === 0 ? r.stdout.trim() : undefined;
}
