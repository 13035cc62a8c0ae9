import type { Directory } from '../../directory/directory';
import { LdapError } from '../../directory/errors';
import { ResultCode } from '../../ldap/result-codes';
import { makeAdministrator } from '../../directory/lookup';

/** `import --admin DN`: the imported (or existing) entry becomes a member of cn=admins (no-op if it is one). */
export async function makeImportedAdministrator(d: Directory, dn: string): Promise<void> {
  if (!(await d.storedEntry(d.norm.normalizeDN(dn).ndn))) {
    throw new LdapError(ResultCode.noSuchObject, `--admin ${dn}: no such entry (it must be in the file or exist already)`);
  }
  await makeAdministrator(d, dn);
}
