#!/usr/bin/env node
'use strict';
/**
 * The tests' build: every .ts file of src/, test/ and bench/ turned into JavaScript in dist/, file by file,
 * without type checking (2 s where tsc takes 11 s on 2 cores). Types are checked by `npm run lint`
 * (tsc --noEmit) and by `npm run build`, which the package and the benchmarks use.
 */
const ts = require('typescript');
const { copyFileSync, mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join, relative, resolve } = require('node:path');

const root = join(__dirname, '..');
const config = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
if (!config) throw new Error('cannot read tsconfig.json');
const options = { ...config.options, noEmit: false, declaration: false };
let count = 0;
for (const file of config.fileNames) {
  if (file.endsWith('.d.ts')) continue;
  const out = join(options.outDir, relative(options.rootDir, file)).replace(/\.ts$/, '.js');
  const source = readFileSync(file, 'utf8');
  // JSON modules (resolveJsonModule) go along, as tsc copies them.
  for (const [, json] of source.matchAll(/from '(\.[^']*\.json)'/g)) {
    const from = resolve(dirname(file), json);
    const to = join(options.outDir, relative(options.rootDir, from));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
  const result = ts.transpileModule(source, { compilerOptions: options, fileName: file, reportDiagnostics: false });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, result.outputText.replace(/\/\/# sourceMappingURL=.*$/m, `//# sourceMappingURL=${out.split('/').pop()}.map`));
  if (result.sourceMapText) writeFileSync(out + '.map', result.sourceMapText);
  count++;
}
require('./wasm')
  .assemble()
  .then((wasm) => process.stdout.write(`transpiled ${count} files and assembled ${wasm} to ${relative(root, options.outDir)}/\n`))
  .catch((err) => {
    process.stderr.write(`wasm: ${err.message}\n`);
    process.exitCode = 1;
  });
