import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { createLogger } from '../log';
import { dataPaths, initDirectory, openDirectory } from '../runtime';
import { LdapServer, parseAddress } from '../wire/server';
import { loadTls } from '../wire/tls';
import { configFor, globalOptions } from './context';
import { generatePassword } from './init';

interface ServeOptions {
  listen?: string;
  ldaps?: string;
  tlsCert?: string;
  tlsKey?: string;
  initIfMissing?: boolean;
}

export function registerServe(program: Command) {
  program
    .command('serve')
    .description('serve the directory over LDAP (StartTLS) and LDAPS until SIGTERM or SIGINT')
    .option('--listen <host:port>', 'plain LDAP address (StartTLS available)')
    .option('--ldaps <host:port>', 'LDAPS address, or "none"')
    .option('--tls-cert <file>', 'PEM certificate (default: the one generated in the data folder)')
    .option('--tls-key <file>', 'PEM private key')
    .option('--init-if-missing', 'create the directory (dc=example,dc=com) on first start, printing the admin password')
    .action(async (opts: ServeOptions, cmd: Command) => {
      const server: Record<string, string> = {};
      if (opts.listen) server.listen = opts.listen;
      if (opts.ldaps) server.ldaps = opts.ldaps;
      if (opts.tlsCert) server.tlsCert = opts.tlsCert;
      if (opts.tlsKey) server.tlsKey = opts.tlsKey;
      const config = configFor(cmd, Object.keys(server).length ? { server } : undefined);
      const log = createLogger(config.log.level, config.log.file || undefined);
      const data = globalOptions(cmd).data;
      const paths = dataPaths(data);
      if (opts.initIfMissing && !existsSync(paths.database)) {
        const given = process.env.CAIRN_ADMIN_PASSWORD;
        const password = given ?? generatePassword();
        const { adminDn } = await initDirectory(data, 'dc=example,dc=com', password, config, log);
        process.stdout.write(`First start: created dc=example,dc=com in ${paths.dir}\nAdministrator: ${adminDn}\n`);
        if (!given) process.stdout.write(`Administrator password (shown once): ${password}\n`);
      }
      const certFile = config.server.tlsCert || paths.cert;
      const keyFile = config.server.tlsKey || paths.key;
      const tls = existsSync(certFile) || config.server.tlsCert ? loadTls(certFile, keyFile) : undefined;
      const opened = await openDirectory(data, config, log);
      const ldap = new LdapServer({ directory: opened.directory, config, log, tls });
      const ldapsAddress = config.server.ldaps === 'none' ? undefined : parseAddress(config.server.ldaps);
      let bound;
      try {
        bound = await ldap.listen(parseAddress(config.server.listen), ldapsAddress);
      } catch (err) {
        await opened.close();
        throw new Error(`cannot listen: ${(err as Error).message}`);
      }
      const where = `ldap://${bound.ldap.host}:${bound.ldap.port}` + (bound.ldaps ? ` and ldaps://${bound.ldaps.host}:${bound.ldaps.port}` : '');
      log.info('listening', { ldap: bound.ldap, ldaps: bound.ldaps, base: opened.directory.namingContext });
      process.stdout.write(`Cairn serves ${opened.directory.namingContext} on ${where}\n`);
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info('shutting down', { signal });
        await ldap.shutdown(config.server.shutdownGraceSeconds * 1000);
        await opened.close();
        log.info('stopped', {});
        process.exit(0);
      };
      process.on('SIGTERM', () => void stop('SIGTERM'));
      process.on('SIGINT', () => void stop('SIGINT'));
    });
}
