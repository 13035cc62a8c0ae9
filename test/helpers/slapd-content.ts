// What the migration test's slapd directory holds: people, groups, services, sudo rules and automount
// maps, generated from a seed (the same seed gives the same names, numbers, passwords and photos),
// and the LDIF that ldapadd sends for them. The password hashes and certificates are made by the real
// tools (slappasswd, openssl) in slapd-directory.ts, so they differ from run to run.
import { createHash } from 'node:crypto';

export const SUFFIX = 'dc=example,dc=com';
export const ROOT_DN = `cn=admin,${SUFFIX}`;
export const PEOPLE = `ou=People,${SUFFIX}`;
export const GROUPS = `ou=Group,${SUFFIX}`;
export const SERVICES = `ou=services,${SUFFIX}`;
export const POLICIES = `ou=policies,${SUFFIX}`;
export const SUDOERS = `ou=SUDOers,${SUFFIX}`;
export const AUTOMOUNT = `ou=automount,${SUFFIX}`;
export const DEFAULT_POLICY = `cn=default,${POLICIES}`;
export const MUST_CHANGE_POLICY = `cn=mustchange,${POLICIES}`;

/** Deterministic bytes for a label: SHA-256 of seed, label and a counter, concatenated. */
export function seededBytes(seed: string, label: string, n: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; parts.length * 32 < n; i++) parts.push(createHash('sha256').update(`${seed}\0${label}\0${i}`).digest());
  return Buffer.concat(parts).subarray(0, n);
}

function seededInt(seed: string, label: string, lo: number, hi: number): number {
  return lo + (seededBytes(seed, label, 4).readUInt32BE(0) % (hi - lo + 1));
}

/**
 * How a person's password got into slapd. `ldappasswd`: the password modify operation, slapd hashes it
 * ({SSHA}, its default). `cleartext`: a cleartext userPassword that ppolicy_hash_cleartext hashes on the
 * way in. Any other: the userPassword value slappasswd made with that scheme, written by ldapadd.
 */
export const SCHEMES = [
  'ldappasswd',
  '{CRYPT}$1$',
  '{CRYPT}$5$',
  '{CRYPT}$6$',
  '{CRYPT}DES',
  '{MD5}',
  '{SMD5}',
  '{SHA}',
  '{SSHA}',
  '{SHA256}',
  '{SSHA256}',
  '{SSHA384}',
  '{SSHA512}',
  '{PBKDF2}',
  '{PBKDF2-SHA1}',
  '{PBKDF2-SHA256}',
  '{PBKDF2-SHA512}',
  '{ARGON2}',
  'cleartext',
] as const;
export type Scheme = (typeof SCHEMES)[number];

/** slappasswd's arguments for a scheme that slappasswd makes. */
export function slappasswdArgs(scheme: Scheme): string[] | undefined {
  const crypt = /^\{CRYPT\}(.*)$/.exec(scheme);
  if (crypt) {
    const format = { $1$: '$1$%.8s', $5$: '$5$%.16s', $6$: '$6$%.16s', DES: '%.2s' }[crypt[1]];
    return format ? ['-h', '{CRYPT}', '-c', format] : undefined;
  }
  if (['{MD5}', '{SMD5}', '{SHA}', '{SSHA}'].includes(scheme)) return ['-h', scheme];
  if (/^\{S?SHA(256|384|512)\}$/.test(scheme)) return ['-o', 'module-load=pw-sha2', '-h', scheme];
  if (scheme.startsWith('{PBKDF2')) return ['-o', 'module-load=pw-pbkdf2', '-h', scheme];
  if (scheme === '{ARGON2}') return ['-o', 'module-load=argon2', '-h', scheme];
  return undefined;
}

/** A person's part in the ppolicy story, if any. */
export type Role = 'history' | 'locked' | 'reset' | 'legacy';

export interface Person {
  uid: string;
  dn: string;
  cn: string;
  sn: string;
  givenName: string;
  uidNumber: number;
  gidNumber: number;
  shadowLastChange: number;
  /** The password's exact bytes (one person's are not UTF-8). */
  password: Buffer;
  scheme: Scheme;
  /** The userPassword value written by ldapadd, when the scheme is one slappasswd makes. */
  hash?: string;
  role?: Role;
  /** jpegPhoto bytes: random, not UTF-8. */
  photo?: Buffer;
  /** userCertificate;binary: a DER certificate from openssl. */
  certificate?: Buffer;
  /** The value of cn;lang-de. */
  cnDe?: string;
  /** The exact bytes of gecos, where they are not ASCII (Latin-1 from a MigrationTools-era load). */
  gecos?: Buffer;
}

