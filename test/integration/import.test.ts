import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ADMIN_PASSWORD, BASE, cairn, freshData, initData, ldapTool, removeData, startServer } from '../helpers/server';
import { parseEntries } from '../helpers/ldap-output';

// `cairn import` as a migrating administrator uses it: a slapcat into a fresh `cairn init`.

const ssha = (password: string) => {
  const salt = Buffer.from('s4lt-1234');
  return `{SSHA}${Buffer.concat([createHash('sha1').update(password).update(salt).digest(), salt]).toString('base64')}`;
};
const JO_PASSWORD = 'jo-Secret-pass-1';
const ROOT_PASSWORD = 'root-Secret-pass-1';
const PEOPLE = `ou=People,${BASE}`;

/** What slapcat of a small OpenLDAP directory gives: base, rootdn entry, ou=People, a policy, people, groups. */
function slapcat(extraPerson: string[] = []): string {
  return [
    `dn: ${BASE}`,
    'objectClass: top',
    'objectClass: dcObject',
    'objectClass: organization',
    'o: Example Inc.',
    'dc: example',
    'structuralObjectClass: organization',
    'entryCSN: 20200101000000.000000Z#000000#000#000000',
    'contextCSN: 20240101000000.000000Z#000000#000#000000',
    'createTimestamp: 20200101000000Z',
    'modifyTimestamp: 20200101000000Z',
    '',
    `dn: cn=admin,${BASE}`,
    'objectClass: simpleSecurityObject',
    'objectClass: organizationalRole',
    'cn: admin',
    'description: LDAP administrator',
    `userPassword: ${ssha(ROOT_PASSWORD)}`,
    'structuralObjectClass: organizationalRole',
    '',
    `dn: ${PEOPLE}`,
    'objectClass: organizationalUnit',
    'ou: People',
    'structuralObjectClass: organizationalUnit',
    '',
    `dn: ou=policies,${BASE}`,
    'objectClass: organizationalUnit',
    'ou: policies',
    '',
    `dn: cn=default,ou=policies,${BASE}`,
    'objectClass: device',
    'objectClass: pwdPolicy',
    'cn: default',
    'description: the policy of the old server',
    'pwdAttribute: userPassword',
    'pwdMaxAge: 7776000',
    'pwdExpireWarning: 604800',
    'pwdMinLength: 8',
    'pwdLockout: TRUE',
    'pwdMaxFailure: 5',
    '',
    `dn: uid=jo,${PEOPLE}`,
    'objectClass: inetOrgPerson',
    'objectClass: posixAccount',
    'objectClass: shadowAccount',
    'uid: jo',
    'cn: Jo',
    'sn: Jones',
    'uidNumber: 20001',
    'gidNumber: 20001',
    'homeDirectory: /home/jo',
    `userPassword: ${ssha(JO_PASSWORD)}`,
    'shadowLastChange: 15000',
    'shadowMax: 99999',
    `memberOf: cn=devs,ou=Group,${BASE}`,
    '',
    `dn: uid=kim,${PEOPLE}`,
    'objectClass: inetOrgPerson',
    'objectClass: posixAccount',
    'objectClass: shadowAccount',
    'uid: kim',
    'cn: Kim',
    'sn: King',
    'uidNumber: 20002',
    'gidNumber: 20001',
    'homeDirectory: /home/kim',
    'userPassword: {CRYPT}$2b$04$abcdefghijklmnopqrstuu5S6zVxVwZ3Gx9Qp8s4iV8y4jX9h9U1u',
    'pwdChangedTime: 20240301000000Z',
    'shadowLastChange: 19000',
    ...extraPerson,
    '',
    `dn: ou=Group,${BASE}`,
    'objectClass: organizationalUnit',
    'ou: Group',
    '',
    `dn: cn=devs,ou=Group,${BASE}`,
    'objectClass: groupOfNames',
    'objectClass: posixGroup',
    'cn: devs',
    'gidNumber: 20001',
    `member: uid=jo,${PEOPLE}`,
    '',
    `dn: cn=ops,ou=Group,${BASE}`,
    'objectClass: groupOfNames',
    'cn: ops',
    '',
  ].join('\n');
}

