import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { generateTotpSecret, isBase32Secret, matchTotpStep, totpCode } from '../../src/security/totp';
import { SecretBox } from '../../src/security/secret-box';
import { openMfaKey } from '../../src/security/mfa-key';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Codes from oathtool (liboath), an implementation independent of otplib, at a given time. */
const oathtool = (secret: string, at: Date) =>
  execFileSync(
    'oathtool',
    [
      '--totp',
      '-b',
      secret,
      '-N',
      at
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, ' UTC'),
    ],
    { encoding: 'utf8' },
  ).trim();

describe('TOTP', () => {
  const secret = generateTotpSecret();
  const now = Date.UTC(2026, 10, 27, 12, 0, 15);
  const step = Math.floor(now / 30000);

  it('makes 160-bit base32 secrets', () => {
    expect(secret).to.match(/^[A-Z2-7]{32}$/);
    expect(isBase32Secret(secret)).to.equal(true);
    expect(isBase32Secret('not base32!')).to.equal(false);
  });

  it('agrees with oathtool on the current code', () => {
    expect(totpCode(secret, now)).to.equal(oathtool(secret, new Date(now)));
    expect(matchTotpStep(secret, oathtool(secret, new Date(now)), now, 1)).to.equal(step);
  });

  it('accepts the previous and the next step, not two steps away', () => {
    expect(matchTotpStep(secret, oathtool(secret, new Date(now - 30000)), now, 1)).to.equal(step - 1);
    expect(matchTotpStep(secret, oathtool(secret, new Date(now + 30000)), now, 1)).to.equal(step + 1);
    expect(matchTotpStep(secret, oathtool(secret, new Date(now - 60000)), now, 1)).to.equal(undefined);
    expect(matchTotpStep(secret, oathtool(secret, new Date(now + 60000)), now, 1)).to.equal(undefined);
    expect(matchTotpStep(secret, oathtool(secret, new Date(now - 30000)), now, 0)).to.equal(undefined);
  });

  it('refuses what is not a 6-digit code', () => {
    for (const bad of ['', '12345', '1234567', 'abcdef']) expect(matchTotpStep(secret, bad, now, 1)).to.equal(undefined);
  });

  it('seals secrets with AES-256-GCM under a key file of mode 0600', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-key-'));
    const file = join(dir, 'mfa.key');
    try {
      const box = openMfaKey(file, { count: 0, sample: undefined });
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      const sealed = box.seal(secret);
      expect(sealed).to.not.include(secret);
      expect(SecretBox.fromFile(file).open(sealed)).to.equal(secret);
      // One character of the ciphertext changed (to another one: 'A' unless it is 'A' already).
      const at = sealed.length - 4;
      const tampered = sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
      expect(() => box.open(tampered)).to.throw();
      expect(readFileSync(file, 'utf8')).to.not.include(secret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('makes a new key only while nobody is enrolled, and refuses a missing or wrong key otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-key-'));
    const file = join(dir, 'mfa.key');
    try {
      const sealed = openMfaKey(file, { count: 0, sample: undefined }).seal(secret);
      expect(openMfaKey(file, { count: 1, sample: sealed }).open(sealed)).to.equal(secret);
      rmSync(file);
      expect(() => openMfaKey(file, { count: 2, sample: sealed })).to.throw(
        /mfa\.key is missing and 2 MFA enrolment\(s\) depend on it; put the right key back/,
      );
      expect(existsSync(file)).to.equal(false);
      openMfaKey(file, { count: 0, sample: undefined });
      expect(() => openMfaKey(file, { count: 1, sample: sealed })).to.throw(/does not open the MFA secrets stored in the directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
