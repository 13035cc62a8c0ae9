import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Config } from '../../config';
import { checkMfaKey, prepareIndex } from '../../runtime';
import type { Logger } from '../../log';
import { dataPaths } from '../../data-folder';
import { parseAddress, type ListenAddress } from '../../config';
import { loadTls, type TlsMaterial } from '../../wire/tls';

/** The certificate and key files: server.tlsCert/tlsKey, or the pair generated in the data folder. */
export function tlsFiles(config: Config, data: string): { cert: string; key: string } {
  const paths = dataPaths(data);
  return { cert: config.server.tlsCert || paths.cert, key: config.server.tlsKey || paths.key };
}

/** The TLS material when configured (or generated at init); throws when the files do not work. */
export function tlsFor(config: Config, data: string): TlsMaterial | undefined {
  const { cert, key } = tlsFiles(config, data);
  return existsSync(cert) || config.server.tlsCert ? loadTls(cert, key) : undefined;
}

/** Whether an address can be listened on now: a taken port fails here, with the error listen() gives. */
function probe(a: ListenAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', (err) => reject(new Error(`cannot listen: ${err.message}`)));
    s.listen(a.port, a.host, () => s.close(() => resolve()));
  });
}

/**
 * What would stop every worker, checked once in the primary before any starts: the data folder and the
 * MFA key, the certificate and key, and the listening addresses. A worker still checks it all again. An
 * index built under another schema is rebuilt here too, once.
 */
export async function checkBeforeWorkers(data: string, config: Config, log: Logger): Promise<void> {
  await checkMfaKey(data, config);
  await prepareIndex(data, config, log);
  tlsFor(config, data);
  const addresses = [config.server.listen, ...(config.server.ldaps === 'none' ? [] : [config.server.ldaps])].map(parseAddress);
  for (const a of addresses) if (a.port !== 0) await probe(a);
}
