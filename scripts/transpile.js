#!/usr/bin/env node
'use strict';
/**
 * The tests' build: every .ts file of src/, test/ and bench/ turned into JavaScript in dist/, file by file,
 * without type checking, by esbuild (0.3 s; TypeScript's own transpileModule took 6 s and 8 CPU-s of every
 * `npm test` on 2 cores). Types are checked by `npm run lint` (tsc --noEmit), and `npm run build` (what
 * the package, the compat suite and the benchmarks run) is tsc's own output.
 */
const esbuild = require('esbuild');
const { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');
const ts = require('typescript');

const root = join(__dirname, '..');
const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
if (!config) throw new Error('cannot read tsconfig.json');
const { outDir, rootDir } = config.options;
const target = ts.ScriptTarget[config.options.target].toLowerCase();
const files = config.fileNames.filter((f) => !f.endsWith('.d.ts'));

async function transpile(file) {
  const out = join(outDir, relative(rootDir, file)).replace(/\.ts$/, '.js');
  const source = readFileSync(file, 'utf8');
  // JSON modules (resolveJsonModule) go along, as tsc copies them.
  for (const [, json] of source.matchAll(/from '(\.[^']*\.json)'/g)) {
    const from = resolve(dirname(file), json);
    const to = join(outDir, relative(rootDir, from));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  const result = await esbuild.transform(source, {
    loader: 'ts',
    format: 'cjs',
    target,
    platform: 'node',
    // import() becomes require(), as tsc makes it for CommonJS: the ESM loader would want file extensions.
    supported: { 'dynamic-import': false },
    sourcemap: 'external',
    sourcefile: relative(dirname(out), file),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${result.code}//# sourceMappingURL=${out.split('/').pop()}.map\n`);
  writeFileSync(out + '.map', result.map);
}

// The code cache (src/code-cache.ts) is keyed by each file's text: old entries would only pile up.
rmSync(join(outDir, '.code-cache'), { recursive: true, force: true });

Promise.all(files.map(transpile))
  .then(() => require('./wasm').assemble())
  .then((wasm) => process.stdout.write(`transpiled ${files.length} files and assembled ${wasm} to ${relative(root, outDir)}/\n`))
  .catch((err) => {
    process.stderr.write(`transpile: ${err.message}\n`);
    process.exitCode = 1;
  });
