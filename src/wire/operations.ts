import { asLdapError, LdapError, PolicyRefusal } from '../directory/errors';
import { passwordPolicyResponseControl } from './password-policy-control';
import type { PolicyErrorValue } from '../security/policy/types';
import { ANONYMOUS } from '../directory/identity';
import type { Directory } from '../directory/directory';
import { ResultCode } from '../ldap/result-codes';
import { filterToString } from '../directory/filter/to-string';
import type { Connection } from './connection';
import { checkCriticality, findControl, OID, pagedResultsResponse, parsePagedResults } from './controls';
import { extendedOperation } from './extended';
import { cleartextBindAllowed } from './transport-security';
import type { Control, LdapRequest, ProtocolOp, ResponseOp } from './protocol/types';
import type { SecureContext } from 'node:tls';
import { countOperation } from '../metrics/counts';

type Op<K extends ProtocolOp['op']> = Extract<ProtocolOp, { op: K }>;

/** The response type that answers each request type. */
const RESPONSE: Record<string, ResponseOp['op']> = {
  bind: 'bindResponse',
  search: 'searchResultDone',
  modify: 'modifyResponse',
  add: 'addResponse',
  delete: 'delResponse',
  modifyDN: 'modDNResponse',
  compare: 'compareResponse',
  extended: 'extendedResponse',
};

export interface OperationsOptions {
  directory: Directory;
  allowCleartextBind: boolean;
  secureContext?: SecureContext;
  /** Whether operation lines are logged at all: their fields cost time to build. */
  logsOperations: boolean;
  log(event: string, fields: Record<string, unknown>): void;
  /** At level error, whatever the configured level: an internal error (result 80) is always worth a line. */
  logError(event: string, fields: Record<string, unknown>): void;
}

/** Turns each decoded request into directory calls and responses. One entry point: handle(). */
export class Operations {
  constructor(private readonly o: OperationsOptions) {}

  async handle(conn: Connection, req: LdapRequest): Promise<void> {
    const started = process.hrtime.bigint();
    const p = req.protocolOp;
    const fields: Record<string, unknown> = { conn: conn.id, peer: conn.peer, msgid: req.messageId, op: p.op };
    if (p.op === 'unbind') {
      this.o.log('unbind', fields);
      conn.close();
      return;
    }
    if (p.op === 'abandon') {
      const target = conn.operation(p.messageId);
      if (target) target.abandoned = true;
      this.o.log('abandon', { ...fields, target: p.messageId });
      return;
    }
    let controls: Control[] | undefined;
    let result: { resultCode: number; matchedDN?: string; diagnosticMessage?: string } = { resultCode: ResultCode.success };
    let extra: Partial<Extract<ResponseOp, { op: 'extendedResponse' }>> = {};
    let after: (() => void) | undefined;
    try {
      checkCriticality(req.controls, p.op);
      this.o.directory.accounts.checkAllowed(conn.restriction, p);
      switch (p.op) {
        case 'bind':
          controls = await this.bind(conn, req, p, fields);
          break;
        case 'search': {
          const r = await this.search(conn, req, p, fields);
          controls = r.controls;
          break;
        }
        case 'compare': {
          fields.dn = p.entry;
          const match = await this.o.directory.compare(conn.identity, p.entry, p.attribute, p.value);
          result = { resultCode: match ? ResultCode.compareTrue : ResultCode.compareFalse };
          break;
        }
        case 'add':
          fields.dn = p.entry;
          fields.attributes = p.attributes.map((a) => a.type);
          await this.o.directory.add(conn.identity, p.entry, p.attributes);
          break;
        case 'modify':
          fields.dn = p.object;
          fields.attributes = p.changes.map((c) => `${c.operation}:${c.modification.type}`);
          await this.o.directory.modify(conn.identity, p.object, p.changes);
          conn.restriction = this.o.directory.accounts.afterSuccess(conn.restriction, p);
          break;
        case 'delete':
          fields.dn = p.entry;
          await this.o.directory.delete(conn.identity, p.entry);
          break;
        case 'modifyDN':
          fields.dn = p.entry;
          fields.newRDN = p.newRDN;
          if (p.newSuperior !== undefined) fields.newSuperior = p.newSuperior;
          await this.o.directory.modifyDN(conn.identity, p.entry, p.newRDN, p.deleteOldRDN, p.newSuperior);
          break;
        case 'extended': {
          fields.oid = p.name;
          const r = await extendedOperation(conn, p.name, p.value, { secureContext: this.o.secureContext, directory: this.o.directory });
          conn.restriction = this.o.directory.accounts.afterSuccess(conn.restriction, p);
          result = r;
          extra = { responseName: r.responseName, responseValue: r.responseValue };
          after = r.after;
          break;
        }
      }
    } catch (err) {
      const e = asLdapError(err);
      if (!(err instanceof LdapError)) this.o.logError('internal error', { ...fields, error: err instanceof Error ? err.stack : String(err) });
      result = { resultCode: e.resultCode, matchedDN: e.matchedDN, diagnosticMessage: e.message };
      // The password-policy response control, when the client asked for it (as OpenLDAP's ppolicy does).
      if (e instanceof PolicyRefusal && findControl(req.controls, OID.passwordPolicy)) {
        controls = [passwordPolicyResponseControl({ error: e.policyError as PolicyErrorValue })];
      }
    }
    const abandoned = conn.operation(req.messageId)?.abandoned;
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    countOperation(p.op, result.resultCode, ms / 1000);
    fields.result = result.resultCode;
    fields.ms = ms;
    if (result.diagnosticMessage) fields.reason = result.diagnosticMessage;
    this.o.log('operation', fields);
    if (abandoned) return;
    await conn.send({
      messageId: req.messageId,
      protocolOp: { op: RESPONSE[p.op], ...result, ...(p.op === 'extended' ? extra : {}) } as ResponseOp,
      controls,
    });
    after?.();
  }

