import { expect } from 'chai';
import { entryLdif, makeContent, SCHEMES, slappasswdArgs } from '../helpers/slapd-content';

describe('the migration test directory content (seeded)', () => {
  it('is the same for the same seed, and differs for another', () => {
    const a = makeContent('seed-1');
    const b = makeContent('seed-1');
    expect(a.people.map((p) => [p.uid, p.password.toString('hex'), p.photo?.toString('hex')])).to.deep.equal(
      b.people.map((p) => [p.uid, p.password.toString('hex'), p.photo?.toString('hex')]),
    );
    expect(makeContent('seed-2').people[0].password.equals(a.people[0].password)).to.equal(false);
  });

  it('has people at uidNumber 1000..1020 and 10000..10020, unique uids, a 170-member group and every scheme', () => {
    const c = makeContent('x');
    const numbers = c.people.map((p) => p.uidNumber).sort((x, y) => x - y);
    expect(numbers[0]).to.equal(1000);
    expect(numbers.filter((n) => n < 10000)).to.deep.equal(Array.from({ length: 21 }, (_, i) => 1000 + i));
    expect(numbers.filter((n) => n >= 10000)).to.deep.equal(Array.from({ length: 21 }, (_, i) => 10000 + i));
    expect(new Set(c.people.map((p) => p.uid)).size).to.equal(c.people.length);
    expect(c.posixGroups.find((g) => g.cn === 'everyone')!.memberUid).to.have.length(170);
    expect(new Set(c.people.map((p) => p.scheme))).to.have.property('size', SCHEMES.length);
    for (const s of SCHEMES) expect(slappasswdArgs(s) !== undefined, s).to.equal(s !== 'ldappasswd' && s !== 'cleartext');
  });

  it('photos are 2..20 KB and not UTF-8; two passwords are not UTF-8', () => {
    const c = makeContent('x');
    const photos = c.people.flatMap((p) => (p.photo ? [p.photo] : []));
    expect(photos.length).to.be.greaterThan(10);
    for (const ph of photos) {
      expect(ph.length).to.be.within(2048, 20480);
      expect(ph.toString('utf8')).to.contain('\ufffd');
    }
    expect(c.people.filter((p) => p.password.toString('utf8').includes('\ufffd'))).to.have.length(2);
  });

  it('writes LDIF values as base64 unless they are a SAFE-STRING (RFC 2849)', () => {
    const text = entryLdif('cn=x,dc=example,dc=com', [
      ['cn', 'plain'],
      ['cn;lang-de', 'Jörg'],
      ['description', ' leading space'],
      ['description', ':colon'],
      ['jpegPhoto', Buffer.from([0xff, 0xd8])],
      ['sn', undefined],
    ]);
    expect(text).to.equal(
      [
        'dn: cn=x,dc=example,dc=com',
        'cn: plain',
        `cn;lang-de:: ${Buffer.from('Jörg').toString('base64')}`,
        `description:: ${Buffer.from(' leading space').toString('base64')}`,
        `description:: ${Buffer.from(':colon').toString('base64')}`,
        'jpegPhoto:: /9g=',
        '',
        '',
      ].join('\n'),
    );
  });
});
