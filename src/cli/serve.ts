import type { Command } from 'commander';
import type { ServeOptions } from './serve/start';

export function registerServe(program: Command) {
  program
    .command('serve')
    .description(
      'serve the directory over LDAP (StartTLS) and LDAPS, and the self-service portal over HTTPS, until SIGTERM or SIGINT; SIGHUP reopens the logs and reloads the certificate and settings',
    )
    .option('--listen <host:port>', 'plain LDAP address (StartTLS available)')
    .option('--ldaps <host:port>', 'LDAPS address, or "none"')
    .option('--portal <host:port>', 'the self-service portal\'s HTTPS address, or "none"')
    .option('--tls-cert <file>', 'PEM certificate (default: the one generated in the data folder)')
    .option('--tls-key <file>', 'PEM private key')
    .option('--init-if-missing', 'create the directory (dc=example,dc=com) on first start, printing the admin password')
    .action(async (opts: ServeOptions, cmd: Command) => (await import('./serve/start')).startServe(opts, cmd));
}
