import { join, resolve } from 'node:path';
import type { Config } from './config';

/** Where a data folder keeps its files. */
export const dataPaths = (dataDir: string) => {
  const dir = resolve(dataDir);
  return { dir, database: join(dir, 'cairn.sqlite'), cert: join(dir, 'tls', 'cert.pem'), key: join(dir, 'tls', 'key.pem') };
};

/** The key that seals MFA secrets: mfa.keyFile, or mfa.key in the data folder. */
export const mfaKeyFile = (config: Config, dataDir: string) => resolve(config.mfa.keyFile || join(dataPaths(dataDir).dir, 'mfa.key'));
