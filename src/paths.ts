import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The folder holding package.json, found from this file whether it runs from src/ or dist/src/. */
function findProjectRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the Cairn installation folder');
    dir = parent;
  }
  return dir;
}

export const projectRoot = findProjectRoot();
export const schemaDir = join(projectRoot, 'schema');
export const migrationsDir = join(projectRoot, 'schema', 'migrations');
export const configDir = join(projectRoot, 'config');
/** The portal's stylesheet and script. */
export const webDir = join(projectRoot, 'web');
