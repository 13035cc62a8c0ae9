// A real OpenLDAP directory for the migration test, made by Debian's slapd: a private slapd.conf with
// Debian's stock schemas (nis.schema is RFC 2307), sudo and autofs, the ppolicy and memberof overlays and
// the pw-sha2, pw-pbkdf2 and argon2 modules; filled through the protocol with OpenLDAP's own tools, so
// the overlays write real operational data (pwdHistory, pwdAccountLockedTime, pwdReset, memberOf); then
// stopped and exported with slapcat, as an administrator leaving slapd would.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SLAPADD, SLAPCAT, SLAPD, SLAPPASSWD, serveSlapd, writeSlapdConf } from '../../bench/slapd-server';
import { Content, DEFAULT_POLICY, Person, ROOT_DN, SUFFIX, makeContent, personLdif, slappasswdArgs, treeLdif } from './slapd-content';
import { ROOT } from './server';
import { runToolSync } from './tool-runner';

export * from './slapd-content';

/** The migration test runs only where Debian's slapd (and slapd-contrib, for pw-sha2/pw-pbkdf2/argon2) is installed. */
export function slapdMissing(): string | undefined {
  if (!existsSync(SLAPD)) return `${SLAPD} is missing (apt-get install slapd slapd-contrib)`;
  for (const m of ['ppolicy', 'memberof', 'pw-sha2', 'pw-pbkdf2', 'argon2']) {
    if (!existsSync(`/usr/lib/ldap/${m}.so`)) return `the slapd module /usr/lib/ldap/${m}.so is missing (apt-get install slapd slapd-contrib)`;
  }
  return undefined;
}

/** Cairn's own schema file (schema/sudo.schema or schema/NN-sudo.schema) when it has one; else the copy under test/fixtures/slapd. */
function schemaFile(name: string): string {
  const cairns = readdirSync(join(ROOT, 'schema')).find((f) => f === name || new RegExp(`^\\d+-${name.replace('.', '\\.')}$`).test(f));
  return cairns ? join(ROOT, 'schema', cairns) : join(ROOT, 'test', 'fixtures', 'slapd', name);
}

export interface Manifest extends Content {
  suffix: string;
  rootDn: string;
  /** Entries in the slapcat. */
  entryCount: number;
  locked: Person;
  /** The person who changed their password three times; `password` is the current one. */
  history: Person & { oldPasswords: Buffer[] };
  /** Set by an administrator under a policy with pwdMustChange: slapd wrote pwdReset: TRUE. */
  reset: Person;
  /** Loaded with slapadd after the protocol fill: a gecos with a Latin-1 byte, which slapd refuses over LDAP. */
  legacy: Person;
}

export interface SlapdDirectory {
  /** slapcat's output. */
  ldif: string;
  slapdConf: string;
  manifest: Manifest;
  /** Milliseconds spent, for the report. */
  ms: number;
}

const TOOL_ENV = { ...process.env, LDAPNOINIT: '1' };

function run(cmd: string, args: string[], input?: string | Buffer): { status: number | null; stdout: string; stderr: string } {
  const r = runToolSync({ tool: cmd, args, input, env: TOOL_ENV, timeout: 30000 });
  if (r.error) throw new Error(`${cmd}: ${r.error}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runOk(cmd: string, args: string[], input?: string | Buffer): string {
  const r = run(cmd, args, input);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}\n${r.stdout}${r.stderr}`.trimEnd());
  return r.stdout;
}

/** A file holding exactly a password's bytes, for the tools' -T/-y (so no byte passes through argv). */
export function passwordFile(dir: string, name: string, password: Buffer | string): string {
  const file = join(dir, name);
  writeFileSync(file, password, { mode: 0o600 });
  return file;
}

