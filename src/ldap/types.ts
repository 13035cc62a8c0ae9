/**
 * The LDAP data model (RFC 4511) that the wire decodes into and the directory works on: neither layer
 * owns these shapes, both import them from here. Values are strings in the bytes convention of src/bytes.ts.
 */

export type Scope = 'base' | 'one' | 'sub' | 'children';

export interface AttributeValues {
  type: string;
  values: string[];
}

export type ModifyOperation = 'add' | 'delete' | 'replace' | 'increment';

export interface Change {
  operation: ModifyOperation;
  modification: AttributeValues;
}
