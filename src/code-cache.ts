/**
 * A V8 code cache for Cairn's own modules: a process that finds a module in the cache skips parsing and
 * compiling it, so a CLI command, a server and each of its workers start about 20 ms of CPU sooner (a
 * tenth of a CLI command). Node 22 does this itself (module.enableCompileCache); Node 20 does not.
 *
 * Only the files under `root` (dist/src) go through it; everything else loads as Node loads it. A module
 * is cached under a hash of its path and its text, so a rebuilt file never runs from an older cache, and V8
 * refuses a cache made by another Node or with other flags. A process writes what it compiled as it exits
 * (the functions it ran included), each file whole (written aside, then renamed). Where the folder cannot be
 * written (a read-only install), nothing is cached and nothing else changes.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname, sep } from 'node:path';
import { Script } from 'node:vm';

/** What Node's CommonJS loader has and its type declarations leave out. */
interface LoaderModule {
  exports: unknown;
  require(id: string): unknown;
  _compile: (this: LoaderModule, content: string, filename: string) => unknown;
}
interface Loader {
  wrap(content: string): string;
  _resolveFilename(request: string, parent: LoaderModule, isMain: boolean, options?: { paths?: string[] }): string;
  _cache: Record<string, unknown>;
  _extensions: Record<string, unknown>;
  prototype: LoaderModule;
}

export function useCodeCache(root: string, folder: string): void {
  const loader = Module as unknown as Loader;
  const nodeCompile = loader.prototype._compile;
  const fresh: { script: Script; file: string }[] = [];
  loader.prototype._compile = function (this: LoaderModule, content: string, filename: string) {
    if (!filename.startsWith(root + sep)) return nodeCompile.call(this, content, filename);
    const file = `${folder}/${createHash('sha1').update(filename).update('\0').update(content).digest('hex')}`;
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      // not cached yet
    }
    const script = new Script(loader.wrap(content), { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) fresh.push({ script, file });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    const moduleRequire = Object.assign((id: string) => this.require(id), {
      resolve: (request: string, options?: { paths?: string[] }) => loader._resolveFilename(request, this, false, options),
      main: require.main,
      cache: loader._cache,
      extensions: loader._extensions,
    });
    return wrapper.call(this.exports, this.exports, moduleRequire, this, filename, dirname(filename));
  };
  process.once('exit', () => {
    if (fresh.length === 0) return;
    try {
      mkdirSync(folder, { recursive: true });
      for (const { script, file } of fresh) {
        const aside = `${file}.${process.pid}`;
        writeFileSync(aside, script.createCachedData());
        renameSync(aside, file);
      }
    } catch {
      // a folder that cannot be written: no cache
    }
  });
}
