import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CODE_CACHE = join(__dirname, '..', '..', 'src', 'code-cache.js');

describe('the code cache of Cairn’s modules (bin/cairn)', () => {
  let dir: string;
  let root: string;
  let folder: string;

  /** A process that loads root/a.js (which requires ./b) through the cache kept in `cache`. */
  function run(cache = folder) {
    const script = `require(${JSON.stringify(CODE_CACHE)}).useCodeCache(${JSON.stringify(root)}, ${JSON.stringify(cache)}); require(${JSON.stringify(join(root, 'a.js'))});`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(r.stderr).to.equal('');
    return r.stdout.trim();
  }
  const cached = () => readdirSync(folder).sort();

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-code-cache-'));
    root = join(dir, 'src');
    folder = join(dir, '.code-cache');
    mkdirSync(root);
    writeFileSync(join(root, 'b.js'), 'exports.x = "b";\n');
    writeFileSync(
      join(root, 'a.js'),
      'const b = require("./b");\nconsole.log(["one", b.x, require.resolve("./b") === __dirname + "/b.js", module.exports === exports].join(" "));\n',
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a module as Node would (its require, require.resolve, module and exports), and keeps its compiled code', () => {
    expect(run()).to.equal('one b true true');
    expect(cached()).to.have.length(2);
  });

  it('a second process uses the cache as it is (nothing is written again)', () => {
    run();
    const before = cached().map((f) => statSync(join(folder, f)).mtimeMs);
    expect(run()).to.equal('one b true true');
    expect(cached().map((f) => statSync(join(folder, f)).mtimeMs)).to.deep.equal(before);
  });

  it('a rebuilt module of the same length runs as it is now, never from its old cache', () => {
    run();
    writeFileSync(
      join(root, 'a.js'),
      'const b = require("./b");\nconsole.log(["two", b.x, require.resolve("./b") === __dirname + "/b.js", module.exports === exports].join(" "));\n',
    );
    expect(run()).to.equal('two b true true');
    expect(cached()).to.have.length(3);
  });

  it('a folder that cannot be written: the modules run, nothing is cached, nothing is said', () => {
    writeFileSync(join(dir, 'a-file'), '');
    expect(run(join(dir, 'a-file', 'cache'))).to.equal('one b true true');
  });
});
