import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE, cairn, importLdif, initData, startServer, type RunningServer } from '../../helpers/server';
import { formatGeneralizedTime } from '../../../src/directory/matching';
import { sleep, track, workFolder } from './host';

export { BASE };
export const people = `ou=people,${BASE}`;
export const personDn = (uid: string) => `uid=${uid},${people}`;

/** The people of the compatibility suite: each stands for one situation a login machine must handle. */
export const PEOPLE = {
  /** Everything in order; member of devs and wifi; an SSH key. */
  alice: { uidNumber: 10001, password: 'Tundra-Maple-4821' },
  /** The password expires in three days: logins warn. Member of devs. */
  bob: { uidNumber: 10002, password: 'Copper-Kettle-7315' },
  /** Locked by an administrator (OpenLDAP's permanent lock); has an SSH key. */
  carol: { uidNumber: 10003, password: 'Velvet-Harbor-5902' },
  /** The password expired ten days ago, no grace logins: must change it. */
  dave: { uidNumber: 10004, password: 'Granite-Willow-6648' },
  /** Logs in with the password followed by a TOTP code. */
  erin: { uidNumber: 10005, password: 'Saffron-Glacier-3177' },
  /** Also uses TOTP, with a secret of her own: changes her password, joins the Wi-Fi by 802.1X. */
  gwen: { uidNumber: 10007, password: 'Juniper-Beacon-6604' },
  /** A new hire: an administrator set the first password with --reset, so it must be changed at first login. */
  hank: { uidNumber: 10008, password: 'Lantern-Meadow-3390' },
  /** Changes the password (and has it refused) without the other checks getting in the way. */
  frank: { uidNumber: 10006, password: 'Orchid-Lantern-2284' },
  /** The password expired ten days ago, with grace logins left (OpenLDAP's pwdGraceAuthNLimit). */
  ivy: { uidNumber: 10009, password: 'Meadow-Quartz-5120' },
} as const;
export type Person = keyof typeof PEOPLE;
export const USERS_GID = 10001;

/** The people who log in with a TOTP code, and the secrets their phones hold. */
export const TOTP_SECRETS = { erin: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', gwen: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ' };
export type MfaPerson = keyof typeof TOTP_SECRETS;
export const SERVICE_PASSWORD = 'Service-Account-8163';

function fixtureLdif(sshKey: string): string {
  const ago = (seconds: number) => formatGeneralizedTime(Date.now() - seconds * 1000);
  const extra: Partial<Record<Person, string[]>> = {
    alice: [`sshPublicKey: ${sshKey}`],
    bob: [`pwdPolicySubentry: cn=expiring,ou=policies,${BASE}`, `pwdChangedTime: ${ago(27 * 86400)}`],
    carol: ['pwdAccountLockedTime: 000001010000Z', `sshPublicKey: ${sshKey}`],
    dave: [`pwdPolicySubentry: cn=expiring,ou=policies,${BASE}`, `pwdChangedTime: ${ago(40 * 86400)}`],
    ivy: [`pwdPolicySubentry: cn=grace,ou=policies,${BASE}`, `pwdChangedTime: ${ago(40 * 86400)}`],
  };
  const entries = [
    [
      `dn: cn=expiring,ou=policies,${BASE}`,
      'objectClass: cairnPolicy',
      'objectClass: pwdPolicy',
      'objectClass: cairnPasswordPolicy',
      'cn: expiring',
      'pwdAttribute: userPassword',
      `pwdMaxAge: ${30 * 86400}`,
      `pwdExpireWarning: ${14 * 86400}`,
      'pwdGraceAuthNLimit: 0',
      'pwdMinLength: 12',
      'cairnPwdMinClasses: 3',
    ],
    [
      `dn: cn=grace,ou=policies,${BASE}`,
      'objectClass: device',
      'objectClass: pwdPolicy',
      'cn: grace',
      'description: as an OpenLDAP site writes it: expired passwords get three grace logins',
      'pwdAttribute: userPassword',
      `pwdMaxAge: ${30 * 86400}`,
      `pwdExpireWarning: ${14 * 86400}`,
      'pwdGraceAuthNLimit: 3',
    ],
    ...(Object.entries(PEOPLE) as [Person, (typeof PEOPLE)[Person]][]).map(([uid, p]) => [
      `dn: ${personDn(uid)}`,
      'objectClass: inetOrgPerson',
      'objectClass: posixAccount',
      'objectClass: shadowAccount',
      'objectClass: ldapPublicKey',
      `uid: ${uid}`,
      `cn: ${uid[0].toUpperCase()}${uid.slice(1)} Example`,
      `givenName: ${uid[0].toUpperCase()}${uid.slice(1)}`,
      'sn: Example',
      `mail: ${uid}@example.com`,
      `uidNumber: ${p.uidNumber}`,
      `gidNumber: ${USERS_GID}`,
      `homeDirectory: /home/${uid}`,
      'loginShell: /bin/sh',
      // hank's password is set again by the administrator's reset, after the import.
      `userPassword: ${uid === 'hank' ? 'Onboarding-Draft-1188' : p.password}`,
      ...(extra[uid] ?? []),
    ]),
    group('devs', 20001, ['alice', 'bob']),
    group('wifi', 20002, ['alice', 'erin']),
    // A group as Debian's stock slapd (nis.schema) stores it: structural posixGroup, memberUid only.
    [`dn: cn=ops,ou=groups,${BASE}`, 'objectClass: posixGroup', 'cn: ops', 'gidNumber: 20003', 'memberUid: frank', 'memberUid: gwen'],
  ];
  return entries.map((e) => e.join('\n') + '\n').join('\n');
}

