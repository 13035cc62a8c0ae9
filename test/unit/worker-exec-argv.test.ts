import { expect } from 'chai';
import { workerExecArgv } from '../../src/cli/serve/start';

describe('server workers', () => {
  it("keep V8's young generation to 8 MB a half, unless node was given its own size", () => {
    expect(workerExecArgv([])).to.deep.equal(['--max-semi-space-size=8']);
    expect(workerExecArgv(['--enable-source-maps'])).to.deep.equal(['--enable-source-maps', '--max-semi-space-size=8']);
    expect(workerExecArgv(['--max-semi-space-size=16'])).to.deep.equal(['--max-semi-space-size=16']);
  });
});
