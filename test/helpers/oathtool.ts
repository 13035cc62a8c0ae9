import { runToolSync } from './tool-runner';

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
  const r = runToolSync({ tool: 'oathtool', args: ['--totp', '-b', secret, ...at], env: process.env, timeout: 10000 });
  if (r.status !== 0) throw new Error(`oathtool exited ${r.status}: ${r.stderr}`);
  return r.stdout.trim();
}
