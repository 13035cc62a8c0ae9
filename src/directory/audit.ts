import type { LogFields, Logger } from '../log';
import { asLdapError } from './errors';
import { identityDN, type Identity } from './identity';

export interface AuditRecord {
  op: 'add' | 'modify' | 'delete' | 'modifyDN';
  dn: string;
  /** Attribute names only, never values: a password or key must not reach a log. */
  attributes?: string[];
  newDN?: string;
}

/** A bulk load, audited as one operation: what it read from (never what it wrote: values stay out of the log). */
export interface BulkAuditRecord {
  op: 'import';
  dn: string;
  file: string;
}

/**
 * The audit log: every write, allowed or refused, with who asked and the result, one JSON line each. A
 * bulk load (an import of a million entries) is one record instead, with its counts.
 */
export class AuditTrail {
  private held = 0;

  constructor(private readonly log: Logger) {}

  private write(who: Identity, fields: LogFields) {
    if (this.held === 0) this.log.info('audit', { who: who.kind === 'anonymous' ? 'anonymous' : identityDN(who), ...fields });
  }

  /** Runs one write and records it with its result. */
  async audited<T>(who: Identity, record: AuditRecord, run: () => Promise<T>): Promise<T> {
    return this.recorded(who, record, run, () => ({}));
  }

  /**
   * Runs a bulk load: the writes inside leave no line each, and one record says what the whole did
   * (`outcome`, counted by the caller) and how it ended. For a process that owns the directory meanwhile
   * (the CLI): other writes in the same process would go unrecorded until it ends.
   */
  async bulk<T>(who: Identity, record: BulkAuditRecord, run: () => Promise<T>, outcome: (result: T) => LogFields): Promise<T> {
    return this.recorded(
      who,
      record,
      async () => {
        this.held++;
        try {
          return await run();
        } finally {
          this.held--;
        }
      },
      outcome,
    );
  }

  private async recorded<T>(who: Identity, record: AuditRecord | BulkAuditRecord, run: () => Promise<T>, outcome: (result: T) => LogFields): Promise<T> {
    try {
      const result = await run();
      this.write(who, { ...record, ...outcome(result), result: 0 });
      return result;
    } catch (err) {
      const e = asLdapError(err);
      this.write(who, { ...record, result: e.resultCode, reason: e.message });
      throw err;
    }
  }
}
