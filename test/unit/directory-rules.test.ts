import { expect } from 'chai';
import { join } from 'node:path';
import { AccessControl, isOwnEntry } from '../../src/directory/acl';
import { LdapError } from '../../src/directory/errors';
import type { Identity } from '../../src/directory/identity';
import {
  adminsGroupDN,
  defaultPolicyDN,
  groupDN,
  initialAdminDN,
  personDN,
  policyDN,
  serviceAccountTest,
  serviceDN,
  unitDN,
  UNITS,
} from '../../src/directory/layout';
import { matchedDNIn, superiorNdns } from '../../src/directory/matched-dn';
import { Normalization } from '../../src/directory/normalize';
import { loadSchema } from '../../src/directory/schema/load';
import { fromAttributeMap, setValues, toAttributeMap } from '../../src/directory/write/entry-attributes';
import { ResultCode } from '../../src/ldap/result-codes';

const norm = new Normalization(loadSchema(join(__dirname, '..', '..', '..', 'schema')));
const BASE = 'dc=example,dc=org';
const acl = new AccessControl(norm, { selfWritable: ['mail', 'userPassword'], allowedShells: ['/bin/bash'], selfAddableClasses: ['ldapPublicKey'] });

const ALICE = `uid=alice,ou=people,${BASE}`;
const user = (dn: string, extra: Partial<{ isAdmin: boolean; isService: boolean }> = {}): Identity => ({
  kind: 'user',
  dn,
  ndn: norm.normalizeDN(dn).ndn,
  entryId: 1,
  isAdmin: extra.isAdmin ?? false,
  isService: extra.isService ?? false,
});
const alice = user(ALICE);
const admin = user(`uid=admin,ou=people,${BASE}`, { isAdmin: true });
const service = user(`cn=sssd,ou=services,${BASE}`, { isService: true });

describe('access decisions (acl.ts)', () => {
  it('lifts the server search limits for administrators and the CLI only', () => {
    expect(acl.unlimitedSearch({ kind: 'system' })).to.equal(true);
    expect(acl.unlimitedSearch(admin)).to.equal(true);
    expect(acl.unlimitedSearch(alice)).to.equal(false);
    expect(acl.unlimitedSearch(service)).to.equal(false);
    expect(acl.unlimitedSearch({ kind: 'anonymous' })).to.equal(false);
  });

  it('lets only administrators, the CLI and imports set an already hashed password (50 otherwise)', () => {
    const hashed = ['{SSHA}ZxGZ6QTBo5UG0Ly3i1jx3sfdnHeBUhDB'];
    expect(() => acl.checkPasswordValues(admin, false, hashed)).not.to.throw();
    expect(() => acl.checkPasswordValues({ kind: 'system' }, false, hashed)).not.to.throw();
    expect(() => acl.checkPasswordValues(alice, true, hashed)).not.to.throw();
    expect(() => acl.checkPasswordValues(alice, false, ['a plain password'])).not.to.throw();
    try {
      acl.checkPasswordValues(alice, false, hashed);
      expect.fail('a person set a hash');
    } catch (e) {
      expect(e).to.be.instanceOf(LdapError);
      expect((e as LdapError).resultCode).to.equal(ResultCode.insufficientAccessRights);
      expect((e as LdapError).message).to.equal('userPassword: only administrators may set an already hashed password; send the password itself');
    }
  });

  it('knows a person on their own entry', () => {
    expect(isOwnEntry(alice, norm.normalizeDN(ALICE.toUpperCase()).ndn)).to.equal(true);
    expect(isOwnEntry(alice, norm.normalizeDN(`uid=bob,ou=people,${BASE}`).ndn)).to.equal(false);
    expect(isOwnEntry({ kind: 'system' }, norm.normalizeDN(ALICE).ndn)).to.equal(false);
  });
});

describe('directory layout (layout.ts)', () => {
  it('names every place cairn init makes and the CLI fills', () => {
    expect(UNITS.map((u) => unitDN(BASE, u))).to.deep.equal(['people', 'groups', 'services', 'policies'].map((u) => `ou=${u},${BASE}`));
    expect(adminsGroupDN(BASE)).to.equal(`cn=admins,ou=groups,${BASE}`);
    expect(initialAdminDN(BASE)).to.equal(`uid=admin,ou=people,${BASE}`);
    expect(defaultPolicyDN(BASE)).to.equal(`cn=default,ou=policies,${BASE}`);
    expect(personDN(BASE, 'a,b')).to.equal(`uid=a\\,b,ou=people,${BASE}`);
    expect(groupDN(BASE, 'staff')).to.equal(`cn=staff,ou=groups,${BASE}`);
    expect(serviceDN(BASE, 'sssd')).to.equal(`cn=sssd,ou=services,${BASE}`);
    expect(policyDN(BASE, 'strict')).to.equal(`cn=strict,ou=policies,${BASE}`);
  });

  it('tells service accounts by place, whatever the case of the DN', () => {
    const isService = serviceAccountTest(norm, BASE);
    expect(isService(norm.normalizeDN(`CN=sssd,OU=Services,${BASE}`).ndn)).to.equal(true);
    expect(isService(norm.normalizeDN(`ou=services,${BASE}`).ndn)).to.equal(false);
    expect(isService(norm.normalizeDN(ALICE).ndn)).to.equal(false);
  });
});

describe('matchedDN and the attribute setter', () => {
  it('finds the nearest existing superior, nearest first', () => {
    const dn = norm.normalizeDN(`uid=x,ou=gone,ou=people,${BASE}`);
    expect(superiorNdns(dn)).to.deep.equal(['ou=gone,ou=people,dc=example,dc=org', 'ou=people,dc=example,dc=org', 'dc=example,dc=org', 'dc=org']);
    const have = new Map([
      ['ou=people,dc=example,dc=org', { dn: `ou=People,${BASE}` }],
      ['dc=example,dc=org', { dn: BASE }],
    ]);
    expect(matchedDNIn({ entryByNdn: (n: string) => have.get(n) }, dn)).to.equal(`ou=People,${BASE}`);
    expect(matchedDNIn({ entryByNdn: () => undefined }, dn)).to.equal(undefined);
  });

  it('replaces, removes and keeps values, and says whether anything changed', () => {
    const attrs = fromAttributeMap(norm, { cn: ['A'], mail: ['a@example.org'] });
    expect(setValues(norm, attrs, 'MAIL', ['b@example.org'])).to.equal(true);
    expect(setValues(norm, attrs, 'cn', ['B'], true)).to.equal(false);
    expect(setValues(norm, attrs, 'sn', [])).to.equal(false);
    expect(setValues(norm, attrs, 'cn', [])).to.equal(true);
    expect(toAttributeMap(attrs)).to.deep.equal({ mail: ['b@example.org'] });
  });
});
