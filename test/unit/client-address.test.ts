import { expect } from 'chai';
import { clientKey } from '../../src/wire/client-address';

describe('clientKey: which connections count as one client', () => {
  it('an IPv4 address is itself, also when mapped into IPv6', () => {
    expect(clientKey('192.0.2.7')).to.equal('192.0.2.7');
    expect(clientKey('::ffff:192.0.2.7')).to.equal('192.0.2.7');
  });

  it('IPv6 addresses of one /64 are one client, however written', () => {
    const a = clientKey('2001:db8:1:2:aaaa::1');
    expect(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).to.equal(a);
    expect(clientKey('2001:DB8:1:2::9')).to.equal(a);
    expect(clientKey('2001:db8:1:3::1')).to.not.equal(a);
    expect(clientKey('::1')).to.equal('0:0:0:0::/64');
  });
});
