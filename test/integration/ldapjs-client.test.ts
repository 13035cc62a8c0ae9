/**
 * Cairn as the ldapjs 3.0.7 client sees it: binds, searches (scopes, filters, attribute selection,
 * paging, limits), compare, Who am I?, StartTLS and LDAPS, and errors with the fields a client reads.
 */
import { expect } from 'chai';
import { ADMIN_DN, ADMIN_PASSWORD, BASE, importLdif, initData, peopleLdif, removeData, startServer, type RunningServer } from '../helpers/server';

// ldapjs ships no types and @types/ldapjs is not installed: a small local view of what the tests use.
interface LdapError extends Error {
  code: number;
  name: string;
  lde_message?: string;
  /** The matchedDN of the result, as a string ('' when none). */
  dn: string;
}
interface LdapResultLike {
  status: number;
  matchedDN?: string;
  errorMessage?: string;
}
interface SearchEntryLike {
  pojo: { objectName: string; attributes: { type: string; values: string[] }[] };
}
interface SearchEmitter {
  on(event: 'searchEntry', fn: (e: SearchEntryLike) => void): void;
  on(event: 'searchReference', fn: (r: unknown) => void): void;
  on(event: 'page', fn: (res: LdapResultLike, cb?: () => void) => void): void;
  on(event: 'error', fn: (err: LdapError) => void): void;
  on(event: 'end', fn: (res: LdapResultLike | null) => void): void;
}
interface SearchOptions {
  scope?: 'base' | 'one' | 'sub';
  /** A filter string, or a filter object from ldap.filters. */
  filter?: string | FilterObject;
  attributes?: string[];
  typesOnly?: boolean;
  sizeLimit?: number;
  timeLimit?: number;
  paged?: boolean | { pageSize?: number; pagePause?: boolean };
}
/** An @ldapjs/filter instance (its toString tag is FilterString, which ldapjs's search accepts). */
interface FilterObject {
  toString(): string;
}
interface FilterClasses {
  EqualityFilter: new (o: { attribute: string; value: string }) => FilterObject;
  SubstringFilter: new (o: { attribute: string; initial?: string; any?: string[]; final?: string }) => FilterObject;
  AndFilter: new (o: { filters?: FilterObject[] }) => FilterObject;
  OrFilter: new (o: { filters?: FilterObject[] }) => FilterObject;
}
interface LdapClient {
  bind(dn: string, password: string, cb: (err: LdapError | null, res?: LdapResultLike) => void): void;
  search(base: string, options: SearchOptions, cb: (err: LdapError | null, res: SearchEmitter) => void): void;
  compare(dn: string, attr: string, value: string, cb: (err: LdapError | null, matched?: boolean) => void): void;
  exop(name: string, value: string | undefined, cb: (err: LdapError | null, value: unknown, res?: LdapResultLike) => void): void;
  starttls(options: object, controls: unknown[], cb: (err: Error | null) => void): void;
  unbind(cb?: (err?: Error) => void): void;
  destroy(err?: Error): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
  connected: boolean;
}
interface LdapJs {
  createClient(options: { url: string; timeout?: number; connectTimeout?: number; tlsOptions?: object }): LdapClient;
  InvalidCredentialsError: new (...args: unknown[]) => LdapError;
  NoSuchObjectError: new (...args: unknown[]) => LdapError;
  SizeLimitExceededError: new (...args: unknown[]) => LdapError;
  InsufficientAccessRightsError: new (...args: unknown[]) => LdapError;
  NoSuchAttributeError: new (...args: unknown[]) => LdapError;
  filters: FilterClasses;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ldap = require('ldapjs') as LdapJs;

const PEOPLE = `ou=people,${BASE}`;
const GROUPS = `ou=groups,${BASE}`;
const N_PEOPLE = 100;
const uidOf = (i: number) => `user${String(i).padStart(4, '0')}`;
const dnOf = (i: number) => `uid=${uidOf(i)},${PEOPLE}`;

interface Entry {
  dn: string;
  /** Attribute values by the attribute name exactly as the server sent it. */
  attrs: Record<string, string[]>;
}
interface SearchOutcome {
  entries: Entry[];
  error?: LdapError;
  result?: LdapResultLike | null;
  pages: number;
}

function toEntry(e: SearchEntryLike): Entry {
  const attrs: Record<string, string[]> = {};
  for (const a of e.pojo.attributes) attrs[a.type] = a.values;
  return { dn: e.pojo.objectName, attrs };
}

/** Runs a search to its end; entries that came before an error are kept. */
function search(client: LdapClient, base: string, options: SearchOptions): Promise<SearchOutcome> {
  return new Promise((resolve) => {
    const out: SearchOutcome = { entries: [], pages: 0 };
    client.search(base, options, (err, res) => {
      if (err) return resolve({ ...out, error: err });
      res.on('searchEntry', (e) => out.entries.push(toEntry(e)));
      res.on('page', () => out.pages++);
      res.on('error', (e) => resolve({ ...out, error: e }));
      res.on('end', (r) => resolve({ ...out, result: r }));
    });
  });
}

/** A search that must succeed. */
async function entries(client: LdapClient, base: string, options: SearchOptions): Promise<Entry[]> {
  const r = await search(client, base, options);
  if (r.error) throw new Error(`search ${String(options.filter ?? '')} under ${base} failed: ${r.error.name} ${r.error.code} ${r.error.message}`);
  return r.entries;
}

const dns = (es: Entry[]) => es.map((e) => e.dn.toLowerCase()).sort();

function bind(client: LdapClient, dn: string, password: string): Promise<void> {
  return new Promise((resolve, reject) => client.bind(dn, password, (err) => (err ? reject(err) : resolve())));
}

async function bindError(client: LdapClient, dn: string, password: string): Promise<LdapError> {
  try {
    await bind(client, dn, password);
  } catch (err) {
    return err as LdapError;
  }
  throw new Error(`bind as ${dn} succeeded`);
}

function compare(client: LdapClient, dn: string, attr: string, value: string): Promise<{ matched?: boolean; error?: LdapError }> {
  return new Promise((resolve) => client.compare(dn, attr, value, (err, matched) => resolve(err ? { error: err } : { matched })));
}

function exop(client: LdapClient, oid: string): Promise<{ value: unknown; error?: LdapError }> {
  return new Promise((resolve) => client.exop(oid, undefined, (err, value) => resolve(err ? { value, error: err } : { value })));
}

/** ldapjs 3 hands extended-response values over as "<buffer>hex" unless it knows the OID: decode either. */
function exopText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  const s = typeof value === 'string' ? value : '';
  return s.startsWith('<buffer>') ? Buffer.from(s.slice('<buffer>'.length), 'hex').toString('utf8') : s;
}

