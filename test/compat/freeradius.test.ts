import { expect } from 'chai';
import { CompatDirectory, PEOPLE, totpAt } from './lib/directory';
import { accessRequest, eapolTest, radtest, startFreeradius, type RadiusServer } from './lib/freeradius';

describe('FreeRADIUS with rlm_ldap (Wi-Fi and VPN logins, StartTLS, a service bind account)', function () {
  this.timeout(120000);
  let directory: CompatDirectory;
  let radius: RadiusServer;

  before(async () => {
    directory = await CompatDirectory.start();
    radius = await startFreeradius(directory);
  });
  after(async () => {
    await radius?.host.stop();
    await directory?.stop();
  });

  const why = () => `${radius.host.output('freeradius').slice(-3000)}\n${directory.log()}`;

  it('radtest: accepts the right password (PAP), rejects a wrong one and an unknown user', () => {
    expect(radtest(radius, 'alice', PEOPLE.alice.password).accepted, why()).to.equal(true);
    expect(radtest(radius, 'alice', 'Not-Her-Password-1').accepted).to.equal(false);
    expect(radtest(radius, 'nobody-here', 'Whatever-Pass-1').accepted).to.equal(false);
  });

  it('accepts the password followed by the TOTP code; rejects the same code again, a wrong code, or none', async () => {
    const withCode = PEOPLE.erin.password + (await directory.freshTotp('erin'));
    expect(radtest(radius, 'erin', withCode).accepted, why()).to.equal(true);
    expect(radtest(radius, 'erin', withCode).accepted, 'replayed code').to.equal(false);
    expect(radtest(radius, 'erin', PEOPLE.erin.password + totpAt('erin', Math.floor(Date.now() / 30000) + 20)).accepted, 'wrong code').to.equal(false);
    expect(radtest(radius, 'erin', PEOPLE.erin.password).accepted, 'no code').to.equal(false);
  });

  it('rejects a locked account with the right password', () => {
    expect(radtest(radius, 'carol', PEOPLE.carol.password).accepted).to.equal(false);
  });

  it('a group check (LDAP-Group): only members of wifi get on the staff network', () => {
    const staff = (user: keyof typeof PEOPLE) =>
      accessRequest(radius, { 'User-Name': user, 'User-Password': PEOPLE[user].password, 'NAS-Identifier': 'staff-wifi' });
    expect(staff('alice').accepted, why()).to.equal(true);
    expect(staff('bob').accepted).to.equal(false);
    // The same person on a network without the rule.
    expect(accessRequest(radius, { 'User-Name': 'bob', 'User-Password': PEOPLE.bob.password, 'NAS-Identifier': 'guest-wifi' }).accepted).to.equal(true);
  });

  it('802.1X EAP-TTLS/PAP (eapol_test): accepts the right password, rejects a wrong one', () => {
    const ok = eapolTest(radius, 'alice', PEOPLE.alice.password);
    expect(ok.accepted, ok.text + why()).to.equal(true);
    expect(eapolTest(radius, 'alice', 'Not-Her-Password-1').accepted).to.equal(false);
  });

  it('802.1X EAP-TTLS/PAP with the password followed by the TOTP code', async () => {
    const r = eapolTest(radius, 'gwen', PEOPLE.gwen.password + (await directory.freshTotp('gwen')));
    expect(r.accepted, r.text).to.equal(true);
  });

  describe('device credentials (cairn wifi) for a person who must use MFA everywhere else', () => {
    let password = '';
    const made = (device: string) => /shown once\): (\S+)/.exec(directory.cairn(['wifi', 'add', 'erin', device]).stdout)![1];

    it("PEAP-MSCHAPv2, a phone's default: the device credential joins without a code; a wrong password does not", () => {
      password = made('phone');
      const r = eapolTest(radius, 'erin.phone', password, 'peap-mschapv2');
      expect(r.accepted, r.text + why()).to.equal(true);
      expect(
        eapolTest(
          radius,
          'erin.phone',
          password.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')),
          'peap-mschapv2',
        ).accepted,
      ).to.equal(false);
      // A login password has no NT hash in Cairn: PEAP with it cannot work.
      expect(eapolTest(radius, 'alice', PEOPLE.alice.password, 'peap-mschapv2').accepted).to.equal(false);
    });

    it('EAP-TTLS/PAP with the device credential too (an LDAP bind, no code)', () => {
      const r = eapolTest(radius, 'erin.phone', password);
      expect(r.accepted, r.text + why()).to.equal(true);
    });

    it('out of the Wi-Fi group: rejected on every device at once; back in: accepted', () => {
      directory.cairn(['group', 'remove-member', 'wifi', 'erin']);
      expect(eapolTest(radius, 'erin.phone', password, 'peap-mschapv2').accepted).to.equal(false);
      directory.cairn(['group', 'add-member', 'wifi', 'erin']);
      expect(eapolTest(radius, 'erin.phone', password, 'peap-mschapv2').accepted, why()).to.equal(true);
    });

    it("a VLAN by group (Tunnel-Private-Group-Id in the Access-Accept): the owner's groups decide, for the device too", () => {
      // eapol_test shows the value in hex: "3230" is "20".
      const vlan = (text: string) => {
        const hex = /Attribute 81 \(Tunnel-Private-Group-Id\)[^\n]*\n\s*Value: ([0-9a-f]+)/.exec(text)?.[1];
        return hex === undefined ? undefined : Buffer.from(hex, 'hex').toString();
      };
      expect(vlan(eapolTest(radius, 'erin.phone', password, 'peap-mschapv2').text), 'not yet in wifi-vlan20').to.equal(undefined);
      directory.cairn(['group', 'add', 'wifi-vlan20']);
      directory.cairn(['group', 'add-member', 'wifi-vlan20', 'erin']);
      const peap = eapolTest(radius, 'erin.phone', password, 'peap-mschapv2');
      expect(peap.accepted, peap.text + why()).to.equal(true);
      expect(vlan(peap.text), peap.text).to.equal('20');
      expect(vlan(eapolTest(radius, 'erin.phone', password).text), 'EAP-TTLS/PAP').to.equal('20');
      expect(vlan(eapolTest(radius, 'alice', PEOPLE.alice.password).text), 'someone else').to.equal(undefined);
    });

    it('revoked (the phone is lost): rejected at the next authentication', () => {
      directory.cairn(['wifi', 'revoke', 'erin', 'phone']);
      expect(eapolTest(radius, 'erin.phone', password, 'peap-mschapv2').accepted).to.equal(false);
      expect(eapolTest(radius, 'erin.phone', password).accepted).to.equal(false);
    });
  });
});
