#!/usr/bin/env node
'use strict';
/**
 * Assembles the WebAssembly text files of src/ (src/**\/*.wat) into dist/src/**\/*.wasm with wabt,
 * beside the JavaScript that loads them. Part of every build (npm run build, and the tests' transpile).
 */
const { mkdirSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const root = join(__dirname, '..');

function watFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? watFiles(p) : e.name.endsWith('.wat') ? [p] : [];
  });
}

async function assemble() {
  const wabt = await require('wabt')();
  const files = watFiles(join(root, 'src'));
  for (const file of files) {
    const module = wabt.parseWat(relative(root, file), readFileSync(file, 'utf8'));
    try {
      module.validate();
      const out = join(root, 'dist', relative(root, file)).replace(/\.wat$/, '.wasm');
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, module.toBinary({}).buffer);
    } finally {
      module.destroy();
    }
  }
  return files.length;
}

module.exports = { assemble };

if (require.main === module) {
  assemble().catch((err) => {
    process.stderr.write(`wasm: ${err.message}\n`);
    process.exitCode = 1;
  });
}
