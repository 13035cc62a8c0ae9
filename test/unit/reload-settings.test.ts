import { expect } from 'chai';
import { loadDefaults } from '../../src/config';
import { applySettings, changedSettings, splitChanges } from '../../src/cli/serve/settings';

describe('settings at a reload (SIGHUP)', () => {
  it('finds the changed settings, splits live from restart-only, and applies the live ones in place', () => {
    const current = loadDefaults();
    const next = loadDefaults();
    next.search.sizeLimit = 3;
    next.access.allowedShells = ['/bin/sh'];
    next.server.listen = '127.0.0.1:1389';
    next.log.file = '/var/log/cairn.log';
    const changed = changedSettings(current, next);
    expect(changed).to.have.members(['search.sizeLimit', 'access.allowedShells', 'server.listen', 'log.file']);
    const { live, restartOnly } = splitChanges(changed);
    expect(live).to.have.members(['search.sizeLimit', 'access.allowedShells']);
    expect(restartOnly).to.have.members(['server.listen', 'log.file']);
    const mfa = current.mfa;
    const search = current.search;
    applySettings(current, next, live);
    expect(current.search).to.equal(search);
    expect(current.mfa).to.equal(mfa);
    expect(current.search.sizeLimit).to.equal(3);
    expect(current.access.allowedShells).to.deep.equal(['/bin/sh']);
    expect(current.server.listen).to.equal('127.0.0.1:3389');
    expect(changedSettings(current, next)).to.have.members(restartOnly);
  });
});
