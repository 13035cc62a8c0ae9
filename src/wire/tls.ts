import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';

/** The TLS material: a context for StartTLS, and the same options for the LDAPS listener. */
export interface TlsMaterial {
  context: SecureContext;
  options: SecureContextOptions;
}

/** The TLS context for StartTLS and LDAPS, from PEM files; TLS 1.2 at least. */
export function loadTls(certFile: string, keyFile: string): TlsMaterial {
  const read = (f: string, what: string) => {
    try {
      return readFileSync(f);
    } catch (err) {
      throw new Error(`cannot read the TLS ${what} ${f}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
    }
  };
  try {
    // An empty CA list: Cairn asks no client for a certificate, so a trust store would go unused, and
    // Node's bundled roots (loaded when no list is given) cost about 30 ms of CPU at every start.
    const options: SecureContextOptions = { cert: read(certFile, 'certificate'), key: read(keyFile, 'key'), minVersion: 'TLSv1.2', ca: [] };
    return { context: createSecureContext(options), options };
  } catch (err) {
    if ((err as Error).message.startsWith('cannot read')) throw err;
    throw new Error(`the TLS certificate ${certFile} and key ${keyFile} do not work together: ${(err as Error).message}`, { cause: err });
  }
}
