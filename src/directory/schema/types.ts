/** Schema definitions as read from an OpenLDAP-format schema file (RFC 4512 descriptions). */

export type AttributeUsage = 'userApplications' | 'directoryOperation' | 'distributedOperation' | 'dSAOperation';

export interface AttributeTypeDef {
  oid: string;
  names: string[];
  desc?: string;
  obsolete: boolean;
  sup?: string;
  equality?: string;
  ordering?: string;
  substr?: string;
  /** Syntax OID without the length bound. */
  syntax?: string;
  syntaxLength?: number;
  singleValue: boolean;
  collective: boolean;
  noUserModification: boolean;
  usage: AttributeUsage;
  /** X-ORIGIN and other X- extensions, values without quotes. */
  extensions: Record<string, string[]>;
}

export type ObjectClassKind = 'ABSTRACT' | 'STRUCTURAL' | 'AUXILIARY';

export interface ObjectClassDef {
  oid: string;
  names: string[];
  desc?: string;
  obsolete: boolean;
  sup: string[];
  kind: ObjectClassKind;
  must: string[];
  may: string[];
  extensions: Record<string, string[]>;
}

export interface SyntaxDef {
  oid: string;
  desc?: string;
  extensions: Record<string, string[]>;
}

export interface MatchingRuleDef {
  oid: string;
  names: string[];
  desc?: string;
  obsolete: boolean;
  syntax: string;
}

export type SchemaDefinition = AttributeTypeDef | ObjectClassDef | SyntaxDef | MatchingRuleDef;

/** Everything one schema file defines, in file order. */
export interface SchemaFileContents {
  attributeTypes: AttributeTypeDef[];
  objectClasses: ObjectClassDef[];
  syntaxes: SyntaxDef[];
  matchingRules: MatchingRuleDef[];
  /** The line each definition starts on, when parsed from a file (for error messages). */
  lines?: Map<SchemaDefinition, number>;
}