export interface PosixGroup {
  cn: string;
  dn: string;
  gidNumber: number;
  memberUid: string[];
}

export interface NamedGroup {
  cn: string;
  dn: string;
  member: string[];
}

export interface Service {
  dn: string;
  objectClasses: string[];
  password: string;
  hash?: string;
}

export interface SudoRole {
  cn: string;
  dn: string;
  attributes: Record<string, string[]>;
}

export interface AutomountEntry {
  dn: string;
  map: string;
  /** The key, in cn. */
  key: string;
  information: string;
}

export interface Content {
  rootPassword: string;
  people: Person[];
  posixGroups: PosixGroup[];
  namedGroups: NamedGroup[];
  services: Service[];
  sudoRoles: SudoRole[];
  automountMaps: { dn: string; name: string }[];
  automounts: AutomountEntry[];
}

const GIVEN = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Radia'];
const FAMILY = ['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth'];
const GERMAN = ['Jürgen', 'Käthe', 'Jörg', 'Ännchen', 'Björn', 'Grüße'];

/** A password of the person's index: at least 12 characters of four classes; some with non-ASCII letters. */
function passwordFor(seed: string, i: number): Buffer {
  const tail = seededBytes(seed, `password ${i}`, 9).toString('base64url');
  return Buffer.from(i % 4 === 3 ? `Grüße-${tail}-${i}` : `Pw${i}-${tail}`, 'utf8');
}

/** 2..20 KB that look like a JPEG (SOI, APP0, EOI) and are not valid UTF-8. */
function photoFor(seed: string, uid: string): Buffer {
  const size = seededInt(seed, `photo size ${uid}`, 2048, 20480);
  const body = seededBytes(seed, `photo ${uid}`, size - 6);
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), body, Buffer.from([0xff, 0xd9])]);
}

export const PROTOCOL_PEOPLE = 41;