const exported = (data: string) => {
  const r = cairn(['export'], { data });
  expect(r.status, r.stderr).to.equal(0);
  return r.stdout;
};
const entryOf = (data: string, dn: string) => parseEntries(exported(data)).find((e) => e.dn.toLowerCase() === dn.toLowerCase());

describe('cairn import (migration)', function () {
  this.timeout(60000);
  const folders: string[] = [];
  const fresh = () => {
    const data = freshData();
    const r = cairn(['init', '--admin-password', ADMIN_PASSWORD], { data });
    expect(r.status, r.stderr).to.equal(0);
    folders.push(data);
    return data;
  };
  const relaxed = () => {
    const data = initData();
    folders.push(data);
    return data;
  };
  const file = (data: string, text: string, name = 'in.ldif') => {
    const f = join(dirname(data), name);
    writeFileSync(f, text);
    return f;
  };
  after(() => folders.forEach(removeData));
  const auditLines = (data: string): Record<string, unknown>[] => {
    const path = join(data, 'audit.log');
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  };

  describe('into a fresh cairn init', () => {
    let data: string;
    let out: { status: number | null; stdout: string; stderr: string };
    let auditedBefore: number;
    before(() => {
      data = fresh();
      auditedBefore = auditLines(data).length;
      out = cairn(['import', file(data, slapcat())], { data });
    });

    it('leaves one audit record for the whole import, with its counts, not a line per entry', () => {
      const added = auditLines(data).slice(auditedBefore);
      expect(added).to.have.length(1);
      expect(added[0]).to.include({
        message: 'audit',
        who: 'cn=cairn',
        op: 'import',
        dn: BASE,
        file: join(dirname(data), 'in.ldif'),
        dryRun: false,
        written: true,
        records: 10,
        added: 6,
        replaced: 4,
        problems: 0,
        result: 0,
      });
    });

    it('goes in one go: the base, ou=People and the policy that init made are taken over, and the summary says so', () => {
      expect(out.status, out.stderr).to.equal(0);
      expect(out.stdout).to.match(/Taken over from cairn init/);
      for (const dn of [BASE, PEOPLE, `ou=policies,${BASE}`, `cn=default,ou=policies,${BASE}`]) expect(out.stdout).to.contain(`  ${dn}\n`);
    });

    it("keeps the source's DN spelling: ou=People, for the entry and its children (also Cairn's own admin)", () => {
      const dns = parseEntries(exported(data)).map((e) => e.dn);
      expect(dns).to.include(PEOPLE);
      expect(dns).to.include(`uid=jo,${PEOPLE}`);
      expect(dns).to.include(`uid=admin,${PEOPLE}`);
      expect(dns).not.to.include(`ou=people,${BASE}`);
      expect(entryOf(data, BASE)!.attrs.o).to.deep.equal(['Example Inc.']);
    });

    it("merges the policy: the file's attributes replace init's, Cairn's own cairnPwd* stay", () => {
      const p = entryOf(data, `cn=default,ou=policies,${BASE}`)!;
      expect(p.attrs.pwdmaxage).to.deep.equal(['7776000']);
      expect(p.attrs.pwdminlength).to.deep.equal(['8']);
      expect(p.attrs.description).to.deep.equal(['the policy of the old server']);
      expect(p.attrs.cairnpwdminclasses).to.deep.equal(['3']);
      expect(p.attrs.cairnpwdblocklist).to.deep.equal(['TRUE']);
      expect(p.attrs.pwdinhistory).to.equal(undefined);
      expect(p.attrs.objectclass.map((c) => c.toLowerCase())).to.include.members(['device', 'pwdpolicy', 'cairnpasswordpolicy']);
      expect(out.stdout).to.match(/kept Cairn's own cairnPwdMinUpper.*cairnPwdMinClasses/);
      expect(out.stdout).to.match(/dropped .*pwdInHistory/);
    });

    it('summarises entries by kind, hashes by scheme and skipped attributes', () => {
      expect(out.stdout).to.match(/^\s+2\s+people$/m);
      expect(out.stdout).to.match(/^\s+1\s+groups \(groupOfNames \+ posixGroup\)$/m);
      expect(out.stdout).to.match(/^\s+1\s+groups \(groupOfNames\)$/m);
      expect(out.stdout).to.match(/^\s+1\s+containers$/m);
      expect(out.stdout).to.match(/^\s+2\s+SSHA$/m);
      expect(out.stdout).to.match(/^\s+1\s+BCRYPT$/m);
      expect(out.stdout).to.match(/^\s+3\s+structuralObjectClass$/m);
      expect(out.stdout).to.match(/^\s+1\s+entryCSN$/m);
      expect(out.stdout).to.match(/^\s+1\s+memberOf$/m);
    });

    it('says that the rootdn-like entry is an ordinary entry, and how to make it an administrator', () => {
      expect(out.stdout).to.contain(
        `cn=admin,${BASE} was imported as an ordinary entry; it is not an administrator of Cairn. To make it one: cairn import --admin 'cn=admin,${BASE}'`,
      );
    });

    it('people without pwdChangedTime get none (counted): their passwords do not expire, as on OpenLDAP; the others keep theirs', () => {
      expect(entryOf(data, `uid=jo,${PEOPLE}`)!.attrs.pwdchangedtime).to.equal(undefined);
      expect(entryOf(data, `uid=kim,${PEOPLE}`)!.attrs.pwdchangedtime).to.deep.equal(['20240301000000Z']);
      expect(out.stdout).to.match(/2 entries with a password had no pwdChangedTime/);
    });

    it('shadowLastChange follows the password change, shadowMax/shadowWarning follow the policy; counted; without pwdChangedTime they stay as imported', () => {
      const jo = entryOf(data, `uid=jo,${PEOPLE}`)!;
      expect(jo.attrs.shadowlastchange).to.deep.equal(['15000']);
      expect(jo.attrs.shadowmax).to.deep.equal(['99999']);
      const kim = entryOf(data, `uid=kim,${PEOPLE}`)!;
      expect(kim.attrs.shadowlastchange).to.deep.equal([String(Math.floor(Date.UTC(2024, 2, 1) / 86400000))]);
      expect(out.stdout).to.match(/^\s+1\s+shadowLastChange older than the password's change: set to its day$/m);
      expect([kim.attrs.shadowmax, kim.attrs.shadowwarning]).to.deep.equal([['90'], ['7']]);
    });

    it('the migrated people and the rootdn-like entry bind with their migrated passwords', async () => {
      const s = await startServer(data);
      try {
        expect(ldapTool('ldapwhoami', ['-x', '-H', s.url, '-D', `uid=jo,${PEOPLE}`, '-w', JO_PASSWORD]).status).to.equal(0);
        expect(ldapTool('ldapwhoami', ['-x', '-H', s.url, '-D', `cn=admin,${BASE}`, '-w', ROOT_PASSWORD]).status).to.equal(0);
      } finally {
        await s.stop();
      }
    });

    it('other existing entries still collide (entryAlreadyExists) without --update', () => {
      const r = cairn(
        ['import', file(data, [`dn: uid=jo,${PEOPLE}`, 'objectClass: inetOrgPerson', 'uid: jo', 'cn: Jo', 'sn: J', ''].join('\n'), 'again.ldif')],
        { data },
      );
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/^cairn: line 1: uid=jo,ou=People,dc=example,dc=com: entry already exists.*\(LDAP result 68\); nothing was imported\n$/);
    });

    it('an entry init made that was changed since is not taken over', () => {
      const d2 = relaxed(); // the tests' init changes cn=default
      const r = cairn(['import', file(d2, slapcat(), 'b.ldif')], { data: d2 });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/line 30: cn=default,ou=policies,dc=example,dc=com: entry already exists/);
    });
  });

  describe('--update on a policy entry', () => {
    it("replaces the same attributes and keeps Cairn's own cairnPwd* that the file does not mention", () => {
      const data = relaxed(); // cairnPwdMinClasses 0
      const policy = [
        `dn: cn=default,ou=policies,${BASE}`,
        'objectClass: device',
        'objectClass: pwdPolicy',
        'cn: default',
        'pwdAttribute: userPassword',
        'pwdMaxAge: 86400',
        '',
      ].join('\n');
      const r = cairn(['import', '--update', file(data, policy)], { data });
      expect(r.status, r.stderr).to.equal(0);
      const p = entryOf(data, `cn=default,ou=policies,${BASE}`)!;
      expect(p.attrs.pwdmaxage).to.deep.equal(['86400']);
      expect(p.attrs.cairnpwdminclasses).to.deep.equal(['0']);
      expect(p.attrs.pwdminlength).to.equal(undefined);
      expect(r.stdout).to.match(/policy entries replaced \(--update\): Cairn's own cairn\* settings kept/);
    });
  });

  describe('--dry-run', () => {
    const broken = [
      `dn: uid=ann,ou=people,${BASE}`,
      'objectClass: inetOrgPerson',
      'uid: ann',
      'cn: Ann',
      '',
      `dn: ou=lost,ou=nowhere,${BASE}`,
      'objectClass: organizationalUnit',
      'ou: lost',
      '',
      `dn: uid=md5,ou=people,${BASE}`,
      'objectClass: inetOrgPerson',
      'uid: md5',
      'cn: M',
      'sn: D',
      'userPassword: {KERBEROS}md5@EXAMPLE.COM',
      '',
      `dn: ou=sub,${BASE}`,
      'objectClass: organizationalUnit',
      'ou: sub',
      '',
      `dn: uid=ok,ou=people,${BASE}`,
      'objectClass: inetOrgPerson',
      'uid: ok',
      'cn: Ok',
      'sn: K',
      '',
      `dn: cn=Dup,ou=people,${BASE}`,
      'objectClass: inetOrgPerson',
      'cn: Dup',
      'sn: D',
      'uid: ok',
      '',
      `dn: cn=child,ou=lost,ou=nowhere,${BASE}`,
      'objectClass: organizationalRole',
      'cn: child',
      '',
    ].join('\n');

    it('lists every problem with its line number at once, writes nothing, exits 1', () => {
      const data = relaxed();
      const before = exported(data);
      const r = cairn(['import', '--dry-run', file(data, broken)], { data });
      expect(r.status).to.equal(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).to.equal(`cairn: 5 problems in ${join(dirname(data), 'in.ldif')}; dry run: nothing was written:`);
      expect(lines[1]).to.match(/^ {2}line 1: uid=ann,.*requires attribute 'sn' \(LDAP result 65\)$/);
      expect(lines[2]).to.match(/^ {2}line 6: ou=lost,ou=nowhere,.*parent entry .* does not exist \(LDAP result 32\)$/);
      expect(lines[3]).to.match(/^ {2}line 10: uid=md5,.*KERBEROS is not a password hash Cairn can verify.*\(LDAP result 21\)$/);
      expect(lines[4]).to.match(/^ {2}line 27: cn=Dup,.*\(LDAP result 19\)$/);
      expect(lines[5]).to.match(/^ {2}line 33: cn=child,.*its parent was not imported \(see line 6\)$/);
      expect(r.stdout).to.match(/^Dry run of 7 records/);
      expect(exported(data)).to.equal(before);
    });

    it('a real import of the same file lists the same problems and imports nothing', () => {
      const data = relaxed();
      const before = exported(data);
      const r = cairn(['import', file(data, broken)], { data });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/^cairn: 5 problems in .*; nothing was imported:\n/);
      expect(r.stdout).not.to.match(/Imported/);
      expect(exported(data)).to.equal(before);
      // The audit log says nothing was written, where it used to list the rolled-back adds as done.
      expect(auditLines(data).filter((l) => l.op !== 'import' && l.result === 0 && String(l.dn).includes('uid=ok'))).to.deep.equal([]);
      expect(auditLines(data).at(-1)).to.include({ op: 'import', written: false, records: 7, problems: 5, result: 0 });
    });

    it('a clean file: exit 0, the summary of what would be done, nothing written', () => {
      const data = fresh();
      const before = exported(data);
      const r = cairn(['import', '--dry-run', file(data, slapcat())], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^Dry run of 10 records/);
      expect(r.stdout).to.match(/Entries added \(would be\):/);
      expect(r.stdout).to.contain('would be imported as an ordinary entry');
      expect(exported(data)).to.equal(before);
      // and the same file then goes in for real
      expect(cairn(['import', file(data, slapcat())], { data }).status).to.equal(0);
    });

    it('--json gives the summary as JSON', () => {
      const data = fresh();
      const r = cairn(['import', '--dry-run', '--json', file(data, slapcat())], { data });
      expect(r.status, r.stderr).to.equal(0);
      const j = JSON.parse(r.stdout) as {
        ok: boolean;
        written: boolean;
        added: Record<string, number>;
        passwordHashes: Record<string, number>;
        takenOverFromInit: { dn: string }[];
      };
      expect(j.ok).to.equal(true);
      expect(j.written).to.equal(false);
      expect(j.added.people).to.equal(2);
      expect(j.passwordHashes.SSHA).to.equal(2);
      expect(j.takenOverFromInit.map((t) => t.dn)).to.include(PEOPLE);
    });
  });

  describe('groups', () => {
    const person = (uid: string) => [`dn: uid=${uid},ou=people,${BASE}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${uid}`, 'sn: S', ''];
    it('an rfc2307bis group whose memberUid does not follow member: the uids of members are added (counted), no value is dropped', () => {
      const data = relaxed();
      const group = [
        `dn: cn=mixed,ou=groups,${BASE}`,
        'objectClass: groupOfNames',
        'objectClass: posixGroup',
        'cn: mixed',
        'gidNumber: 30500',
        `member: uid=gm1,ou=people,${BASE}`,
        'memberUid: ghost',
        '',
      ];
      const r = cairn(['import', file(data, [...group, ...person('gm1')].join('\n'))], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).not.to.match(/memberUid values dropped/);
      expect(r.stdout).to.match(/^\s+1\s+memberUid values added/m);
      expect([...entryOf(data, `cn=mixed,ou=groups,${BASE}`)!.attrs.memberuid].sort()).to.deep.equal(['ghost', 'gm1']);
    });

    it('references are checked once the whole file is in: a member may come after its group, a missing one is a problem', () => {
      const data = relaxed();
      const group = [
        `dn: cn=refs,ou=groups,${BASE}`,
        'objectClass: groupOfNames',
        'cn: refs',
        `member: uid=later,ou=people,${BASE}`,
        `member: uid=never,ou=people,${BASE}`,
        '',
      ];
      const withPolicy = [...person('pp'), ''].join('\n').replace('sn: S', `sn: S\npwdPolicySubentry: cn=nosuch,ou=policies,${BASE}`).split('\n');
      const r = cairn(['import', '--dry-run', file(data, [...group, ...person('later'), ...withPolicy].join('\n'))], { data });
      expect(r.status).to.equal(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).to.have.length(3);
      expect(lines[1]).to.equal(`  line 1: cn=refs,ou=groups,${BASE}: member: uid=never,ou=people,${BASE} does not exist (in the file or the directory)`);
      expect(lines[2]).to.equal(
        `  line 13: uid=pp,ou=people,${BASE}: pwdPolicySubentry: cn=nosuch,ou=policies,${BASE} does not exist (in the file or the directory)`,
      );
    });

    it('a reference a modify record adds is checked the same way, at its line', () => {
      const data = relaxed();
      const change = [
        `dn: uid=later,ou=people,${BASE}`,
        'changetype: modify',
        'add: pwdPolicySubentry',
        `pwdPolicySubentry: cn=gone,ou=policies,${BASE}`,
        '-',
        '',
      ];
      const r = cairn(['import', '--dry-run', file(data, [...person('later'), ...change].join('\n'))], { data });
      expect(r.status).to.equal(1);
      expect(r.stderr.trim()).to.equal(
        `cairn: line 7: uid=later,ou=people,${BASE}: pwdPolicySubentry: cn=gone,ou=policies,${BASE} does not exist (in the file or the directory); dry run: nothing was written`,
      );
    });

    it('an RFC 2307 posixGroup alone (Debian stock slapd) is imported as it is, counted as such', () => {
      const data = relaxed();
      const r = cairn(
        [
          'import',
          file(data, [`dn: cn=old,ou=groups,${BASE}`, 'objectClass: posixGroup', 'cn: old', 'gidNumber: 30501', 'memberUid: x', 'memberUid: y', ''].join('\n')),
        ],
        { data },
      );
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^\s+1\s+groups \(posixGroup with memberUid only\)$/m);
      expect(entryOf(data, `cn=old,ou=groups,${BASE}`)!.attrs.memberuid).to.deep.equal(['x', 'y']);
    });
  });

  describe('--admin and --password-changed-now', () => {
    it('--admin makes the imported rootdn entry a member of cn=admins: it binds and writes as an administrator', async () => {
      const data = fresh();
      const r = cairn(['import', '--admin', `cn=admin,${BASE}`, '--password-changed-now', file(data, slapcat())], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.contain(`cn=admin,${BASE} was made an administrator of Cairn (member of cn=admins).`);
      expect(r.stdout).not.to.contain('imported as an ordinary entry');
      expect(r.stdout).to.match(/2 entries with a password had no pwdChangedTime: they get the import time \d{14}Z \(--password-changed-now\)/);
      const jo = entryOf(data, `uid=jo,${PEOPLE}`)!;
      const changed = jo.attrs.pwdchangedtime[0];
      expect(changed).to.match(/^\d{14}Z$/);
      expect(
        Math.abs(Date.UTC(+changed.slice(0, 4), +changed.slice(4, 6) - 1, +changed.slice(6, 8), +changed.slice(8, 10), +changed.slice(10, 12)) - Date.now()),
      ).to.be.below(600000);
      const s = await startServer(data);
      try {
        const add = ldapTool(
          'ldapadd',
          ['-x', '-H', s.url, '-D', `cn=admin,${BASE}`, '-w', ROOT_PASSWORD],
          [`dn: ou=new,${BASE}`, 'objectClass: organizationalUnit', 'ou: new', ''].join('\n'),
        );
        expect(add.status, add.stderr).to.equal(0);
      } finally {
        await s.stop();
      }
    });

    it('--admin naming an entry that does not exist is a problem', () => {
      const data = fresh();
      const r = cairn(['import', '--admin', `cn=nobody,${BASE}`, file(data, slapcat())], { data });
      expect(r.status).to.equal(1);
      expect(r.stderr).to.match(/^cairn: --admin cn=nobody,dc=example,dc=com: no such entry.*; nothing was imported\n$/);
    });
  });

  describe('pwdChangedTime missing, and a pwdMaxAge set later', () => {
    it('people without pwdChangedTime do not all expire when a pwdMaxAge is set after the import', async () => {
      const data = relaxed(); // no pwdMaxAge
      const person = [
        `dn: uid=late,ou=people,${BASE}`,
        'objectClass: inetOrgPerson',
        'uid: late',
        'cn: L',
        'sn: L',
        `userPassword: ${ssha(JO_PASSWORD)}`,
        'createTimestamp: 20100101000000Z',
        '',
      ].join('\n');
      expect(cairn(['import', file(data, person)], { data }).status).to.equal(0);
      const set = cairn(
        [
          'import',
          file(data, [`dn: cn=default,ou=policies,${BASE}`, 'changetype: modify', 'replace: pwdMaxAge', 'pwdMaxAge: 2592000', '-', ''].join('\n'), 'p.ldif'),
        ],
        { data },
      );
      expect(set.status, set.stderr).to.equal(0);
      const s = await startServer(data);
      try {
        expect(ldapTool('ldapwhoami', ['-x', '-H', s.url, '-D', `uid=late,ou=people,${BASE}`, '-w', JO_PASSWORD]).status).to.equal(0);
      } finally {
        await s.stop();
      }
    });
  });

  describe('expiry reminders for migrated people without pwdChangedTime', () => {
    it('none without pwdChangedTime (the password does not expire); with --password-changed-now they count from the import', () => {
      const data = relaxed();
      const person = (uid: string) =>
        [
          `dn: uid=${uid},ou=people,${BASE}`,
          'objectClass: inetOrgPerson',
          `uid: ${uid}`,
          'cn: R',
          'sn: R',
          `mail: ${uid}@example.com`,
          `userPassword: ${ssha(JO_PASSWORD)}`,
          '',
        ].join('\n');
      expect(cairn(['import', file(data, person('remi'))], { data }).status).to.equal(0);
      expect(cairn(['import', '--password-changed-now', file(data, person('rita'), 'r.ldif')], { data }).status).to.equal(0);
      const policy = [`dn: cn=default,ou=policies,${BASE}`, 'changetype: modify', 'replace: pwdMaxAge', `pwdMaxAge: ${5 * 86400}`, '-', ''].join('\n');
      expect(cairn(['import', file(data, policy, 'p.ldif')], { data }).status).to.equal(0);
      const r = cairn(['notify', 'run', '--dry-run'], { data });
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/^would send\trita\trita@example\.com\t7 days before\t/m);
      expect(r.stdout).not.to.match(/remi/);
    });
  });

  describe('cairn export keeps the policy state', () => {
    it('a locked person with a pwdPolicySubentry, exported and imported into a fresh init, is still locked under the same policy', async () => {
      const src = relaxed();
      const setup = [
        `dn: cn=strict,ou=policies,${BASE}`,
        'objectClass: cairnPolicy',
        'objectClass: pwdPolicy',
        'cn: strict',
        'pwdAttribute: userPassword',
        'pwdLockout: TRUE',
        'pwdMaxFailure: 3',
        '',
        `dn: uid=lock,ou=people,${BASE}`,
        'objectClass: inetOrgPerson',
        'uid: lock',
        'cn: Lock',
        'sn: L',
        `userPassword: ${ssha(JO_PASSWORD)}`,
        `pwdPolicySubentry: cn=strict,ou=policies,${BASE}`,
        '',
      ].join('\n');
      expect(cairn(['import', '--password-changed-now', file(src, setup)], { data: src }).status).to.equal(0);
      let s = await startServer(src);
      try {
        for (let i = 0; i < 3; i++) ldapTool('ldapwhoami', ['-x', '-H', s.url, '-D', `uid=lock,ou=people,${BASE}`, '-w', 'wrong-password']);
        expect(ldapTool('ldapwhoami', ['-x', '-H', s.url, '-D', `uid=lock,ou=people,${BASE}`, '-w', JO_PASSWORD]).status).to.equal(49);
      } finally {
        await s.stop();
      }
      const dump = exported(src);
      const lock = parseEntries(dump).find((e) => e.dn === `uid=lock,ou=people,${BASE}`)!;
      expect(lock.attrs.pwdaccountlockedtime).to.have.length(1);
      expect(lock.attrs.pwdfailuretime).to.have.length(3);
      expect(lock.attrs.pwdpolicysubentry).to.deep.equal([`cn=strict,ou=policies,${BASE}`]);
      expect(lock.attrs.pwdchangedtime).to.have.length(1);

      const dst = fresh();
      // The export carries no passwords; a restore that brings the hash back (as from a slapcat) shows the lock.
      const withHash = dump.replace(`dn: uid=lock,ou=people,${BASE}\n`, `dn: uid=lock,ou=people,${BASE}\nuserPassword: ${ssha(JO_PASSWORD)}\n`);
      const r = cairn(['import', '--update', file(dst, withHash, 'dump.ldif')], { data: dst });
      expect(r.status, r.stderr).to.equal(0);
      const back = entryOf(dst, `uid=lock,ou=people,${BASE}`)!;
      expect(back.attrs.pwdaccountlockedtime).to.deep.equal(lock.attrs.pwdaccountlockedtime);
      expect(back.attrs.pwdfailuretime).to.deep.equal(lock.attrs.pwdfailuretime);
      expect(back.attrs.pwdpolicysubentry).to.deep.equal(lock.attrs.pwdpolicysubentry);
      expect(back.attrs.pwdchangedtime).to.deep.equal(lock.attrs.pwdchangedtime);
      s = await startServer(dst);
      try {
        const bind = ldapTool('ldapwhoami', ['-x', '-H', s.url, '-D', `uid=lock,ou=people,${BASE}`, '-w', JO_PASSWORD]);
        expect(bind.status, 'the right password, still locked').to.equal(49);
        expect(cairn(['user', 'unlock', 'lock'], { data: dst }).status).to.equal(0);
        expect(ldapTool('ldapwhoami', ['-x', '-H', s.url, '-D', `uid=lock,ou=people,${BASE}`, '-w', JO_PASSWORD]).status).to.equal(0);
      } finally {
        await s.stop();
      }
    });
  });
});
