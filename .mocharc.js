'use strict';
// npm test: every test file, in parallel. The slowest files go first (by their time in a run of the whole
// suite), so the workers finish together instead of one starting a long file near the end.
const { readdirSync } = require('node:fs');

// Every process the tests start (mocha's workers, servers, CLI runs, the tool runner) talks to loopback
// only, with Cairn's own certificates. NODE_EXTRA_CA_CERTS, where the machine sets it, makes each Node
// process parse that CA bundle as it starts: about 60 ms of CPU, over a hundred processes in a run.
delete process.env.NODE_EXTRA_CA_CERTS;
const { join } = require('node:path');

const SLOW_FIRST = [
  'integration/cli.test.js',
  'integration/portal.test.js',
  'integration/durability.test.js',
  'integration/lifecycle.test.js',
  'integration/config.test.js',
  'integration/robustness.test.js',
  'integration/migrate-openldap.test.js',
  'integration/startup.test.js',
  'integration/writes.test.js',
  'integration/backup.test.js',
  'integration/metrics.test.js',
  'integration/legacy-hashes.test.js',
  'integration/password-policy.test.js',
  'integration/fuzz.test.js',
  'unit/hash-schemes.test.js',
  'integration/import.test.js',
  'integration/workers.test.js',
  'integration/hostile-connections.test.js',
  'unit/search-plan.test.js',
];

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.js') ? [join(dir, e.name)] : []))
    .sort();
}

const root = join(__dirname, 'dist', 'test');
const all = ['integration', 'unit'].flatMap((d) => testFiles(join(root, d)));
const rank = (file) => {
  const i = SLOW_FIRST.findIndex((s) => file.endsWith(s));
  return i < 0 ? SLOW_FIRST.length : i;
};

module.exports = {
  spec: all
    .map((file, order) => ({ file, order }))
    .sort((a, b) => rank(a.file) - rank(b.file) || a.order - b.order)
    .map((x) => x.file),
  timeout: 20000,
  reporter: 'spec',
  exit: true,
  parallel: true,
  jobs: 4,
};
