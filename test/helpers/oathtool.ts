import { execFileSync } from 'node:child_process';

/** The TOTP code a phone shows for this secret now (or offsetSeconds from now), from oathtool (liboath). */
export function totpCode(secret: string, offsetSeconds = 0): string {
  const at = offsetSeconds
    ? [
        '-N',
        new Date(Date.now() + offsetSeconds * 1000)
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, ' UTC'),
      ]
    : [];
  return execFileSync('oathtool', ['--totp', '-b', secret, ...at], { encoding: 'utf8' }).trim();
}