export function makeContent(seed: string): Content {
  const people: Person[] = [];
  // 20 people at uidNumber 1000..1019 (Debian's first users), 21 at 10000..10020; the 42nd, at 1020, comes
  // in with slapadd (see slapd-directory.ts).
  for (let i = 0; i <= PROTOCOL_PEOPLE; i++) {
    const legacy = i === PROTOCOL_PEOPLE;
    const givenName = GIVEN[i % GIVEN.length];
    const sn = FAMILY[i % FAMILY.length];
    const uid = legacy ? 'legacy.user' : `${givenName}.${sn}`.toLowerCase();
    const uidNumber = legacy ? 1020 : i < 20 ? 1000 + i : 10000 + (i - 20);
    const role: Role | undefined = legacy ? 'legacy' : ({ 5: 'history', 12: 'locked', 30: 'reset' } as Record<number, Role>)[i];
    let scheme: Scheme = SCHEMES[i % SCHEMES.length];
    if (role === 'history' || role === 'reset') scheme = 'ldappasswd';
    if (role === 'locked') scheme = '{SSHA}';
    if (role === 'legacy') scheme = '{CRYPT}$6$';
    let password = passwordFor(seed, i);
    // Passwords that are not UTF-8: one set with ldappasswd, one hashed by slappasswd (Latin-1 é).
    if (i === 33 || i === 11) password = Buffer.concat([Buffer.from('Caf'), Buffer.from([0xe9]), Buffer.from(`-${i}-`), password]);
    if (i === 33) scheme = 'ldappasswd';
    people.push({
      uid,
      dn: `uid=${uid},${PEOPLE}`,
      cn: `${givenName} ${sn}`,
      sn,
      givenName,
      uidNumber,
      gidNumber: uidNumber < 10000 ? 1000 : 10000,
      shadowLastChange: seededInt(seed, `shadowLastChange ${uid}`, 18000, 20400),
      password,
      scheme,
      role,
      photo: i % 3 === 1 ? photoFor(seed, uid) : undefined,
      cnDe: i % 5 === 3 ? `${GERMAN[i % GERMAN.length]} ${sn}` : undefined,
      gecos: legacy ? Buffer.from('Jos\xe9 M\xfcller,Raum 3,,', 'latin1') : undefined,
    });
  }
  const uids = people.map((p) => p.uid);
  const byGid = (gid: number) => people.filter((p) => p.gidNumber === gid).map((p) => p.uid);
  const guests = Array.from({ length: 170 - uids.length }, (_, k) => `guest${String(k + 1).padStart(3, '0')}`);
  const posixGroups: PosixGroup[] = [
    ['staff', 1000, byGid(1000)],
    ['developers', 1001, uids.filter((_, k) => k % 3 === 0)],
    ['admins', 1002, uids.slice(0, 3)],
    ['nobody-yet', 1003, []],
    ['contractors', 10000, byGid(10000)],
    ['everyone', 10001, [...uids, ...guests]],
  ].map(([cn, gidNumber, memberUid]) => ({
    cn: cn as string,
    dn: `cn=${cn as string},${GROUPS}`,
    gidNumber: gidNumber as number,
    memberUid: memberUid as string[],
  }));
  const namedGroups: NamedGroup[] = [{ cn: 'wiki-editors', dn: `cn=wiki-editors,${GROUPS}`, member: people.filter((_, k) => k % 4 === 1).map((p) => p.dn) }];
  const services: Service[] = [
    {
      dn: `cn=nslcd,${SERVICES}`,
      objectClasses: ['applicationProcess', 'simpleSecurityObject'],
      password: `svc-${seededBytes(seed, 'nslcd', 12).toString('base64url')}`,
    },
    { dn: `uid=sssd,${SERVICES}`, objectClasses: ['account', 'simpleSecurityObject'], password: `svc-${seededBytes(seed, 'sssd', 12).toString('base64url')}` },
  ];
  const backupUser = people[2].uid;
  const sudoRoles: SudoRole[] = (
    [
      {
        cn: 'defaults',
        attributes: {
          sudoOption: ['env_reset', 'mail_badpass', 'secure_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
          description: ["Default sudoOption's go here"],
        },
      },
      {
        cn: '%admins',
        attributes: { sudoUser: ['%admins'], sudoHost: ['ALL'], sudoCommand: ['ALL'], sudoRunAsUser: ['ALL'], sudoRunAsGroup: ['ALL'], sudoOrder: ['10'] },
      },
      {
        cn: 'backup',
        attributes: { sudoUser: [backupUser], sudoHost: ['ALL'], sudoCommand: ['/usr/bin/rsync'], sudoOption: ['!authenticate'], sudoOrder: ['20'] },
      },
    ] as Omit<SudoRole, 'dn'>[]
  ).map((r) => ({ ...r, dn: `cn=${r.cn},${SUDOERS}` }));
  // Debian's autofs.schema: a map is an automountMap named by ou, an entry an automount named by its key
  // in cn; autofs keeps the wildcard key * as /.
  const mapDn = (name: string) => `ou=${name},${AUTOMOUNT}`;
  const automountMaps = ['auto.master', 'auto.home'].map((name) => ({ dn: mapDn(name), name }));
  const automounts: AutomountEntry[] = [
    ['auto.master', '/home', `ldap:${mapDn('auto.home')} --timeout=60`],
    ['auto.home', '/', '-fstype=nfs4,rw nfs.example.com:/export/home/&'],
    ['auto.home', people[0].uid, '-fstype=nfs4,rw,sec=krb5 fs2.example.com:/export/home/&'],
  ].map(([map, key, information]) => ({ dn: `cn=${key},${mapDn(map)}`, map, key, information }));
  return {
    rootPassword: `root-${seededBytes(seed, 'root', 12).toString('base64url')}`,
    people,
    posixGroups,
    namedGroups,
    services,
    sudoRoles,
    automountMaps,
    automounts,
  };
}

type Value = string | Buffer;

/** RFC 2849: a value goes base64 unless it is a SAFE-STRING (ASCII, no leading space, colon or <, no trailing space). */
function line(name: string, value: Value): string {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const safe = bytes.every((b) => b >= 0x20 && b < 0x7f) && !/^[ :<]/.test(bytes.toString('latin1')) && !bytes.toString('latin1').endsWith(' ');
  return safe ? `${name}: ${bytes.toString('latin1')}` : `${name}:: ${bytes.toString('base64')}`;
}

export function entryLdif(dn: string, attributes: [string, Value | undefined][]): string {
  return [line('dn', dn), ...attributes.filter((a): a is [string, Value] => a[1] !== undefined).map(([n, v]) => line(n, v)), ''].join('\n') + '\n';
}

function personAttributes(p: Person): [string, Value | undefined][] {
  return [
    ['objectClass', 'inetOrgPerson'],
    ['objectClass', 'posixAccount'],
    ['objectClass', 'shadowAccount'],
    ['uid', p.uid],
    ['cn', p.cn],
    ['cn;lang-de', p.cnDe],
    ['sn', p.sn],
    ['givenName', p.givenName],
    ['mail', `${p.uid}@example.com`],
    ['uidNumber', String(p.uidNumber)],
    ['gidNumber', String(p.gidNumber)],
    ['homeDirectory', `/home/${p.uid}`],
    ['loginShell', '/bin/bash'],
    ['gecos', p.gecos ?? `${p.cn},,,`],
    ['shadowLastChange', String(p.shadowLastChange)],
    ['shadowMax', '99999'],
    ['shadowWarning', '7'],
    ['pwdPolicySubentry', p.role === 'reset' ? MUST_CHANGE_POLICY : undefined],
    ['userPassword', p.scheme === 'cleartext' ? p.password : p.hash],
    ['jpegPhoto', p.photo],
    ['userCertificate;binary', p.certificate],
  ];
}

/** A person as slapadd reads it (MigrationTools style), for the one who does not come through the protocol. */
export function personLdif(p: Person): string {
  return entryLdif(p.dn, personAttributes(p));
}

/** Everything ldapadd sends, in an order where every parent comes first. */
export function treeLdif(c: Content, rootHash: string): string {
  const ou = (dn: string) =>
    entryLdif(dn, [
      ['objectClass', 'organizationalUnit'],
      ['ou', /^ou=([^,]+)/.exec(dn)![1]],
    ]);
  const policy = (dn: string, description: string, rules: [string, string][]) =>
    entryLdif(dn, [
      ['objectClass', 'device'],
      ['objectClass', 'pwdPolicy'],
      ['cn', /^cn=([^,]+)/.exec(dn)![1]],
      ['description', description],
      ['pwdAttribute', 'userPassword'],
      ...rules,
    ]);
  return [
    entryLdif(SUFFIX, [
      ['objectClass', 'top'],
      ['objectClass', 'dcObject'],
      ['objectClass', 'organization'],
      ['o', 'Example Inc.'],
      ['dc', 'example'],
    ]),
    entryLdif(ROOT_DN, [
      ['objectClass', 'simpleSecurityObject'],
      ['objectClass', 'organizationalRole'],
      ['cn', 'admin'],
      ['description', 'LDAP administrator'],
      ['userPassword', rootHash],
    ]),
    ...[PEOPLE, GROUPS, SERVICES, POLICIES, SUDOERS, AUTOMOUNT].map(ou),
    policy(DEFAULT_POLICY, 'The default password policy', [
      ['pwdInHistory', '3'],
      ['pwdLockout', 'TRUE'],
      ['pwdMaxFailure', '3'],
      ['pwdMaxAge', '0'],
    ]),
    policy(MUST_CHANGE_POLICY, 'A password an administrator sets must be changed', [
      ['pwdInHistory', '3'],
      ['pwdMustChange', 'TRUE'],
      ['pwdMaxAge', '0'],
    ]),
    ...c.people.filter((p) => p.role !== 'legacy').map(personLdif),
    ...c.services.map((s) =>
      entryLdif(s.dn, [
        ...s.objectClasses.map((o): [string, Value] => ['objectClass', o]),
        [s.dn.split('=')[0], /^\w+=([^,]+)/.exec(s.dn)![1]],
        ['description', 'bind account for a client'],
        ['userPassword', s.hash],
      ]),
    ),
    ...c.posixGroups.map((g) =>
      entryLdif(g.dn, [
        ['objectClass', 'posixGroup'],
        ['cn', g.cn],
        ['gidNumber', String(g.gidNumber)],
        ...g.memberUid.map((u): [string, Value] => ['memberUid', u]),
      ]),
    ),
    ...c.namedGroups.map((g) => entryLdif(g.dn, [['objectClass', 'groupOfNames'], ['cn', g.cn], ...g.member.map((m): [string, Value] => ['member', m])])),
    ...c.sudoRoles.map((r) =>
      entryLdif(r.dn, [
        ['objectClass', 'sudoRole'],
        ['cn', r.cn],
        ...Object.entries(r.attributes).flatMap(([n, vs]) => vs.map((v): [string, Value] => [n, v])),
      ]),
    ),
    ...c.automountMaps.map((m) =>
      entryLdif(m.dn, [
        ['objectClass', 'automountMap'],
        ['ou', m.name],
      ]),
    ),
    ...c.automounts.map((a) =>
      entryLdif(a.dn, [
        ['objectClass', 'automount'],
        ['cn', a.key],
        ['automountInformation', a.information],
      ]),
    ),
  ].join('');
}
