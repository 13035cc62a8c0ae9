import { expect } from 'chai';
import { cleartextBindAllowed, isLoopback } from '../../src/wire/transport-security';

describe('transport security', () => {
  it('recognises loopback peers only', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).to.equal(true);
    for (const a of ['10.0.0.1', '192.168.1.127', '::ffff:10.1.1.1', '1127.0.0.1', '::12', 'fe80::1', '']) expect(isLoopback(a), a).to.equal(false);
  });

  it('refuses a password in the clear from the network unless configured', () => {
    expect(cleartextBindAllowed({ secure: false, loopback: false }, false)).to.equal(false);
    expect(cleartextBindAllowed({ secure: false, loopback: false }, true)).to.equal(true);
    expect(cleartextBindAllowed({ secure: true, loopback: false }, false)).to.equal(true);
    expect(cleartextBindAllowed({ secure: false, loopback: true }, false)).to.equal(true);
  });
});