export async function buildSlapdDirectory(dir: string, seed = 'cairn-migration'): Promise<SlapdDirectory> {
  const t0 = Date.now();
  const secrets = join(dir, 'secrets');
  mkdirSync(secrets, { recursive: true });
  const c = makeContent(seed);
  let files = 0;
  const pwFile = (pw: Buffer | string) => passwordFile(secrets, `pw${files++}`, pw);
  const slappasswd = (args: string[], pw: Buffer | string) => runOk(SLAPPASSWD, [...args, '-T', pwFile(pw)]).trim();

  // Real hashes from slappasswd, real DER certificates from openssl.
  const rootHash = slappasswd(['-h', '{SSHA}'], c.rootPassword);
  for (const p of c.people) {
    const args = slappasswdArgs(p.scheme);
    if (args) p.hash = slappasswd(args, p.password);
  }
  for (const s of c.services) s.hash = slappasswd(['-h', '{SSHA}'], s.password);
  c.people.forEach((p, i) => {
    if (i % 7 !== 2) return;
    const der = join(secrets, `${p.uid}.der`);
    runOk('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      '/dev/null',
      '-subj',
      `/O=Example Inc./CN=${p.cn}/UID=${p.uid}`,
      '-days',
      '3650',
      '-outform',
      'DER',
      '-out',
      der,
    ]);
    p.certificate = readFileSync(der);
  });

  const paths = writeSlapdConf({
    dir: join(dir, 'slapd'),
    suffix: SUFFIX,
    rootDn: ROOT_DN,
    rootPw: rootHash,
    maxsize: 104857600,
    schemas: [schemaFile('sudo.schema'), schemaFile('autofs.schema')],
    modules: ['ppolicy', 'memberof', 'pw-sha2', 'pw-pbkdf2', 'argon2'],
    database: [
      'index objectClass eq',
      'index uid,uidNumber,gidNumber,memberUid,cn,mail eq',
      'overlay memberof',
      'overlay ppolicy',
      `ppolicy_default "${DEFAULT_POLICY}"`,
      'ppolicy_hash_cleartext',
    ],
  });
  const slapd = await serveSlapd(paths);
  const url = slapd.url;
  const asRoot = ['-x', '-H', url, '-D', ROOT_DN, '-y', pwFile(c.rootPassword)];
  const roleOf = (role: Person['role']) => c.people.find((p) => p.role === role)!;
  let history: Manifest['history'];
  try {
    writeFileSync(join(dir, 'tree.ldif'), treeLdif(c, rootHash));
    runOk('ldapadd', [...asRoot, '-f', join(dir, 'tree.ldif')]);
    // slapd hashes what the password modify operation gives it ({SSHA}, password-hash's default). The reset
    // person's policy has pwdMustChange, so this administrator's change makes ppolicy write pwdReset: TRUE.
    for (const p of c.people.filter((q) => q.scheme === 'ldappasswd')) runOk('ldappasswd', [...asRoot, '-T', pwFile(p.password), p.dn]);
    const reset = runOk('ldapsearch', [...asRoot, '-LLL', '-b', roleOf('reset').dn, '-s', 'base', 'pwdReset']);
    if (!/^pwdReset: TRUE$/m.test(reset)) throw new Error(`slapd did not set pwdReset on ${roleOf('reset').dn}:\n${reset}`);

    // Three changes by the person themselves: pwdHistory keeps the three passwords before the current one.
    const h = roleOf('history');
    const oldPasswords = [h.password];
    for (let k = 1; k <= 3; k++) {
      const next = Buffer.concat([h.password.subarray(0, 8), Buffer.from(`-Changed${k}!`)]);
      runOk('ldappasswd', ['-x', '-H', url, '-D', h.dn, '-y', pwFile(h.password), '-T', pwFile(next)]);
      if (k < 3) oldPasswords.push(next);
      h.password = next;
    }
    history = Object.assign(h, { oldPasswords });
    const back = run('ldappasswd', ['-x', '-H', url, '-D', h.dn, '-y', pwFile(h.password), '-T', pwFile(oldPasswords[1])]);
    // ldappasswd exits 1 on any refusal and prints the result code.
    if (!/Constraint violation \(19\)/.test(back.stdout + back.stderr)) {
      throw new Error(`slapd's pwdHistory did not refuse an old password: ldappasswd exited ${back.status}\n${back.stdout}${back.stderr}`);
    }

    // The manifest is right: slapd itself takes every person's password (the legacy one comes later).
    for (const p of c.people.filter((q) => q.role !== 'legacy')) {
      const r = run('ldapwhoami', ['-x', '-H', url, '-D', p.dn, '-y', pwFile(p.password)]);
      if (r.status !== 0) throw new Error(`slapd refused ${p.dn}'s own password (${p.scheme}): ${r.stdout}${r.stderr}`);
    }

    // pwdMaxFailure 3: three wrong binds and ppolicy writes pwdAccountLockedTime.
    const locked = roleOf('locked');
    for (let k = 0; k < 3; k++) run('ldapwhoami', ['-x', '-H', url, '-D', locked.dn, '-w', `wrong-${k}`]);
    const stillLocked = run('ldapwhoami', ['-x', '-H', url, '-D', locked.dn, '-y', pwFile(locked.password)]);
    if (stillLocked.status !== 49) throw new Error(`slapd did not lock ${locked.dn}: ldapwhoami exited ${stillLocked.status}`);
  } finally {
    await slapd.stop();
  }

  // A person from the MigrationTools days: slapadd takes a Latin-1 gecos that slapd refuses over LDAP (21).
  const legacy = roleOf('legacy');
  writeFileSync(join(dir, 'legacy.ldif'), personLdif(legacy));
  runOk(SLAPADD, ['-f', paths.conf, '-l', join(dir, 'legacy.ldif')]);

  const ldif = join(dir, 'slapcat.ldif');
  runOk(SLAPCAT, ['-f', paths.conf, '-l', ldif]);
  const entryCount = (readFileSync(ldif, 'latin1').match(/^dn::? /gm) ?? []).length;
  return {
    ldif,
    slapdConf: paths.conf,
    manifest: {
      ...c,
      suffix: SUFFIX,
      rootDn: ROOT_DN,
      entryCount,
      locked: roleOf('locked'),
      history,
      reset: roleOf('reset'),
      legacy,
    },
    ms: Date.now() - t0,
  };
}