function unbind(client: LdapClient): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      resolve();
    }, 2000);
    client.unbind(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function extraLdif(): string {
  return [
    `dn: uid=zoe,${PEOPLE}`,
    'objectClass: inetOrgPerson',
    'uid: zoe',
    `cn:: ${b64('Zoë Ångström')}`,
    `sn:: ${b64('Ångström')}`,
    'description: a*b',
    '',
    `dn: uid=star,${PEOPLE}`,
    'objectClass: inetOrgPerson',
    'uid: star',
    'cn: Star Control',
    'sn: Control',
    'description: aXb',
    '',
    `dn: uid=paren,${PEOPLE}`,
    'objectClass: inetOrgPerson',
    'uid: paren',
    'cn: x(y)',
    'sn: Paren',
    '',
    `dn: cn=devs,${GROUPS}`,
    'objectClass: groupOfNames',
    'objectClass: posixGroup',
    'cn: devs',
    'gidNumber: 20500',
    `member: ${dnOf(1)}`,
    `member: ${dnOf(2)}`,
    `memberUid: ${uidOf(1)}`,
    `memberUid: ${uidOf(2)}`,
    '',
    `dn: cn=ops,${GROUPS}`,
    'objectClass: groupOfNames',
    'objectClass: posixGroup',
    'cn: ops',
    'gidNumber: 20501',
    `member: ${dnOf(2)}`,
    `memberUid: ${uidOf(2)}`,
    '',
  ].join('\n');
}

describe('ldapjs 3.0.7 client against cairn serve', function () {
  this.timeout(60000);
  let data: string;
  let server: RunningServer;
  const clients: LdapClient[] = [];

  function client(url = server.url, extra: { tlsOptions?: object } = {}): LdapClient {
    const c = ldap.createClient({ url, timeout: 15000, connectTimeout: 5000, ...extra });
    c.on('error', () => undefined); // connection errors surface through the callbacks
    clients.push(c);
    return c;
  }

  async function adminClient(): Promise<LdapClient> {
    const c = client();
    await bind(c, ADMIN_DN, ADMIN_PASSWORD);
    return c;
  }

  before(async () => {
    data = initData();
    importLdif(data, peopleLdif(N_PEOPLE));
    importLdif(data, extraLdif());
    server = await startServer(data);
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => unbind(c)));
  });

  after(async () => {
    if (server) await server.stop();
    if (data) removeData(data);
  });

  describe('bind', () => {
    it('binds as the administrator', async () => {
      const c = client();
      await bind(c, ADMIN_DN, ADMIN_PASSWORD);
    });

    it('a wrong password gives InvalidCredentialsError (49)', async () => {
      const err = await bindError(client(), ADMIN_DN, 'not-the-password');
      expect(err).to.be.instanceOf(ldap.InvalidCredentialsError);
      expect(err.code).to.equal(49);
    });

    it('an unknown DN gives the same InvalidCredentialsError (49)', async () => {
      const err = await bindError(client(), `uid=ghost,${PEOPLE}`, 'whatever');
      expect(err).to.be.instanceOf(ldap.InvalidCredentialsError);
      expect(err.code).to.equal(49);
    });

    it('re-binds on one connection: admin, then a user, then admin again', async () => {
      const c = client();
      const whoami = async () => exopText((await exop(c, '1.3.6.1.4.1.4203.1.11.3')).value);
      await bind(c, ADMIN_DN, ADMIN_PASSWORD);
      expect(await whoami()).to.equal(`dn:${ADMIN_DN}`);
      await bind(c, dnOf(5), `pw-${uidOf(5)}`);
      expect((await whoami()).toLowerCase()).to.equal(`dn:${dnOf(5)}`.toLowerCase());
      await bind(c, ADMIN_DN, ADMIN_PASSWORD);
      expect(await whoami()).to.equal(`dn:${ADMIN_DN}`);
      expect(await entries(c, BASE, { scope: 'sub', filter: '(uid=admin)' })).to.have.length(1);
    });

    it('a failed bind leaves the connection anonymous: a search then gets insufficientAccessRights (50)', async () => {
      const c = client();
      await bind(c, ADMIN_DN, ADMIN_PASSWORD);
      const err = await bindError(c, ADMIN_DN, 'wrong');
      expect(err.code).to.equal(49);
      const r = await search(c, BASE, { scope: 'sub', filter: '(uid=admin)' });
      expect(r.error, 'search after a failed bind').to.be.instanceOf(ldap.InsufficientAccessRightsError);
      expect(r.error!.code).to.equal(50);
      expect(r.entries).to.have.length(0);
      expect(exopText((await exop(c, '1.3.6.1.4.1.4203.1.11.3')).value)).to.equal('');
    });
  });

  describe('search scopes', () => {
    it('base returns the base entry only', async () => {
      const c = await adminClient();
      const es = await entries(c, PEOPLE, { scope: 'base' });
      expect(dns(es)).to.deep.equal([PEOPLE.toLowerCase()]);
    });

    it('one returns the children only', async () => {
      const c = await adminClient();
      const es = await entries(c, BASE, { scope: 'one', attributes: ['1.1'] });
      expect(dns(es)).to.deep.equal([`ou=groups,${BASE}`, `ou=people,${BASE}`, `ou=policies,${BASE}`, `ou=services,${BASE}`].sort());
    });

    it('sub returns the base and everything below it', async () => {
      const c = await adminClient();
      const es = await entries(c, PEOPLE, { scope: 'sub', attributes: ['1.1'] });
      // ou=people itself, admin, 100 people, zoe, star, paren.
      expect(es).to.have.length(1 + 1 + N_PEOPLE + 3);
      expect(new Set(dns(es)).size).to.equal(es.length);
    });
  });

  describe('filters', () => {
    let c: LdapClient;
    beforeEach(async () => {
      c = await adminClient();
    });
    const find = (filter: string, base = BASE) => entries(c, base, { scope: 'sub', filter, attributes: ['1.1'] });

    // ldapjs 3.0.7's filter-string parser (@ldapjs/filter 2.1.1) mis-encodes these filters: it sends
    // "\2a", "\28"... as literal text instead of the octets, and escapes raw UTF-8 in substrings as literal
    // "\c3\ab" (ldapjs issue #860). What it puts on the wire for (cn=Zoë*) is (cn=Zo\5cc3\5cab*), which
    // rightly matches nothing. A client gets these octets across with ldapjs's filter objects, which is
    // what these tests use; the strings they stand for are in the test names.
    const { EqualityFilter, SubstringFilter, AndFilter, OrFilter } = ldap.filters;
    const findObj = (filter: FilterObject, base = BASE) => entries(c, base, { scope: 'sub', filter, attributes: ['1.1'] });

    it('UTF-8: (cn=Zoë*) finds cn: Zoë Ångström, and the value comes back intact', async () => {
      const es = await entries(c, BASE, { scope: 'sub', filter: new SubstringFilter({ attribute: 'cn', initial: 'Zoë' }), attributes: ['cn', 'sn'] });
      expect(dns(es)).to.deep.equal([`uid=zoe,${PEOPLE}`.toLowerCase()]);
      expect(es[0].attrs.cn).to.deep.equal(['Zoë Ångström']);
      expect(es[0].attrs.sn).to.deep.equal(['Ångström']);
      // Lower-case assertion values match too (caseIgnoreMatch folds non-ASCII letters).
      expect(dns(await findObj(new SubstringFilter({ attribute: 'cn', initial: 'zoË' })))).to.deep.equal([`uid=zoe,${PEOPLE}`.toLowerCase()]);
      // Equality with raw UTF-8 in a filter string does reach the server intact.
      expect(dns(await find('(sn=ångström)'))).to.deep.equal([`uid=zoe,${PEOPLE}`.toLowerCase()]);
    });

    it('(description=a\\2ab) matches the literal value a*b only', async () => {
      expect(dns(await findObj(new EqualityFilter({ attribute: 'description', value: 'a*b' })))).to.deep.equal([`uid=zoe,${PEOPLE}`.toLowerCase()]);
      // Unescaped, it is a substrings filter that matches both a*b and aXb.
      expect(dns(await find('(description=a*b)'))).to.deep.equal([`uid=star,${PEOPLE}`, `uid=zoe,${PEOPLE}`].map((d) => d.toLowerCase()).sort());
    });

    it('(cn=x\\28y\\29) matches cn: x(y)', async () => {
      expect(dns(await findObj(new EqualityFilter({ attribute: 'cn', value: 'x(y)' })))).to.deep.equal([`uid=paren,${PEOPLE}`.toLowerCase()]);
      expect(dns(await findObj(new SubstringFilter({ attribute: 'cn', any: ['(y)'] })))).to.deep.equal([`uid=paren,${PEOPLE}`.toLowerCase()]);
    });

    it('equality is case-insensitive: (uid=USER0001)', async () => {
      expect(dns(await find('(uid=USER0001)'))).to.deep.equal([dnOf(1).toLowerCase()]);
      expect(dns(await find('(UID=user0001)'))).to.deep.equal([dnOf(1).toLowerCase()]);
    });

    it('(member=UID=User0001,OU=People,dc=example,dc=com) finds the groups by DN match', async () => {
      expect(dns(await find(`(member=UID=User0001,OU=People,${BASE})`))).to.deep.equal([`cn=devs,${GROUPS}`]);
      expect(dns(await find(`(member=uid=user0002,ou=people,${BASE})`))).to.deep.equal([`cn=devs,${GROUPS}`, `cn=ops,${GROUPS}`].sort());
      expect(dns(await find(`(&(objectClass=posixGroup)(memberUid=${uidOf(2)}))`))).to.deep.equal([`cn=devs,${GROUPS}`, `cn=ops,${GROUPS}`].sort());
    });

    it('presence: (uidNumber=*) finds the posix accounts', async () => {
      // The 100 people; the built-in admin is no posix account.
      expect(await find('(uidNumber=*)')).to.have.length(N_PEOPLE);
    });

    it('>= and <= on uidNumber compare numbers, not strings', async () => {
      expect(await find('(uidNumber>=20010)')).to.have.length(90);
      expect(await find('(uidNumber<=20009)')).to.have.length(10); // 20000..20009
      expect(await find('(&(uidNumber>=20090)(uidNumber<=20099))')).to.have.length(10);
      expect(await find('(uidNumber>=9)')).to.have.length(N_PEOPLE);
      expect(await find('(uidNumber<=9999)')).to.have.length(0);
    });

    it('substrings: initial, any, final', async () => {
      expect(await find('(uid=user00*)')).to.have.length(N_PEOPLE);
      expect(dns(await find('(uid=*0042)'))).to.deep.equal([dnOf(42).toLowerCase()]);
      expect(dns(await find('(mail=*r0042@*)'))).to.deep.equal([dnOf(42).toLowerCase()]);
      expect(await find('(uid=u*00*5)')).to.have.length(10);
      expect(dns(await find('(cn=*ngstr*)'))).to.deep.equal([`uid=zoe,${PEOPLE}`.toLowerCase()]);
    });

    it('(!(uid=user0001)) excludes one person', async () => {
      const all = await entries(c, PEOPLE, { scope: 'one', filter: '(uid=*)', attributes: ['1.1'] });
      const not = await entries(c, PEOPLE, { scope: 'one', filter: '(!(uid=user0001))', attributes: ['1.1'] });
      expect(not).to.have.length(all.length - 1);
      expect(dns(not)).to.not.include(dnOf(1).toLowerCase());
    });

    it('(&) is absolute true and (|) absolute false', async () => {
      expect(await entries(c, PEOPLE, { scope: 'one', filter: '(&)', attributes: ['1.1'] })).to.have.length(N_PEOPLE + 4);
      expect(await entries(c, PEOPLE, { scope: 'one', filter: new AndFilter({}), attributes: ['1.1'] })).to.have.length(N_PEOPLE + 4);
      // ldapjs's string parser rejects "(|)" ("missing opening parentheses"): the object encodes it (a1 00).
      const none = await search(c, PEOPLE, { scope: 'one', filter: new OrFilter({}), attributes: ['1.1'] });
      expect(none.error).to.equal(undefined);
      expect(none.entries).to.have.length(0);
    });

    it('an attribute that does not exist, (sambaSID=*): 0 entries and success', async () => {
      const r = await search(c, BASE, { scope: 'sub', filter: '(sambaSID=*)' });
      expect(r.error).to.equal(undefined);
      expect(r.result?.status).to.equal(0);
      expect(r.entries).to.have.length(0);
    });

    it('a class that does not exist, (objectClass=sambaSamAccount): 0 entries and success', async () => {
      const r = await search(c, BASE, { scope: 'sub', filter: '(objectClass=sambaSamAccount)' });
      expect(r.error).to.equal(undefined);
      expect(r.result?.status).to.equal(0);
      expect(r.entries).to.have.length(0);
    });
  });

  describe('attribute selection', () => {
    let c: LdapClient;
    beforeEach(async () => {
      c = await adminClient();
    });
    const one = async (attributes: string[], typesOnly = false) => {
      const es = await entries(c, dnOf(3), { scope: 'base', attributes, typesOnly });
      expect(es).to.have.length(1);
      return es[0];
    };
    const names = (e: Entry) => Object.keys(e.attrs).map((k) => k.toLowerCase());

    it('1.1 returns no attributes', async () => {
      expect((await one(['1.1'])).attrs).to.deep.equal({});
    });

    it('* returns user attributes, not operational ones', async () => {
      const n = names(await one(['*']));
      expect(n).to.include.members(['uid', 'cn', 'sn', 'mail', 'uidnumber', 'objectclass', 'homedirectory']);
      expect(n).to.not.include('entryuuid');
      expect(n).to.not.include('createtimestamp');
      expect(n, 'the password is not readable').to.not.include('userpassword');
    });

    it('+ returns operational attributes, not user ones', async () => {
      const n = names(await one(['+']));
      expect(n).to.not.include('uid');
      expect(n).to.include('entrydn');
      expect(n).to.include('hassubordinates');
    });

    it('* and + together return both', async () => {
      const n = names(await one(['*', '+']));
      expect(n).to.include.members(['uid', 'entrydn']);
    });

    it('names in any case (UIDNUMBER, givenname) come back with their values', async () => {
      const e = await one(['UIDNUMBER', 'givenname']);
      const lower = Object.fromEntries(Object.entries(e.attrs).map(([k, v]) => [k.toLowerCase(), v]));
      expect(lower).to.deep.equal({ uidnumber: ['20003'], givenname: ['User'] });
    });

    it('typesOnly returns attribute names without values', async () => {
      const e = await one(['uid', 'cn'], true);
      const lower = Object.fromEntries(Object.entries(e.attrs).map(([k, v]) => [k.toLowerCase(), v]));
      expect(lower).to.deep.equal({ uid: [], cn: [] });
    });
  });

  describe('paging and limits', () => {
    it('paged: {pageSize: 10} over the people returns each exactly once', async () => {
      const c = await adminClient();
      const r = await search(c, PEOPLE, { scope: 'one', filter: '(uid=user*)', attributes: ['uid'], paged: { pageSize: 10 } });
      expect(r.error).to.equal(undefined);
      expect(r.entries).to.have.length(N_PEOPLE);
      expect(new Set(r.entries.map((e) => e.attrs.uid[0])).size).to.equal(N_PEOPLE);
      expect(r.pages).to.be.at.least(10);
    });

    it('sizeLimit 5 gives SizeLimitExceededError after 5 entries', async () => {
      const c = await adminClient();
      const r = await search(c, PEOPLE, { scope: 'one', filter: '(uid=user*)', sizeLimit: 5 });
      expect(r.entries).to.have.length(5);
      expect(r.error).to.be.instanceOf(ldap.SizeLimitExceededError);
      expect(r.error!.code).to.equal(4);
    });

    it('a non-admin user is held to the server size limit (500) only beyond it: 100 people is fine', async () => {
      const c = client();
      await bind(c, dnOf(7), `pw-${uidOf(7)}`);
      expect(await entries(c, PEOPLE, { scope: 'one', filter: '(uid=user*)', attributes: ['1.1'] })).to.have.length(N_PEOPLE);
    });
  });

  describe('compare', () => {
    let c: LdapClient;
    beforeEach(async () => {
      c = await adminClient();
    });

    it('true', async () => {
      expect(await compare(c, dnOf(4), 'uid', uidOf(4))).to.deep.equal({ matched: true });
      expect(await compare(c, dnOf(4), 'uidNumber', '20004')).to.deep.equal({ matched: true });
      expect(await compare(c, dnOf(4), 'UID', uidOf(4).toUpperCase())).to.deep.equal({ matched: true });
    });

    it('false', async () => {
      expect(await compare(c, dnOf(4), 'uid', uidOf(5))).to.deep.equal({ matched: false });
    });

    it('an attribute the entry lacks gives noSuchAttribute (16)', async () => {
      const r = await compare(c, dnOf(4), 'loginShell', '/bin/bash');
      expect(r.error).to.be.instanceOf(ldap.NoSuchAttributeError);
      expect(r.error!.code).to.equal(16);
    });

    it('a missing entry gives noSuchObject (32)', async () => {
      const r = await compare(c, `uid=ghost,${PEOPLE}`, 'uid', 'ghost');
      expect(r.error).to.be.instanceOf(ldap.NoSuchObjectError);
    });
  });

  describe('extended operations and TLS', () => {
    it('Who am I? returns dn:uid=admin,... after an admin bind', async () => {
      const c = await adminClient();
      const r = await exop(c, '1.3.6.1.4.1.4203.1.11.3');
      expect(r.error).to.equal(undefined);
      expect(exopText(r.value)).to.equal(`dn:${ADMIN_DN}`);
    });

    it('Who am I? is empty for an anonymous client', async () => {
      const r = await exop(client(), '1.3.6.1.4.1.4203.1.11.3');
      expect(r.error).to.equal(undefined);
      expect(exopText(r.value)).to.equal('');
    });

    it('StartTLS, then bind and search over TLS', async () => {
      const c = client();
      await new Promise<void>((resolve, reject) => c.starttls({ rejectUnauthorized: false }, [], (err) => (err ? reject(err) : resolve())));
      await bind(c, ADMIN_DN, ADMIN_PASSWORD);
      expect(exopText((await exop(c, '1.3.6.1.4.1.4203.1.11.3')).value)).to.equal(`dn:${ADMIN_DN}`);
      expect(await entries(c, BASE, { scope: 'sub', filter: '(uid=user0001)' })).to.have.length(1);
    });

    it('LDAPS with tlsOptions {rejectUnauthorized: false}: bind and search', async () => {
      const c = client(server.ldapsUrl, { tlsOptions: { rejectUnauthorized: false } });
      await bind(c, ADMIN_DN, ADMIN_PASSWORD);
      const es = await entries(c, BASE, { scope: 'sub', filter: '(uid=user0001)', attributes: ['uid'] });
      expect(es.map((e) => e.attrs.uid)).to.deep.equal([[uidOf(1)]]);
    });
  });

  describe('errors', () => {
    it('a missing base gives NoSuchObjectError with matchedDN ou=people,dc=example,dc=com', async () => {
      const c = await adminClient();
      const r = await search(c, `uid=ghost,${PEOPLE}`, { scope: 'sub', filter: '(objectClass=*)' });
      expect(r.error).to.be.instanceOf(ldap.NoSuchObjectError);
      expect(r.error!.code).to.equal(32);
      expect(r.error!.dn.toLowerCase()).to.equal(PEOPLE.toLowerCase());
      expect(r.entries).to.have.length(0);
    });

    it('a base two levels under a missing entry still reports the closest existing ancestor', async () => {
      const c = await adminClient();
      const r = await search(c, `cn=x,uid=ghost,${PEOPLE}`, { scope: 'base' });
      expect(r.error).to.be.instanceOf(ldap.NoSuchObjectError);
      expect(r.error!.dn.toLowerCase()).to.equal(PEOPLE.toLowerCase());
    });

    it('an anonymous search of the tree gets insufficientAccessRights (50)', async () => {
      const r = await search(client(), BASE, { scope: 'sub', filter: '(uid=admin)' });
      expect(r.error).to.be.instanceOf(ldap.InsufficientAccessRightsError);
    });

    it('an anonymous client may read the root DSE', async () => {
      const es = await entries(client(), '', { scope: 'base', attributes: ['namingContexts', 'supportedExtension'] });
      expect(es).to.have.length(1);
      const lower = Object.fromEntries(Object.entries(es[0].attrs).map(([k, v]) => [k.toLowerCase(), v]));
      expect(lower.namingcontexts).to.deep.equal([BASE]);
      expect(lower.supportedextension).to.include.members(['1.3.6.1.4.1.1466.20037', '1.3.6.1.4.1.4203.1.11.3']);
    });
  });
});
