// Generates the benchmark directory as LDIF: one file for slapd (full tree)
// and one for Cairn (users only, because `cairn init` already creates the base
// entry and the standard OUs). Both carry the same password hashes, the way a
// directory migrates from slapd: bcrypt ({CRYPT}$2b$10$…) for the people whose
// binds are measured (bcrypt-pool.ts), {SSHA} for the rest.
import { createHash, randomBytes } from 'crypto';
import { createWriteStream, WriteStream } from 'fs';

export const BASE_DN = 'dc=example,dc=com';
export const PEOPLE_DN = `ou=people,${BASE_DN}`;
export const GROUPS_DN = `ou=groups,${BASE_DN}`;
export const SERVICE_DN = `cn=bench,ou=services,${BASE_DN}`;
/** People per group: user g*10 .. g*10+9 are in the posixGroup pg-g (memberUid) and the groupOfNames team-g (member). */
export const GROUP_SIZE = 10;
export const SLAPD_ROOT_DN = `cn=admin,${BASE_DN}`;

/** Number of digits in uids and passwords: user00000 .. user<N-1>, at least 5. */
export function digitsFor(users: number): number {
  return Math.max(5, String(Math.max(0, users - 1)).length);
}

export function uidOf(i: number, digits: number): string {
  return `user${String(i).padStart(digits, '0')}`;
}

export function passwordOf(i: number, digits: number): string {
  return `pass${String(i).padStart(digits, '0')}`;
}

export function userDn(i: number, digits: number): string {
  return `uid=${uidOf(i, digits)},${PEOPLE_DN}`;
}

/** RFC 2307 style {SSHA}: base64(SHA1(password + salt) + salt). */
export function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password, 'utf8').update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

const GIVEN = [
  'Ada',
  'Alan',
  'Barbara',
  'Claude',
  'Donald',
  'Edsger',
  'Frances',
  'Grace',
  'John',
  'Ken',
  'Leslie',
  'Margaret',
  'Niklaus',
  'Radia',
  'Shafi',
  'Tim',
];
const FAMILY = [
  'Lovelace',
  'Turing',
  'Liskov',
  'Shannon',
  'Knuth',
  'Dijkstra',
  'Allen',
  'Hopper',
  'McCarthy',
  'Thompson',
  'Lamport',
  'Hamilton',
  'Wirth',
  'Perlman',
  'Goldwasser',
  'Berners-Lee',
];

function userRecord(i: number, digits: number, userPassword: string): string {
  const uid = uidOf(i, digits);
  const givenName = GIVEN[i % GIVEN.length];
  const sn = FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length];
  return [
    `dn: ${userDn(i, digits)}`,
    'objectClass: top',
    'objectClass: person',
    'objectClass: organizationalPerson',
    'objectClass: inetOrgPerson',
    'objectClass: posixAccount',
    'objectClass: shadowAccount',
    `uid: ${uid}`,
    `cn: ${givenName} ${sn} ${i}`,
    `sn: ${sn}`,
    `givenName: ${givenName}`,
    `mail: ${uid}@example.com`,
    `uidNumber: ${20000 + i}`,
    'gidNumber: 10000',
    `homeDirectory: /home/${uid}`,
    'loginShell: /bin/bash',
    `userPassword: ${userPassword}`,
    '',
    '',
  ].join('\n');
}

export function groupsFor(users: number): number {
  return Math.ceil(users / GROUP_SIZE);
}

/**
 * Group g twice over, as the two schemas a directory may carry them: an RFC 2307 posixGroup (memberUid, what
 * nslcd and sssd's rfc2307 schema look up) and a groupOfNames (member DNs, sssd's rfc2307bis and applications).
 */
function groupRecords(g: number, users: number, digits: number): string {
  const members = Array.from({ length: Math.min(GROUP_SIZE, users - g * GROUP_SIZE) }, (_, k) => g * GROUP_SIZE + k);
  return [
    `dn: cn=pg-${g},${GROUPS_DN}`,
    'objectClass: top',
    'objectClass: posixGroup',
    `cn: pg-${g}`,
    `gidNumber: ${40000 + g}`,
    ...members.map((i) => `memberUid: ${uidOf(i, digits)}`),
    '',
    `dn: cn=team-${g},${GROUPS_DN}`,
    'objectClass: top',
    'objectClass: groupOfNames',
    `cn: team-${g}`,
    ...members.map((i) => `member: ${userDn(i, digits)}`),
    '',
    '',
  ].join('\n');
}

function treeHeader(servicePasswordHash: string): string {
  return [
    `dn: ${BASE_DN}`,
    'objectClass: top',
    'objectClass: dcObject',
    'objectClass: organization',
    'o: Example',
    'dc: example',
    '',
    ...['people', 'groups', 'services'].flatMap((ou) => [`dn: ou=${ou},${BASE_DN}`, 'objectClass: top', 'objectClass: organizationalUnit', `ou: ${ou}`, '']),
    `dn: ${SERVICE_DN}`,
    'objectClass: top',
    'objectClass: applicationProcess',
    'objectClass: simpleSecurityObject',
    'cn: bench',
    `userPassword: ${servicePasswordHash}`,
    '',
    '',
  ].join('\n');
}

async function write(stream: WriteStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) {
    await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
  }
}

async function close(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject);
    stream.end(() => resolve());
  });
}

export interface LdifFiles {
  slapd: string;
  cairn: string;
}

/**
 * Writes both LDIF variants. slapd's file holds the whole tree including the
 * bench service account; Cairn's holds only the users and their groups (the service account is
 * created with `cairn service add`). Person i < bcrypt.length has the hash bcrypt[i].
 */
export async function generateLdif(users: number, servicePassword: string, slapdPath: string, cairnPath: string, bcrypt: string[]): Promise<LdifFiles> {
  const digits = digitsFor(users);
  const slapd = createWriteStream(slapdPath, { encoding: 'utf8' });
  const cairn = createWriteStream(cairnPath, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => {
    slapd.once('error', reject);
    cairn.once('error', reject);
  });
  const work = (async () => {
    await write(slapd, treeHeader(ssha(servicePassword)));
    // Both files carry the same records (the same hashes) after slapd's tree header.
    let buffered = '';
    const add = async (record: string) => {
      buffered += record;
      if (buffered.length > 1 << 20) {
        await write(slapd, buffered);
        await write(cairn, buffered);
        buffered = '';
      }
    };
    for (let i = 0; i < users; i++) await add(userRecord(i, digits, i < bcrypt.length ? `{CRYPT}${bcrypt[i]}` : ssha(passwordOf(i, digits))));
    for (let g = 0; g < groupsFor(users); g++) await add(groupRecords(g, users, digits));
    await write(slapd, buffered);
    await write(cairn, buffered);
    await close(slapd);
    await close(cairn);
  })();
  await Promise.race([work, failed]);
  return { slapd: slapdPath, cairn: cairnPath };
}
