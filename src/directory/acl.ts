import { LdapError } from './errors';
import type { Identity } from './identity';
import { ResultCode } from './result-codes';

/** Every access decision, in one place. The wire and the CLI never decide access themselves. */
export class AccessControl {
  /** Anonymous clients may read only the root DSE and the subschema entry (sssd reads both before binding). */
  checkSearch(who: Identity, base: 'rootDSE' | 'subschema' | 'tree'): void {
    if (who.kind === 'anonymous' && base === 'tree') {
      throw new LdapError(
        ResultCode.insufficientAccessRights,
        'anonymous clients may read only the root DSE and cn=subschema; bind first',
      );
    }
  }

  checkCompare(who: Identity): void {
    this.checkSearch(who, 'tree');
  }

  /** Writes are for administrators (and the CLI) only, until self-service arrives. */
  checkWrite(who: Identity, operation: string, dn: string): void {
    if (who.kind === 'system' || (who.kind === 'user' && who.isAdmin)) return;
    throw new LdapError(
      ResultCode.insufficientAccessRights,
      who.kind === 'anonymous'
        ? `anonymous clients may not ${operation} entries; bind first`
        : `${who.dn} may not ${operation} ${dn}`,
    );
  }
}
