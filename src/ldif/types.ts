/** One attribute of an LDIF record: the name as written (options such as `;binary` kept), values as UTF-8 text. */
export interface LdifAttribute {
  name: string;
  values: string[];
}

/** One `add:` / `delete:` / `replace:` / `increment:` block of a `changetype: modify` record. */
export interface LdifModification {
  operation: 'add' | 'delete' | 'replace' | 'increment';
  attribute: string;
  values: string[];
}

/** A `control:` line of a change record. */
export interface LdifControl {
  oid: string;
  critical: boolean;
  value?: string;
}

/** A parsed LDIF record; `line` is the 1-based line number of its `dn:` line. */
export type LdifRecord =
  | { kind: 'content'; dn: string; line: number; attributes: LdifAttribute[] }
  | { kind: 'add'; dn: string; line: number; attributes: LdifAttribute[]; controls: LdifControl[] }
  | { kind: 'delete'; dn: string; line: number; controls: LdifControl[] }
  | { kind: 'modify'; dn: string; line: number; changes: LdifModification[]; controls: LdifControl[] }
  | {
      kind: 'modrdn';
      dn: string;
      line: number;
      newRdn: string;
      deleteOldRdn: boolean;
      newSuperior?: string;
      controls: LdifControl[];
    };

/** A syntax error in LDIF input. `new LdifError('bad base64', 12).message` is `"line 12: bad base64"`. */
export class LdifError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'LdifError';
  }
}
