/** `cairn tls show|renew` and the expiry warning of `cairn serve` (issue 13). */
import { expect } from 'chai';
import { statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:tls';
import { cairn, initData, removeData, startServer } from '../helpers/server';
import { findEvent } from '../helpers/log-events';

const fingerprintOf = (show: string) => /SHA-256:\s+(\S+)/.exec(show)![1];
const daysIn = (show: string) => Number(/Expires:\s+\S+ \(in (\d+) days\)/.exec(show)![1]);

function ldapsFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(s.getPeerX509Certificate()!.fingerprint256);
      s.destroy();
    });
    s.on('error', reject);
  });
}

describe('cairn tls: the self-signed certificate is shown, renewed, and warned about before it expires', function () {
  this.timeout(60000);
  let data: string;

  before(() => (data = initData()));
  after(() => removeData(data));

  it('show: names, about three years left, a fingerprint', () => {
    const r = cairn(['tls', 'show'], { data });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/Names:.*DNS:localhost.*IP Address:127\.0\.0\.1/);
    expect(r.stdout).to.match(/Self-signed: yes/);
    expect(daysIn(r.stdout)).to.be.within(1090, 1096);
  });

  it('renew --if-expiring-within 30 leaves a certificate with years to go', () => {
    const before = cairn(['tls', 'show'], { data }).stdout;
    const r = cairn(['tls', 'renew', '--if-expiring-within', '30'], { data });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^Not renewed: .* valid until/);
    expect(fingerprintOf(cairn(['tls', 'show'], { data }).stdout)).to.equal(fingerprintOf(before));
  });

  it('a certificate expiring in 10 days: serve warns, LDAPS shows it, renewal replaces it and the warning stops', async () => {
    const old = fingerprintOf(cairn(['tls', 'show'], { data }).stdout);
    const short = cairn(['tls', 'renew', '--days', '10'], { data });
    expect(short.status, short.stderr).to.equal(0);
    expect(short.stdout).to.match(/Renewed the self-signed certificate: valid until .* \(10 days\)/);
    expect(short.stdout).to.match(/systemctl reload cairn/);
    const shortShow = cairn(['tls', 'show'], { data }).stdout;
    expect(daysIn(shortShow)).to.equal(10);
    expect(fingerprintOf(shortShow)).to.not.equal(old);
    expect(statSync(`${data}/tls/key.pem`).mode & 0o777).to.equal(0o600);

    let server = await startServer(data, { CAIRN_SERVER_WORKERS: '1' });
    try {
      expect(await ldapsFingerprint(server.ldapsPort)).to.equal(fingerprintOf(shortShow));
      for (let i = 0; i < 50 && !/certificate expires in 10 days/.test(server.stderr()); i++) await new Promise((r) => setTimeout(r, 100));
      expect(findEvent(server.stderr(), 'warn', /^the TLS certificate expires in 10 days$/), server.stderr()).to.not.equal(undefined);
      expect(server.stderr()).to.match(/cairn tls renew, then systemctl reload cairn/);
    } finally {
      await server.stop();
    }

    const renewed = cairn(['tls', 'renew', '--if-expiring-within', '30'], { data });
    expect(renewed.status, renewed.stderr).to.equal(0);
    expect(renewed.stdout).to.match(/Renewed/);
    const now = cairn(['tls', 'show'], { data }).stdout;
    expect(daysIn(now)).to.be.within(1090, 1096);
    server = await startServer(data, { CAIRN_SERVER_WORKERS: '1' });
    try {
      expect(await ldapsFingerprint(server.ldapsPort)).to.equal(fingerprintOf(now));
      expect(server.stderr()).to.not.match(/certificate expires/);
    } finally {
      await server.stop();
    }
  });

  it('renew refuses a certificate that is not its own (server.tlsCert set)', () => {
    const cert = `${data}/own.pem`;
    writeFileSync(cert, 'x');
    const r = cairn(['tls', 'renew'], { data, env: { CAIRN_SERVER_TLS_CERT: cert, CAIRN_SERVER_TLS_KEY: cert } });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/that certificate is yours, renew it where it came from/);
  });
});