  private async bind(conn: Connection, req: LdapRequest, p: Op<'bind'>, fields: Record<string, unknown>): Promise<Control[] | undefined> {
    fields.dn = p.name;
    conn.identity = ANONYMOUS;
    conn.restriction = undefined;
    if (p.version !== 3) throw new LdapError(ResultCode.protocolError, `LDAP version ${p.version} is not supported; use version 3`);
    if (p.auth.kind === 'sasl') {
      fields.mechanism = p.auth.mechanism;
      throw new LdapError(ResultCode.authMethodNotSupported, `SASL mechanism ${p.auth.mechanism} is not supported; use a simple bind`);
    }
    if (p.auth.password !== '' && !cleartextBindAllowed(conn, this.o.allowCleartextBind)) {
      throw new LdapError(ResultCode.confidentialityRequired, 'a simple bind with a password needs TLS: use StartTLS or LDAPS');
    }
    let outcome;
    try {
      outcome = await this.o.directory.accounts.authenticate(p.name, p.auth.password, conn.origin);
    } catch (err) {
      conn.restriction = this.o.directory.accounts.restrictionAfterRefusal(p.name, err);
      throw err;
    }
    conn.identity = outcome.identity;
    if (outcome.identity.kind === 'user') conn.authenticated(outcome.identity.ndn);
    conn.restriction = outcome.restriction;
    return outcome.policy && findControl(req.controls, OID.passwordPolicy) ? [passwordPolicyResponseControl(outcome.policy)] : undefined;
  }

  private async search(conn: Connection, req: LdapRequest, p: Op<'search'>, fields: Record<string, unknown>) {
    fields.dn = p.baseObject;
    fields.scope = p.scope;
    if (this.o.logsOperations) fields.filter = filterToString(p.filter);
    const pagedControl = findControl(req.controls, OID.pagedResults);
    const paged = pagedControl ? parsePagedResults(pagedControl) : undefined;
    const op = conn.operation(req.messageId);
    let entries = 0;
    try {
      const outcome = await this.o.directory.search(
        conn.identity,
        {
          baseDN: p.baseObject,
          scope: p.scope,
          filter: p.filter,
          attributes: p.attributes,
          typesOnly: p.typesOnly,
          sizeLimit: p.sizeLimit,
          timeLimit: p.timeLimit,
          paged,
        },
        {
          send: (e) => {
            entries++;
            return conn.send({ messageId: req.messageId, protocolOp: { op: 'searchResultEntry', objectName: e.dn, attributes: e.attributes } });
          },
          isAbandoned: () => conn.isClosed || (op?.abandoned ?? false),
        },
      );
      return { controls: outcome.cookie !== undefined ? [pagedResultsResponse(outcome.cookie)] : undefined };
    } finally {
      fields.entries = entries;
    }
  }
}
