import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_PASSWORD, CAIRN, TEST_ENV, cairn, freshData, initData, removeData, startServer } from '../helpers/server';
import { berBoolean, berEnumerated, berInteger, berOctetString, berSequence } from '../../src/wire/protocol/ber-write';

/** `cairn serve` on ephemeral ports: whether it exits (code, stderr) or starts listening within `ms`. */
function serveOutcome(data: string, env: NodeJS.ProcessEnv, ms = 10000): Promise<{ exited: boolean; code: number | null; stderr: string; elapsed: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CAIRN, '--data', data, 'serve', '--listen', '127.0.0.1:0', '--ldaps', 'none'], { env: { ...TEST_ENV, ...env } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (/ldap:\/\/127\.0\.0\.1:\d+/.test(stdout)) child.kill('SIGTERM');
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exited: !/ldap:\/\//.test(stdout), code, stderr, elapsed: Date.now() - started });
    });
  });
}

describe('start-up checks', function () {
  this.timeout(120000);

  describe('a lost or wrong MFA key (people enrolled)', () => {
    let data: string;
    let keyFile: string;
    let saved: string;

    before(() => {
      data = initData();
      keyFile = join(data, 'mfa.key');
      const add = cairn(['user', 'add', 'pat', '--given', 'Pat', '--sn', 'Lee', '--password', 'Pat-pass-12345'], { data });
      expect(add.status, add.stderr).to.equal(0);
      // A pending enrolment is enough: its secret is sealed with the key.
      const enrol = cairn(['mfa', 'enroll', 'pat'], { data });
      expect(enrol.status, enrol.stderr).to.equal(0);
      saved = join(data, '..', 'mfa.key.saved');
      copyFileSync(keyFile, saved);
    });
    after(() => removeData(data));
    afterEach(() => copyFileSync(saved, keyFile));

    for (const workers of ['1', '3']) {
      it(`serve (${workers} worker(s)) refuses to start without the key: one line naming it and how to restore it, no new key`, async () => {
        rmSync(keyFile);
        const r = await serveOutcome(data, { CAIRN_SERVER_WORKERS: workers });
        expect(r.exited, r.stderr).to.equal(true);
        expect(r.code).to.not.equal(0);
        expect(r.elapsed).to.be.below(8000);
        expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
        expect(r.stderr).to.include(`cairn: the MFA key ${keyFile} is missing and 1 MFA enrolment(s) depend on it`);
        expect(r.stderr).to.include('cairn restore');
        expect(existsSync(keyFile)).to.equal(false);
      });

      it(`serve (${workers} worker(s)) refuses a key that does not open the enrolled secrets`, async () => {
        writeFileSync(keyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
        const r = await serveOutcome(data, { CAIRN_SERVER_WORKERS: workers });
        expect(r.exited, r.stderr).to.equal(true);
        expect(r.code).to.not.equal(0);
        expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
        expect(r.stderr).to.include(`cairn: the MFA key ${keyFile} does not open the MFA secrets stored in the directory`);
      });
    }

    it('a key configured elsewhere (mfa.keyFile) that is missing is refused the same way', async () => {
      const elsewhere = join(data, '..', 'elsewhere.key');
      const r = await serveOutcome(data, { CAIRN_SERVER_WORKERS: '1', CAIRN_MFA_KEY_FILE: elsewhere });
      expect(r.exited, r.stderr).to.equal(true);
      expect(r.stderr).to.include(`the MFA key ${elsewhere} is missing`);
      expect(existsSync(elsewhere)).to.equal(false);
    });

    it('CLI commands that open the directory refuse too, and make no key', () => {
      rmSync(keyFile);
      const r = cairn(['user', 'list'], { data });
      expect(r.status).to.not.equal(0);
      expect(r.stderr).to.match(/^cairn: the MFA key .* is missing/);
      expect(existsSync(keyFile)).to.equal(false);
    });

    it('mfa new-key starts over only when the key is lost and --reset-enrolments is given', async () => {
      expect(cairn(['mfa', 'new-key', '--reset-enrolments'], { data }).stderr).to.include('is there and opens the enrolled secrets; nothing to replace');
      const wrong = randomBytes(32).toString('base64') + '\n';
      writeFileSync(keyFile, wrong, { mode: 0o600 });
      const refused = cairn(['mfa', 'new-key'], { data });
      expect(refused.status).to.not.equal(0);
      expect(refused.stderr).to.include('removes all 1 MFA enrolment(s)');
      expect(readFileSync(keyFile, 'utf8')).to.equal(wrong);
      // A copy of the folder, so that the other tests keep their enrolment.
      const copy = join(mkdtempSync(join(tmpdir(), 'cairn-newkey-')), 'data');
      try {
        expect(cairn(['backup', join(copy, '..', 'b.backup')], { data, env: { CAIRN_MFA_KEY_FILE: saved } }).status).to.equal(0);
        expect(cairn(['restore', join(copy, '..', 'b.backup')], { data: copy }).status).to.equal(0);
        const copyKey = join(copy, 'mfa.key');
        rmSync(copyKey);
        const r = cairn(['mfa', 'new-key', '--reset-enrolments'], { data: copy });
        expect(r.status, r.stderr).to.equal(0);
        expect(r.stdout).to.include('1 enrolment(s) removed').and.include('uid=pat,ou=people,');
        expect(statSync(copyKey).mode & 0o777).to.equal(0o600);
        expect(cairn(['mfa', 'status', 'pat'], { data: copy }).stdout).to.include('off');
        const s = await serveOutcome(copy, { CAIRN_SERVER_WORKERS: '1' });
        expect(s.exited, s.stderr).to.equal(false);
      } finally {
        rmSync(join(copy, '..'), { recursive: true, force: true });
      }
    });

    it('with the key copied back, serve starts again', async () => {
      const r = await serveOutcome(data, { CAIRN_SERVER_WORKERS: '2' });
      expect(r.exited, r.stderr).to.equal(false);
    });
  });

  describe('nobody enrolled', () => {
    it('a missing key is made anew (0600), with one worker and with several', async () => {
      const data = initData();
      try {
        for (const workers of ['1', '3']) {
          rmSync(join(data, 'mfa.key'), { force: true });
          const r = await serveOutcome(data, { CAIRN_SERVER_WORKERS: workers });
          expect(r.exited, r.stderr).to.equal(false);
          expect(statSync(join(data, 'mfa.key')).mode & 0o777).to.equal(0o600);
        }
      } finally {
        removeData(data);
      }
    });
  });

  describe('the first administrator password', () => {
    const folderOf = (data: string) => join(data, '..');

    it("init refuses one shorter than the default policy's pwdMinLength (12), creating nothing", () => {
      for (const short of ['a', 'Short-pw-11']) {
        const data = freshData();
        try {
          const r = cairn(['init', '--admin-password', short], { data });
          expect(r.status).to.not.equal(0);
          expect(r.stderr).to.equal(
            "cairn: the administrator password must be at least 12 characters (the default policy's pwdMinLength/pwdMaxLength); nothing was created\n",
          );
          expect(existsSync(data)).to.equal(false);
          expect(readdirSync(folderOf(data))).to.deep.equal([]);
        } finally {
          removeData(data);
        }
      }
    });

    it('init refuses a short CAIRN_ADMIN_PASSWORD, and so does serve --init-if-missing', async () => {
      const data = freshData();
      try {
        const r = cairn(['init'], { data, env: { CAIRN_ADMIN_PASSWORD: 'abc' } });
        expect(r.status).to.not.equal(0);
        expect(r.stderr).to.include('the administrator password must be at least 12 characters');
        expect(existsSync(data)).to.equal(false);
        const s = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
          const child = spawn(process.execPath, [CAIRN, '--data', data, 'serve', '--init-if-missing', '--listen', '127.0.0.1:0', '--ldaps', 'none'], {
            env: { ...TEST_ENV, CAIRN_ADMIN_PASSWORD: 'abc', CAIRN_SERVER_WORKERS: '1' },
          });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
          const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
          child.on('close', (code) => {
            clearTimeout(timer);
            resolve({ code, stderr });
          });
        });
        expect(s.code).to.not.equal(0);
        expect(s.stderr).to.include('the administrator password must be at least 12 characters');
        expect(existsSync(join(data, 'cairn.sqlite'))).to.equal(false);
      } finally {
        removeData(data);
      }
    });

    it("accepts 12 characters and more (the test helpers' password among them)", () => {
      expect(ADMIN_PASSWORD.length).to.be.at.least(12);
      const data = freshData();
      try {
        const r = cairn(['init', '--admin-password', 'twelve-chars'], { data });
        expect(r.status, r.stderr).to.equal(0);
      } finally {
        removeData(data);
      }
    });
  });

  describe('log lines', () => {
    it('a search with a 200 KB filter writes a log line under 4 KB', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cairn-log-'));
      const logFile = join(dir, 'cairn.log');
      const data = initData();
      const server = await startServer(data, { CAIRN_LOG_LEVEL: 'info', CAIRN_LOG_FILE: logFile, CAIRN_SERVER_WORKERS: '1' });
      try {
        const big = 'x'.repeat(200 * 1024);
        // An anonymous root DSE search, filter (description=xxx…), as a client may send.
        const search = berSequence([
          berInteger(1),
          berSequence(
            [
              berOctetString(''),
              berEnumerated(0),
              berEnumerated(0),
              berInteger(0),
              berInteger(0),
              berBoolean(false),
              berSequence([berOctetString('description'), berOctetString(big)], 0xa3),
              berSequence([]),
            ],
            0x63,
          ),
        ]);
        const socket = net.connect({ port: server.port, host: '127.0.0.1' });
        await new Promise((r) => socket.once('connect', r));
        let got = Buffer.alloc(0);
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no searchResDone')), 10000);
          socket.on('data', (d: Buffer) => {
            got = Buffer.concat([got, d]);
            if (got.includes(Buffer.from([0x02, 0x01, 0x01, 0x65]))) {
              clearTimeout(timer);
              resolve();
            }
          });
          socket.write(search);
        });
        socket.destroy();
        let line: string | undefined;
        for (let i = 0; i < 50 && !line; i++) {
          await new Promise((r) => setTimeout(r, 100));
          line = existsSync(logFile)
            ? readFileSync(logFile, 'utf8')
                .split('\n')
                .find((l) => l.includes('"operation"') && l.includes('description='))
            : undefined;
        }
        expect(line, 'the search is logged').to.be.a('string');
        expect(Buffer.byteLength(line!)).to.be.below(4096);
        expect(line).to.match(/…\(\+\d+ chars\)/);
        expect(readFileSync(logFile).length).to.be.below(64 * 1024);
      } finally {
        await server.stop();
        removeData(data);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
