import type { Logger } from '../log';
import { asLdapError } from './errors';
import { identityDN, type Identity } from './identity';

export interface AuditRecord {
  op: 'add' | 'modify' | 'delete' | 'modifyDN';
  dn: string;
  /** Attribute names only, never values: a password or key must not reach a log. */
  attributes?: string[];
  newDN?: string;
}

/** Every write, allowed or refused, with who asked and the result: one JSON line in the audit log. */
export async function audited<T>(log: Logger, who: Identity, record: AuditRecord, run: () => Promise<T>): Promise<T> {
  const by = who.kind === 'anonymous' ? 'anonymous' : identityDN(who);
  try {
    const result = await run();
    log.info('audit', { who: by, ...record, result: 0 });
    return result;
  } catch (err) {
    const e = asLdapError(err);
    log.info('audit', { who: by, ...record, result: e.resultCode, reason: e.message });
    throw err;
  }
}
