// Readiness probes and sanity checks with OpenLDAP's ldap-utils, so a server
// that answers every search with nothing (or accepts any password) cannot
// look fast.
import { BenchError, run, waitUntil } from './proc';

const LDAPSEARCH = '/usr/bin/ldapsearch';
const LDAPWHOAMI = '/usr/bin/ldapwhoami';

/** The common surface of a running server under test. */
export interface Target {
  name: 'slapd' | 'cairn';
  label: string;
  url: string;
  host: string;
  port: number;
  /** Server process whose CPU time (with descendants) is sampled. */
  pid: number;
  searchBindDn: string;
  searchBindPassword: string;
  /** Password storage scheme used for the user entries (for the report). */
  passwordScheme: string;
  /** Notes for the report (log level, etc.). */
  notes: string[];
  /** Where the server keeps its database; how long loading the users into it took, and the loader's peak memory. */
  data: { dir: string; loadSeconds: number; loadPeakRssBytes?: number };
  /** Returns a reason when the server process is gone. */
  deadReason(): string | undefined;
  stop(): Promise<void>;
}

/** Waits until something at `url` speaks LDAP (ldapsearch exit 255 means "can't contact"). */
export async function waitForLdap(url: string, timeoutMs: number, deadReason: () => string | undefined): Promise<void> {
  await waitUntil(
    `waiting for LDAP at ${url}`,
    timeoutMs,
    async () => {
      const r = await run(LDAPSEARCH, ['-x', '-H', url, '-o', 'nettimeout=2', '-l', '2', '-b', '', '-s', 'base', '(objectClass=*)', '1.1'], {
        timeoutMs: 5000,
      });
      return !r.timedOut && r.code !== null && r.code !== 255;
    },
    deadReason,
  );
}

/** ldapsearch as the target's search identity (-LLL, simple bind), with the rest of its arguments. */
export function searchAs(target: Target, args: string[], timeoutMs: number) {
  return run(LDAPSEARCH, ['-LLL', '-x', '-H', target.url, '-D', target.searchBindDn, '-w', target.searchBindPassword, ...args], { timeoutMs });
}

/** The entries in ldapsearch's LDIF output. */
export const entryCount = (ldif: string): number => ldif.split('\n').filter((l) => /^dn::? /i.test(l)).length;

/**
 * Runs one search and asserts it returns exactly `expect` entries carrying
 * attribute `mustHave`. Returns the attribute names seen (to compare payloads).
 */
export async function assertSearch(target: Target, base: string, filter: string, expect: number, mustHave: string): Promise<string[]> {
  const r = await searchAs(target, ['-o', 'ldif-wrap=no', '-b', base, '-s', 'sub', filter], 15000);
  if (r.timedOut || r.code !== 0) {
    throw new BenchError(
      `sanity check failed on ${target.label}: ldapsearch ${filter} ` + `${r.timedOut ? 'timed out' : `exited ${r.code}`}\n${r.stdout}${r.stderr}`.trimEnd(),
    );
  }
  const dns = entryCount(r.stdout);
  const attr = new RegExp(`^${mustHave}::? `, 'im');
  if (dns !== expect || (expect > 0 && !attr.test(r.stdout))) {
    throw new BenchError(
      `sanity check failed on ${target.label}: search ${filter} under ${base} returned ${dns} ` +
        `entries (expected ${expect}, each with ${mustHave})\n${r.stdout}`.trimEnd(),
    );
  }
  const names = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^([A-Za-z][\w;-]*)::? /.exec(line);
    if (m && m[1].toLowerCase() !== 'dn') names.add(m[1]);
  }
  return [...names];
}

/** Asserts a simple bind with the right password works and one with a wrong password is refused (49). */
export async function assertBind(target: Target, dn: string, password: string): Promise<void> {
  const ok = await run(LDAPWHOAMI, ['-x', '-H', target.url, '-D', dn, '-w', password], { timeoutMs: 15000 });
  if (ok.timedOut || ok.code !== 0) {
    throw new BenchError(
      `sanity check failed on ${target.label}: bind as ${dn} ` + `${ok.timedOut ? 'timed out' : `exited ${ok.code}`}\n${ok.stdout}${ok.stderr}`.trimEnd(),
    );
  }
  const bad = await run(LDAPWHOAMI, ['-x', '-H', target.url, '-D', dn, '-w', `${password}-wrong`], { timeoutMs: 15000 });
  if (bad.code !== 49) {
    throw new BenchError(
      `sanity check failed on ${target.label}: bind as ${dn} with a wrong password gave ` +
        `exit ${bad.code} (expected 49, invalidCredentials)\n${bad.stdout}${bad.stderr}`.trimEnd(),
    );
  }
}
