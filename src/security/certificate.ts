import { X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';

const DAY = 24 * 3600_000;
export const SELF_SIGNED_DAYS = 3 * 365;

/** A self-signed certificate for a fresh directory, valid for localhost, the host name and loopback. */
export async function generateSelfSignedCertificate(days = SELF_SIGNED_DAYS, now = new Date()): Promise<{ cert: string; key: string }> {
  // selfsigned (node-forge) takes 0.1 s to load: only init and tls renew need it.
  const { generate } = await import('selfsigned');
  const host = hostname();
  const result = await generate([{ name: 'commonName', value: host }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + days * DAY),
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

export interface CertificateFacts {
  subject: string;
  names: string[];
  notAfter: Date;
  selfSigned: boolean;
  fingerprint256: string;
}

/** What a PEM certificate says about itself (the first one of a chain). */
export function describeCertificate(pem: string | Buffer): CertificateFacts {
  const x = new X509Certificate(pem);
  return {
    subject: x.subject.replace(/\n/g, ', '),
    names: (x.subjectAltName ?? '').split(', ').filter(Boolean),
    notAfter: new Date(x.validTo),
    selfSigned: x.issuer === x.subject && x.verify(x.publicKey),
    fingerprint256: x.fingerprint256,
  };
}

/** Days a certificate has left, counting a part of a day as a day (0 or less once expired). */
export function daysLeft(facts: CertificateFacts, now = Date.now()): number {
  return Math.ceil((facts.notAfter.getTime() - now) / DAY);
}

/** A certificate that expires within this many days is warned about at start and daily. */
export const EXPIRY_WARNING_DAYS = 30;
