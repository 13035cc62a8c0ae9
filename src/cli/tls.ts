import type { Command } from 'commander';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dataPaths } from '../data-folder';
import { daysLeft, describeCertificate, generateSelfSignedCertificate, SELF_SIGNED_DAYS, type CertificateFacts } from '../security/certificate';
import { configFor, globalOptions } from './context';

const day = (d: Date) => d.toISOString().slice(0, 10);

function describe(file: string, facts: CertificateFacts): string {
  const left = daysLeft(facts);
  return (
    [
      `Certificate: ${file}`,
      `Subject:     ${facts.subject}`,
      `Names:       ${facts.names.join(', ') || '(none)'}`,
      `Expires:     ${day(facts.notAfter)} (${left >= 0 ? `in ${left} days` : `${-left} days ago`})`,
      `Self-signed: ${facts.selfSigned ? 'yes' : 'no'}`,
      `SHA-256:     ${facts.fingerprint256}`,
    ].join('\n') + '\n'
  );
}

/** Writes a file by renaming a complete copy over it: a reader sees the old file or the new one, never half. */
function replaceFile(file: string, content: string, mode: number) {
  const tmp = `${file}.new-${process.pid}`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}

export function registerTls(program: Command) {
  const tls = program.command('tls').description("the server's TLS certificate (StartTLS and LDAPS)");

  tls
    .command('show')
    .description('print the certificate the server uses: names, expiry, fingerprint')
    .action((_opts: unknown, cmd: Command) => {
      const config = configFor(cmd);
      const file = config.server.tlsCert || dataPaths(globalOptions(cmd).data).cert;
      if (!existsSync(file)) throw new Error(`no certificate at ${file} (cairn init makes one)`);
      process.stdout.write(describe(file, describeCertificate(readFileSync(file))));
    });

  tls
    .command('renew')
    .description('replace the self-signed certificate in the data folder with a new one; a running server takes it on SIGHUP')
    .option('--days <n>', 'how long the new certificate is valid', String(SELF_SIGNED_DAYS))
    .option('--if-expiring-within <days>', 'renew only if the current one expires within this many days (for a timer)')
    .action(async (opts: { days: string; ifExpiringWithin?: string }, cmd: Command) => {
      const config = configFor(cmd);
      const paths = dataPaths(globalOptions(cmd).data);
      if (config.server.tlsCert) {
        throw new Error(
          `server.tlsCert is ${config.server.tlsCert}: that certificate is yours, renew it where it came from (cairn renews only the self-signed one in ${paths.dir}/tls)`,
        );
      }
      if (!existsSync(paths.cert)) throw new Error(`no certificate at ${paths.cert}: is ${paths.dir} a Cairn data folder? (cairn init)`);
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1 || days > 3650) throw new Error('--days must be a whole number from 1 to 3650');
      const current = describeCertificate(readFileSync(paths.cert));
      if (opts.ifExpiringWithin !== undefined) {
        const within = Number(opts.ifExpiringWithin);
        if (!Number.isFinite(within) || within < 0) throw new Error('--if-expiring-within must be a number of days');
        if (daysLeft(current) > within) {
          process.stdout.write(`Not renewed: ${paths.cert} is valid until ${day(current.notAfter)} (${daysLeft(current)} days)\n`);
          return;
        }
      }
      const { cert, key } = await generateSelfSignedCertificate(days);
      // The key first: a server reloading between the two renames fails to pair them and keeps the old pair.
      replaceFile(paths.key, key, 0o600);
      replaceFile(paths.cert, cert, 0o644);
      const facts = describeCertificate(cert);
      process.stdout.write(
        `Renewed the self-signed certificate: valid until ${day(facts.notAfter)} (${daysLeft(facts)} days), SHA-256 ${facts.fingerprint256}\n` +
          `A running server uses it after a reload: systemctl reload cairn (or kill -HUP <pid of cairn serve>).\n` +
          `Clients that trust the old certificate itself (LDAPTLS_CACERT, sssd's ldap_tls_cacert) need the new ${paths.cert}.\n`,
      );
    });
}
