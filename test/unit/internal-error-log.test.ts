import { expect } from 'chai';
import { Operations } from '../../src/wire/operations';
import type { Connection } from '../../src/wire/connection';
import type { Directory } from '../../src/directory/directory';
import type { LdapRequest, LdapResponse } from '../../src/wire/protocol/types';
import { ANONYMOUS } from '../../src/directory/identity';

/** An unexpected failure answers 80 without internals, and is logged at level error with the operation. */
describe('internal errors', () => {
  it('are logged at level error with the operation, and answered "internal server error"', async () => {
    const info: string[] = [];
    const errors: { event: string; fields: Record<string, unknown> }[] = [];
    const directory = {
      accounts: { checkAllowed: () => undefined },
      search: async () => {
        throw new Error('disk on fire');
      },
    } as unknown as Directory;
    const ops = new Operations({
      directory,
      allowCleartextBind: true,
      logsOperations: false,
      log: (event) => info.push(event),
      logError: (event, fields) => errors.push({ event, fields }),
    });
    const sent: LdapResponse[] = [];
    const conn = {
      id: 7,
      peer: '127.0.0.1:5000',
      identity: ANONYMOUS,
      isClosed: false,
      operation: () => undefined,
      send: async (r: LdapResponse) => {
        sent.push(r);
      },
    } as unknown as Connection;
    const req = {
      messageId: 3,
      controls: [],
      protocolOp: {
        op: 'search',
        baseObject: 'dc=example,dc=com',
        scope: 'sub',
        derefAliases: 0,
        sizeLimit: 0,
        timeLimit: 0,
        typesOnly: false,
        filter: { type: 'present', attribute: 'objectClass' },
        attributes: [],
      },
    } as unknown as LdapRequest;
    await ops.handle(conn, req);
    expect(errors).to.have.length(1);
    expect(errors[0].event).to.equal('internal error');
    expect(errors[0].fields).to.include({ conn: 7, msgid: 3, op: 'search', dn: 'dc=example,dc=com' });
    expect(String(errors[0].fields.error)).to.contain('disk on fire');
    const done = sent[0].protocolOp as { resultCode: number; diagnosticMessage?: string };
    expect(done.resultCode).to.equal(80);
    expect(done.diagnosticMessage).to.equal('internal server error');
  });
});
