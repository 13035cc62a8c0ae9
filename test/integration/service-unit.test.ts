/** contrib/systemd/cairn.service: valid, hardened, and (where systemd runs) starts, reloads and stops. */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAIRN, ROOT } from '../helpers/server';

const UNIT = join(ROOT, 'contrib', 'systemd', 'cairn.service');

describe('the systemd unit', function () {
  this.timeout(60000);
  let dir: string;
  let unit: string;

  before(function () {
    if (spawnSync('systemd-analyze', ['--version']).status !== 0) this.skip();
    dir = mkdtempSync(join(tmpdir(), 'cairn-unit-'));
    // The unit names the installed path; point it at this checkout so that verify finds the program.
    unit = join(dir, 'cairn.service');
    writeFileSync(unit, readFileSync(UNIT, 'utf8').replaceAll('/opt/cairn/bin/cairn', CAIRN));
  });

  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('passes systemd-analyze verify', () => {
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    const ours = (r.stderr + r.stdout).split('\n').filter((l) => l.includes('cairn.service'));
    expect(ours, ours.join('\n')).to.deep.equal([]);
    expect(r.status).to.equal(0);
  });

  it('is rated OK or better by systemd-analyze security (exposure at most 2.0)', () => {
    const r = spawnSync('systemd-analyze', ['security', '--offline=true', unit], { encoding: 'utf8' });
    const m = /Overall exposure level for cairn\.service: ([\d.]+) (\w+)/.exec(r.stdout + r.stderr);
    expect(m, r.stdout + r.stderr).to.not.equal(null);
    expect(Number(m![1])).to.be.at.most(2.0);
  });

  it('allows ports 389 and 636 and no other privilege, writes only its data and log folders', () => {
    const text = readFileSync(UNIT, 'utf8');
    expect(text).to.match(/^CapabilityBoundingSet=CAP_NET_BIND_SERVICE$/m);
    expect(text).to.match(/^AmbientCapabilities=CAP_NET_BIND_SERVICE$/m);
    expect(text).to.match(/^User=cairn$/m);
    expect(text).to.match(/^ProtectSystem=strict$/m);
    expect(text).to.match(/^ProtectHome=yes$/m);
    expect(text).to.match(/^PrivateTmp=yes$/m);
    expect(text).to.match(/^NoNewPrivileges=yes$/m);
    expect(text).to.match(/^ReadWritePaths=\/var\/lib\/cairn \/var\/log\/cairn$/m);
    expect(text).to.match(/^Restart=on-failure$/m);
    expect(text).to.match(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  });

  it('starts, serves, reloads and stops under systemd', function () {
    if (!existsSync('/run/systemd/system')) {
      console.log('      (skipped: systemd is not the init system here, so no unit can be started; run this test on a machine booted with systemd)');
      this.skip();
    }
    const name = `cairn-test-${process.pid}`;
    const run = (...args: string[]) => spawnSync('systemctl', args, { encoding: 'utf8' });
    writeFileSync(
      `/run/systemd/system/${name}.service`,
      readFileSync(unit, 'utf8')
        .replace(/^User=cairn$/m, 'DynamicUser=yes')
        .replace(/0\.0\.0\.0:389/, '127.0.0.1:3389')
        .replace(/0\.0\.0\.0:636/, '127.0.0.1:3636'),
    );
    try {
      run('daemon-reload');
      spawnSync(CAIRN, ['--data', `/var/lib/${name}`, 'init', '--admin-password', 'Admin-pass-1234']);
      expect(run('start', name).status).to.equal(0);
      expect(run('is-active', name).stdout.trim()).to.equal('active');
      expect(run('reload', name).status).to.equal(0);
      expect(run('is-active', name).stdout.trim()).to.equal('active');
      expect(run('stop', name).status).to.equal(0);
    } finally {
      run('stop', name);
      rmSync(`/run/systemd/system/${name}.service`, { force: true });
      run('daemon-reload');
    }
  });
});
