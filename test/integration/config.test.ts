import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ADMIN_DN,
  ADMIN_PASSWORD,
  BASE,
  CAIRN,
  TEST_ENV,
  cairn,
  freePort,
  freshData,
  importLdif,
  initData,
  ldapTool,
  peopleLdif,
  removeData,
  startServer,
  asAdmin,
} from '../helpers/server';

/** Runs the CLI once (a `serve` that wrongly starts is stopped at its deadline: timedOut). */
const run = (data: string, args: string[], env: NodeJS.ProcessEnv = {}) => cairn(args, { data, env });

/** Every error: non-zero exit, exactly one line on stderr beginning `cairn: `, no stack trace. */
function expectRefusal(r: ReturnType<typeof run>, ...mentions: (string | RegExp)[]) {
  expect(r.timedOut, `the command should have stopped, but it ran (stdout: ${r.stdout})`).to.equal(false);
  expect(r.stdout).not.to.match(/Cairn serves/);
  expect(r.status, r.stderr).to.be.a('number').and.not.equal(0);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, `stderr should be one line, was:\n${r.stderr}`).to.have.length(1);
  expect(lines[0]).to.match(/^cairn: \S/);
  expect(r.stderr).not.to.match(/\n\s+at /);
  for (const m of mentions) {
    if (typeof m === 'string') expect(lines[0]).to.contain(m);
    else expect(lines[0]).to.match(m);
  }
}

