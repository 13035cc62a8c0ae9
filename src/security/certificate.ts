import { generate } from 'selfsigned';
import { hostname } from 'node:os';

/** A self-signed certificate for a fresh directory, valid for localhost, the host name and loopback. */
export async function generateSelfSignedCertificate(): Promise<{ cert: string; key: string }> {
  const host = hostname();
  const now = new Date();
  const result = await generate([{ name: 'commonName', value: host }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 3 * 365 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: host },
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: result.cert, key: result.private };
}
