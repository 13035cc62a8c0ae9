import { SYSTEM } from '../../directory/identity';
import type { Directory } from '../../directory/directory';
import { EntryView } from '../../directory/entry-view';
import { LdapError } from '../../directory/errors';
import { ResultCode } from '../../directory/result-codes';

/** Makes an existing entry an administrator of Cairn: a member of cn=admins,ou=groups (no-op if it is one). */
export async function makeAdministrator(d: Directory, dn: string): Promise<void> {
  const norm = d.ctx.norm;
  const target = norm.normalizeDN(dn);
  if (!(await d.ctx.store.entryByNdn(target.ndn))) throw new LdapError(ResultCode.noSuchObject, `--admin ${dn}: no such entry (it must be in the file or exist already)`);
  const adminsDn = `cn=admins,ou=groups,${d.namingContext}`;
  const admins = await d.ctx.store.entryByNdn(norm.normalizeDN(adminsDn).ndn);
  if (!admins) throw new LdapError(ResultCode.noSuchObject, `--admin ${dn}: there is no ${adminsDn}`);
  const members = new EntryView(admins.dn, admins.attributes, norm).values('member');
  if (members.some((m) => norm.normalizeDN(m).ndn === target.ndn)) return;
  await d.modify(SYSTEM, admins.dn, [{ operation: 'add', modification: { type: 'member', values: [dn] } }]);
}