function group(cn: string, gid: number, members: Person[]): string[] {
  return [
    `dn: cn=${cn},ou=groups,${BASE}`,
    'objectClass: groupOfNames',
    'objectClass: posixGroup',
    `cn: ${cn}`,
    `gidNumber: ${gid}`,
    ...members.map((m) => `member: ${personDn(m)}`),
    ...members.map((m) => `memberUid: ${m}`),
  ];
}

/** A TOTP code for a time step (30 s) from oathtool, as the person's phone would show it. */
export function totpAt(person: MfaPerson, step: number): string {
  const r = spawnSync('oathtool', ['--totp', '-b', `--now=@${step * 30}`, TOTP_SECRETS[person]], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`oathtool: ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * A Cairn server with the suite's people, groups, service accounts (one per client) and the TOTP secrets of erin and gwen,
 * under the default password policy, on ephemeral loopback ports.
 */
export class CompatDirectory {
  /** The last time step each person's codes were used for: codes are good once. */
  private readonly lastStep = new Map<MfaPerson, number>();

  private constructor(
    readonly server: RunningServer,
    /** Cairn's certificate, readable by every client's unprivileged user. */
    readonly caFile: string,
    readonly sshPrivateKey: string,
    readonly sshPublicKey: string,
    private readonly logFile: string,
  ) {}

  static async start(): Promise<CompatDirectory> {
    const keys = workFolder('directory');
    const key = join(keys, 'id_ed25519');
    const made = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice@compat', '-f', key], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`ssh-keygen: ${made.stderr}`);
    const sshPublicKey = readFileSync(`${key}.pub`, 'utf8').trim();

    const data = initData(join(keys, 'data'), { policy: 'default' });
    // cairn init gives the default group no gidNumber; the suite's people have theirs as an import would.
    importLdif(
      data,
      [
        `dn: cn=users,ou=groups,${BASE}`,
        'changetype: modify',
        'add: objectClass',
        'objectClass: posixGroup',
        '-',
        'add: gidNumber',
        `gidNumber: ${USERS_GID}`,
        '-',
        '',
      ].join('\n'),
    );
    importLdif(data, fixtureLdif(sshPublicKey));
    for (const name of ['sssd', 'nslcd', 'radius']) mustCairn(['service', 'add', name, '--password', SERVICE_PASSWORD], data);
    mustCairn(['user', 'passwd', 'hank', '--reset', '--password', PEOPLE.hank.password], data);
    const confirmed = new Map<MfaPerson, number>();
    for (const person of Object.keys(TOTP_SECRETS) as MfaPerson[]) {
      mustCairn(['mfa', 'enroll', person, '--secret', TOTP_SECRETS[person]], data);
      // The step before the current one, unless it is about to fall out of the window: the current step
      // and the next are then left for logins without waiting.
      const now = Math.floor(Date.now() / 30000);
      const step = Date.now() % 30000 < 25000 ? now - 1 : now;
      mustCairn(['mfa', 'confirm', person, totpAt(person, step)], data);
      confirmed.set(person, step);
    }

    const caFile = join(keys, 'cairn-ca.pem');
    copyFileSync(join(data, 'tls', 'cert.pem'), caFile);
    chmodSync(caFile, 0o644);
    // Into a file: the clients run while this process waits, and a full pipe would stop the server.
    const logFile = join(data, '..', 'server.log');
    // The portal too: a person can set up their account there and then log in through the clients.
    // FreeRADIUS's service account reads the NT hashes of device credentials (PEAP-MSCHAPv2).
    const server = await startServer(data, {
      CAIRN_LOG_LEVEL: 'info',
      CAIRN_LOG_FILE: logFile,
      CAIRN_PORTAL_LISTEN: '127.0.0.1:0',
      CAIRN_WIFI_NT_HASH_READERS: 'radius',
    });
    track(server.process);
    const directory = new CompatDirectory(server, caFile, key, sshPublicKey, logFile);
    for (const [person, step] of confirmed) directory.lastStep.set(person, step);
    return directory;
  }

  serviceDn(name: string) {
    return `cn=${name},ou=services,${BASE}`;
  }

  /** The placeholders every configuration in config/clients/ shares, for the client's own service account. */
  clientValues(service: 'sssd' | 'nslcd' | 'radius') {
    return { URI: this.server.url, BASE, BIND_DN: this.serviceDn(service), BIND_PASSWORD: SERVICE_PASSWORD, CA_FILE: this.caFile };
  }

  /**
   * A code of the person's that no login has used yet: the next unused time step within the server's
   * window (one step either side), waiting for the clock when those are taken.
   */
  async freshTotp(person: MfaPerson): Promise<string> {
    for (;;) {
      const now = Math.floor(Date.now() / 30000);
      // The step before ends its validity at the next step change: not within the last seconds of this one.
      const oldest = Date.now() % 30000 < 25000 ? now - 1 : now;
      const step = Math.max(oldest, (this.lastStep.get(person) ?? 0) + 1);
      if (step <= now + 1) {
        this.lastStep.set(person, step);
        return totpAt(person, step);
      }
      await sleep(1000);
    }
  }

  /** What the server logged: for the message of a failed check. */
  log(): string {
    return `${this.server.stderr()}${readFileSync(this.logFile, 'utf8')}`.slice(-4000);
  }

  cairn(args: string[]) {
    return mustCairn(args, this.server.data);
  }

  async stop() {
    await this.server.stop();
  }
}

function mustCairn(args: string[], data: string) {
  const r = cairn(args, { data });
  if (r.status !== 0) throw new Error(`cairn ${args.join(' ')}: ${r.stderr}`);
  return r;
}
