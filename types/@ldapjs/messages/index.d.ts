// Minimal declarations for the untyped @ldapjs/messages 1.x (used by Cairn's protocol tests).
declare module '@ldapjs/messages' {
  import type { BerReader } from '@ldapjs/asn1';

  /** An instance of an @ldapjs/controls control class. */
  export interface LdapjsControl {
    type: string;
    criticality: boolean;
    value: unknown;
  }

  /** An instance of an @ldapjs/filter filter class. */
  export interface LdapjsFilter {
    toString(): string;
    toBer(): BerReader;
  }

  export interface AttributeLike {
    type: string;
    values: Array<string | Buffer>;
  }

  export interface ChangeLike {
    operation: 'add' | 'delete' | 'replace' | number;
    modification: AttributeLike;
  }

  export interface MessageOptions {
    messageId?: number;
    controls?: LdapjsControl[];
  }

  export class LdapMessage {
    constructor(options?: MessageOptions);
    readonly id: number;
    readonly messageId: number;
    readonly protocolOp: number;
    readonly type: string;
    readonly controls: LdapjsControl[];
    readonly pojo: Record<string, unknown>;
    toBer(): BerReader;
    static parse(ber: BerReader): LdapMessage;
  }

  export interface ResultOptions extends MessageOptions {
    status?: number;
    matchedDN?: string;
    diagnosticMessage?: string;
    referrals?: string[];
  }

  export class LdapResult extends LdapMessage {
    constructor(options?: ResultOptions);
    readonly status: number;
    readonly matchedDN: string;
    readonly diagnosticMessage: string;
    readonly referrals: string[];
  }

  export class AbandonRequest extends LdapMessage {
    constructor(options?: MessageOptions & { abandonId?: number });
    readonly abandonId: number;
  }
  export class AddRequest extends LdapMessage {
    constructor(options?: MessageOptions & { entry?: string; attributes?: AttributeLike[] });
  }
  export class BindRequest extends LdapMessage {
    constructor(options?: MessageOptions & { version?: number; name?: string; credentials?: string });
  }
  export class CompareRequest extends LdapMessage {
    constructor(options?: MessageOptions & { entry?: string; attribute?: string; value?: string });
  }
  export class DeleteRequest extends LdapMessage {
    constructor(options?: MessageOptions & { entry?: string });
  }
  export class ExtensionRequest extends LdapMessage {
    constructor(options?: MessageOptions & { requestName?: string; requestValue?: string | Record<string, string> });
  }
  export class ModifyRequest extends LdapMessage {
    constructor(options?: MessageOptions & { object?: string; changes?: ChangeLike[] });
  }
  export class ModifyDnRequest extends LdapMessage {
    constructor(options?: MessageOptions & { entry?: string; newRdn?: string; deleteOldRdn?: boolean; newSuperior?: string });
  }
  export class SearchRequest extends LdapMessage {
    constructor(
      options?: MessageOptions & {
        baseObject?: string;
        scope?: 'base' | 'one' | 'sub' | number;
        derefAliases?: number;
        sizeLimit?: number;
        timeLimit?: number;
        typesOnly?: boolean;
        filter?: LdapjsFilter;
        attributes?: string[];
      },
    );
  }
  export class UnbindRequest extends LdapMessage {
    constructor(options?: MessageOptions);
  }

  export class AddResponse extends LdapResult {}
  export class BindResponse extends LdapResult {}
  export class CompareResponse extends LdapResult {}
  export class DeleteResponse extends LdapResult {}
  export class ExtensionResponse extends LdapResult {
    readonly responseName: string | undefined;
    readonly responseValue: string | undefined;
  }
  export class ModifyResponse extends LdapResult {}
  export class ModifyDnResponse extends LdapResult {}
  export class SearchResultDone extends LdapResult {}
  export class SearchResultEntry extends LdapMessage {
    constructor(options?: MessageOptions & { objectName?: string; attributes?: AttributeLike[] });
  }
  export class SearchResultReference extends LdapMessage {
    readonly uris: string[];
  }
  export class IntermediateResponse extends LdapMessage {
    readonly responseName: string | undefined;
    readonly responseValue: string | undefined;
  }
}
