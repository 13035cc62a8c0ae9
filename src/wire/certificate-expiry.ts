import { readFileSync } from 'node:fs';
import type { Logger } from '../log';
import { daysLeft, describeCertificate, EXPIRY_WARNING_DAYS } from '../security/certificate';

/**
 * Warns in the log, at start and then daily, when the server's certificate expires within 30 days (an
 * error once it has expired): clients refuse an expired certificate, and everyone's login stops with it.
 * The file is read each time, so a renewed certificate silences it.
 */
export function watchCertificateExpiry(log: Logger, certFile: string, selfSigned: boolean): NodeJS.Timeout {
  const check = () => {
    let facts;
    try {
      facts = describeCertificate(readFileSync(certFile));
    } catch {
      return; // a missing or unreadable certificate stops start-up (or a reload) with its own message
    }
    const left = daysLeft(facts);
    if (left > EXPIRY_WARNING_DAYS) return;
    const fix = selfSigned ? 'cairn tls renew, then systemctl reload cairn' : 'renew it, copy it over the file, then systemctl reload cairn';
    const fields = { file: certFile, expires: facts.notAfter.toISOString(), days: left, fix };
    if (left <= 0) log.error('the TLS certificate has expired: clients will refuse StartTLS and LDAPS', fields);
    else log.warn(`the TLS certificate expires in ${left} days`, fields);
  };
  check();
  return setInterval(check, 24 * 3600_000).unref();
}