/** `cairn serve` with exactly the arguments given; resolves with where it says it listens. */
function serve(data: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; host: string; port: number }> {
  const child = spawn(process.execPath, [CAIRN, '--data', data, ...args], { env: { ...TEST_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 15000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on ldap:\/\/([^\s:]+):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, host: m[1], port: Number(m[2]) });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${err}`));
    });
  });
}

const running: ChildProcess[] = [];
async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10000).unref();
  });
}

describe('configuration (integration)', function () {
  this.timeout(60000);

  let data: string;
  let dir: string;
  const file = (name: string, content: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
    return p;
  };

  before(() => {
    data = initData();
    dir = mkdtempSync(join(tmpdir(), 'cairn-config-'));
  });
  after(async () => {
    for (const c of running) await stop(c);
    if (data) removeData(data);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('a bad configuration file stops cairn with a message naming the problem', () => {
    it('an unknown key inside a section', () => {
      const f = file('unknown-key.json', { server: { maxConection: 5 } });
      expectRefusal(run(data, ['--config', f, 'serve', '--listen', '127.0.0.1:0', '--ldaps', 'none']), 'server.maxConection');
    });

    it('an unknown section', () => {
      const f = file('unknown-section.json', { sever: { listen: '127.0.0.1:0' } });
      expectRefusal(run(data, ['--config', f, 'serve', '--listen', '127.0.0.1:0', '--ldaps', 'none']), 'sever');
    });

    const badValues: [string, unknown, string, NodeJS.ProcessEnv?][] = [
      ['server.maxConnections 0', { server: { maxConnections: 0 } }, 'server.maxConnections'],
      ['server.maxConnections as a string', { server: { maxConnections: '10' } }, 'server.maxConnections'],
      ['log.level "loud"', { log: { level: 'loud' } }, 'log.level', { CAIRN_LOG_LEVEL: undefined }],
      ['server.listen "nowhere"', { server: { listen: 'nowhere', ldaps: 'none' } }, 'server.listen'],
      ['server.ldaps "somewhere"', { server: { listen: '127.0.0.1:0', ldaps: 'somewhere' } }, 'server.ldaps'],
      ['metrics.listen "anywhere"', { metrics: { listen: 'anywhere' } }, 'metrics.listen', { CAIRN_METRICS_LISTEN: undefined }],
      ['search.sizeLimit -1', { search: { sizeLimit: -1 } }, 'search.sizeLimit'],
      ['security.bcryptCost 99', { security: { bcryptCost: 99 } }, 'security.bcryptCost', { CAIRN_SECURITY_BCRYPT_COST: undefined }],
      ['a section given as a number', { search: 5 }, 'search'],
      ['ids.uidNumberMin above ids.uidNumberMax', { ids: { uidNumberMin: 50000, uidNumberMax: 40000 } }, 'ids.uidNumberMin'],
      ['tlsCert without tlsKey', { server: { tlsCert: '/etc/ssl/cert.pem' } }, 'server.tlsCert'],
    ];
    for (const [label, content, key, env] of badValues) {
      it(`a bad value: ${label}`, () => {
        const f = file(`bad-${key}-${Math.random().toString(36).slice(2)}.json`, content);
        // no --listen/--ldaps flags here: they would override the file's server.listen
        expectRefusal(run(data, ['--config', f, 'serve'], env), key);
      });
    }

    it('not JSON: says so and names the file', () => {
      const f = file('not-json.json', 'server:\n  listen: 127.0.0.1:389\n');
      const r = run(data, ['--config', f, 'serve', '--listen', '127.0.0.1:0', '--ldaps', 'none']);
      expect(r.timedOut).to.equal(false);
      expect(r.status).to.be.a('number').and.not.equal(0);
      expect(r.stderr).to.match(/^cairn: /);
      expect(r.stderr).to.match(/not valid JSON/i);
      expect(r.stderr).to.contain(f);
      expect(r.stderr).not.to.match(/\n\s+at /);
    });

    it('not JSON: the message is one line', () => {
      const f = file('not-json-2.json', 'server:\n  listen: 127.0.0.1:389\n');
      expectRefusal(run(data, ['--config', f, 'user', 'list']), /not valid JSON/i);
    });

    it('a JSON array instead of an object', () => {
      expectRefusal(run(data, ['--config', file('array.json', '[1, 2]'), 'user', 'list']), /object/i);
    });

    it('a missing file: names the file', () => {
      const f = join(dir, 'does-not-exist.json');
      expectRefusal(run(data, ['--config', f, 'serve', '--listen', '127.0.0.1:0', '--ldaps', 'none']), f);
    });

    it('applies to every command, not only serve (user list, user add, export, init)', () => {
      const f = file('unknown-for-all.json', { users: { defaultShel: '/bin/zsh' } });
      expectRefusal(run(data, ['--config', f, 'user', 'list']), 'users.defaultShel');
      expectRefusal(run(data, ['--config', f, 'export']), 'users.defaultShel');
      expectRefusal(run(data, ['--config', f, 'user', 'add', 'x', '--given', 'X', '--sn', 'Y']), 'users.defaultShel');
      const fresh = freshData();
      try {
        expectRefusal(run(fresh, ['--config', f, 'init', '--admin-password', ADMIN_PASSWORD]), 'users.defaultShel');
        expect(existsSync(fresh)).to.equal(false);
      } finally {
        removeData(fresh);
      }
      expect(cairn(['user', 'list'], { data }).stdout).not.to.match(/^x\t/m);
    });
  });

  describe('bad environment variables and flags', () => {
    it('CAIRN_SEARCH_SIZE_LIMIT=abc names the variable', () => {
      expectRefusal(run(data, ['serve', '--listen', '127.0.0.1:0', '--ldaps', 'none'], { CAIRN_SEARCH_SIZE_LIMIT: 'abc' }), 'CAIRN_SEARCH_SIZE_LIMIT');
    });

    it('CAIRN_SERVER_MAX_CONNECTIONS=ten names the variable', () => {
      expectRefusal(
        run(data, ['serve', '--listen', '127.0.0.1:0', '--ldaps', 'none'], { CAIRN_SERVER_MAX_CONNECTIONS: 'ten' }),
        'CAIRN_SERVER_MAX_CONNECTIONS',
      );
    });

    it('CAIRN_SERVER_ALLOW_CLEARTEXT_BIND=maybe names the variable', () => {
      expectRefusal(run(data, ['user', 'list'], { CAIRN_SERVER_ALLOW_CLEARTEXT_BIND: 'maybe' }), 'CAIRN_SERVER_ALLOW_CLEARTEXT_BIND');
    });

    it('a number out of range from the environment (CAIRN_SERVER_MAX_CONNECTIONS=0) names the setting', () => {
      expectRefusal(
        run(data, ['serve', '--listen', '127.0.0.1:0', '--ldaps', 'none'], { CAIRN_SERVER_MAX_CONNECTIONS: '0' }),
        /server\.maxConnections|CAIRN_SERVER_MAX_CONNECTIONS/,
      );
    });

    it('serve --listen nowhere / --ldaps somewhere name the setting', () => {
      expectRefusal(run(data, ['serve', '--listen', 'nowhere', '--ldaps', 'none']), 'server.listen');
      expectRefusal(run(data, ['serve', '--listen', '127.0.0.1:0', '--ldaps', 'somewhere']), 'server.ldaps');
    });
  });

  describe('precedence: defaults < file < environment < flags', () => {
    const READER = `cn=reader,ou=services,${BASE}`;
    let people: string;
    before(() => {
      people = initData();
      importLdif(people, peopleLdif(10, 'lim'));
      const r = cairn(['service', 'add', 'reader', '--password', 'Reader-pass-1'], { data: people });
      expect(r.status, r.stderr).to.equal(0);
    });
    after(() => {
      if (people) removeData(people);
    });

    /** A non-administrator's search for the 10 people: exit status (ldapsearch exits with the LDAP result) and entries. */
    const searchAs = (url: string, dn: string, password: string) => {
      const r = ldapTool('ldapsearch', ['-x', '-H', url, '-D', dn, '-w', password, '-LLL', '-b', `ou=people,${BASE}`, '(uid=lim*)', '1.1']);
      return { status: r.status, count: r.stdout.split('\n').filter((l) => l.startsWith('dn: ')).length, stderr: r.stderr };
    };

    async function withServer<T>(args: string[], env: NodeJS.ProcessEnv, fn: (url: string) => T): Promise<T> {
      const s = await startServer(people, env, args);
      try {
        return fn(s.url);
      } finally {
        await s.stop();
      }
    }

    it('default search.sizeLimit (500): the service account gets all 10 people', async () => {
      const r = await withServer([], {}, (url) => searchAs(url, READER, 'Reader-pass-1'));
      expect(r.status, r.stderr).to.equal(0);
      expect(r.count).to.equal(10);
    });

    it('a file with search.sizeLimit 3: sizeLimitExceeded (4) after 3 entries; the administrator is not limited', async () => {
      const f = file('size3.json', { search: { sizeLimit: 3 } });
      const [reader, adminResult] = await withServer(['--config', f], {}, (url) => [
        searchAs(url, READER, 'Reader-pass-1'),
        searchAs(url, ADMIN_DN, ADMIN_PASSWORD),
      ]);
      expect(reader.status, reader.stderr).to.equal(4);
      expect(reader.count).to.equal(3);
      expect(adminResult.status, adminResult.stderr).to.equal(0);
      expect(adminResult.count).to.equal(10);
    });

    it('CAIRN_SEARCH_SIZE_LIMIT=5 overrides the file: 5 entries', async () => {
      const f = file('size3b.json', { search: { sizeLimit: 3 } });
      const r = await withServer(['--config', f], { CAIRN_SEARCH_SIZE_LIMIT: '5' }, (url) => searchAs(url, READER, 'Reader-pass-1'));
      expect(r.status, r.stderr).to.equal(4);
      expect(r.count).to.equal(5);
    });

    it('server.listen: the file sets it, CAIRN_SERVER_LISTEN overrides the file, --listen overrides both', async () => {
      const [p1, p2] = [await freePort(), await freePort()];
      const f = file('listen.json', { server: { listen: `127.0.0.1:${p1}`, ldaps: 'none' } });

      const fromFile = await serve(people, ['--config', f, 'serve']);
      expect(fromFile.port).to.equal(p1);
      expect(ldapTool('ldapwhoami', asAdmin(`ldap://127.0.0.1:${p1}`)).status).to.equal(0);
      await stop(fromFile.child);

      const fromEnv = await serve(people, ['--config', f, 'serve'], { CAIRN_SERVER_LISTEN: `127.0.0.1:${p2}` });
      expect(fromEnv.port).to.equal(p2);
      await stop(fromEnv.child);

      const fromFlag = await serve(people, ['--config', f, 'serve', '--listen', '127.0.0.1:0'], { CAIRN_SERVER_LISTEN: `127.0.0.1:${p2}` });
      expect(fromFlag.port).not.to.equal(p1);
      expect(fromFlag.port).not.to.equal(p2);
      expect(ldapTool('ldapwhoami', asAdmin(`ldap://127.0.0.1:${fromFlag.port}`)).status).to.equal(0);
      await stop(fromFlag.child);
    });

    it('CLI commands follow the same order: users.defaultShell and homeDirectoryPrefix from the file, then the environment', () => {
      const f = file('users.json', { users: { defaultShell: '/bin/zsh', homeDirectoryPrefix: '/srv/home' } });
      const a = cairn(['--config', f, 'user', 'add', 'zack', '--given', 'Zack', '--sn', 'Z'], { data: people });
      expect(a.status, a.stderr).to.equal(0);
      const b = cairn(['--config', f, 'user', 'add', 'fiona', '--given', 'Fiona', '--sn', 'F'], {
        data: people,
        env: { CAIRN_USERS_DEFAULT_SHELL: '/usr/bin/fish' },
      });
      expect(b.status, b.stderr).to.equal(0);
      const zack = cairn(['user', 'show', 'zack'], { data: people }).stdout;
      expect(zack).to.contain('loginShell: /bin/zsh');
      expect(zack).to.contain('homeDirectory: /srv/home/zack');
      const fiona = cairn(['user', 'show', 'fiona'], { data: people }).stdout;
      expect(fiona).to.contain('loginShell: /usr/bin/fish');
      expect(fiona).to.contain('homeDirectory: /srv/home/fiona');
    });
  });
});
