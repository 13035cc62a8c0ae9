/**
 * The resolved schema: attribute types with their SUP chains and effective
 * matching rules, object classes with inherited MUST/MAY, and the builtin
 * syntaxes and matching rules the server implements.
 */
import { parseMatchingRule, parseSyntax } from './parse';
import { renderAttributeType, renderMatchingRule, renderObjectClass, renderSyntax } from './render';
import { AttributeTypeDef, MatchingRuleDef, ObjectClassDef, SchemaDefinition, SchemaFileContents, SyntaxDef } from './types';

export interface AttributeType extends AttributeTypeDef {
  /** The first NAME as written (e.g. 'givenName'), or the OID if it has none. */
  name: string;
  /** name.toLowerCase(): the canonical key Cairn stores and compares with. */
  key: string;
  /** Effective rules, inherited through SUP when not set, as the rule's canonical NAME. */
  equality?: string;
  ordering?: string;
  substr?: string;
  /** Effective syntax OID, inherited through SUP when not set. */
  syntax?: string;
  /** usage !== 'userApplications' */
  operational: boolean;
  /** [self, parent, grandparent, ...] */
  supChain: AttributeType[];
  /** The definition exactly as parsed, for publishing in cn=subschema. */
  def: AttributeTypeDef;
}

export interface ObjectClass extends ObjectClassDef {
  name: string;
  key: string;
  /** Transitive superclasses, nearest first, self excluded. A class without SUP is treated as a subclass of top. */
  superclasses: ObjectClass[];
  /** Attribute keys required by this class and its superclasses. */
  allMust: Set<string>;
  /** Attribute keys allowed by this class and its superclasses, minus those in allMust. */
  allMay: Set<string>;
  def: ObjectClassDef;
}

export interface MatchingRule extends MatchingRuleDef {
  name: string;
  key: string;
}

export interface NamedSchemaFile {
  /** File name, used in error messages. */
  name: string;
  contents: SchemaFileContents;
}

export interface SubschemaValues {
  attributeTypes: string[];
  objectClasses: string[];
  ldapSyntaxes: string[];
  matchingRules: string[];
}

export class SchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaError';
  }
}

const SUBSTRING_ASSERTION = '1.3.6.1.4.1.1466.115.121.1.58';
const TOP_OID = '2.5.6.0';

/**
 * RFC 4517 syntaxes (plus RFC 4523 X.509, RFC 4530 UUID and the RFC 2252 Audio/Binary still used by RFC 1274/2798),
 * and the older syntaxes that OpenLDAP's stock schema files name (RFC 1274 quality, RFC 2252 presentation address
 * and protocol information, RFC 2307 NIS, OpenLDAP authz), so those files load.
 */
export const BUILTIN_SYNTAXES: readonly SyntaxDef[] = [
  "( 1.3.6.1.4.1.1466.115.121.1.3 DESC 'Attribute Type Description' )",
  "( 1.3.6.1.4.1.1466.115.121.1.4 DESC 'Audio' X-NOT-HUMAN-READABLE 'TRUE' )",
  "( 1.3.6.1.4.1.1466.115.121.1.5 DESC 'Binary' X-NOT-HUMAN-READABLE 'TRUE' )",
  "( 1.3.6.1.4.1.1466.115.121.1.6 DESC 'Bit String' )",
  "( 1.3.6.1.4.1.1466.115.121.1.7 DESC 'Boolean' )",
  "( 1.3.6.1.4.1.1466.115.121.1.8 DESC 'X.509 Certificate' X-BINARY-TRANSFER-REQUIRED 'TRUE' X-NOT-HUMAN-READABLE 'TRUE' )",
  "( 1.3.6.1.4.1.1466.115.121.1.9 DESC 'X.509 Certificate List' X-BINARY-TRANSFER-REQUIRED 'TRUE' X-NOT-HUMAN-READABLE 'TRUE' )",
  "( 1.3.6.1.4.1.1466.115.121.1.10 DESC 'X.509 Certificate Pair' X-BINARY-TRANSFER-REQUIRED 'TRUE' X-NOT-HUMAN-READABLE 'TRUE' )",
  "( 1.3.6.1.4.1.1466.115.121.1.11 DESC 'Country String' )",
  "( 1.3.6.1.4.1.1466.115.121.1.12 DESC 'DN' )",
  "( 1.3.6.1.4.1.1466.115.121.1.13 DESC 'Data Quality' )",
  "( 1.3.6.1.4.1.1466.115.121.1.14 DESC 'Delivery Method' )",
  "( 1.3.6.1.4.1.1466.115.121.1.15 DESC 'Directory String' )",
  "( 1.3.6.1.4.1.1466.115.121.1.16 DESC 'DIT Content Rule Description' )",
  "( 1.3.6.1.4.1.1466.115.121.1.17 DESC 'DIT Structure Rule Description' )",
  "( 1.3.6.1.4.1.1466.115.121.1.19 DESC 'DSA Quality' )",
  "( 1.3.6.1.4.1.1466.115.121.1.21 DESC 'Enhanced Guide' )",
  "( 1.3.6.1.4.1.1466.115.121.1.22 DESC 'Facsimile Telephone Number' )",
  "( 1.3.6.1.4.1.1466.115.121.1.23 DESC 'Fax' X-NOT-HUMAN-READABLE 'TRUE' )",
  "( 1.3.6.1.4.1.1466.115.121.1.24 DESC 'Generalized Time' )",
  "( 1.3.6.1.4.1.1466.115.121.1.25 DESC 'Guide' )",
  "( 1.3.6.1.4.1.1466.115.121.1.26 DESC 'IA5 String' )",
  "( 1.3.6.1.4.1.1466.115.121.1.27 DESC 'INTEGER' )",
  "( 1.3.6.1.4.1.1466.115.121.1.28 DESC 'JPEG' X-NOT-HUMAN-READABLE 'TRUE' )",
  "( 1.3.6.1.4.1.1466.115.121.1.30 DESC 'Matching Rule Description' )",
  "( 1.3.6.1.4.1.1466.115.121.1.31 DESC 'Matching Rule Use Description' )",
  "( 1.3.6.1.4.1.1466.115.121.1.34 DESC 'Name And Optional UID' )",
  "( 1.3.6.1.4.1.1466.115.121.1.35 DESC 'Name Form Description' )",
  "( 1.3.6.1.4.1.1466.115.121.1.36 DESC 'Numeric String' )",
  "( 1.3.6.1.4.1.1466.115.121.1.37 DESC 'Object Class Description' )",
  "( 1.3.6.1.4.1.1466.115.121.1.38 DESC 'OID' )",
  "( 1.3.6.1.4.1.1466.115.121.1.39 DESC 'Other Mailbox' )",
  "( 1.3.6.1.4.1.1466.115.121.1.40 DESC 'Octet String' )",
  "( 1.3.6.1.4.1.1466.115.121.1.41 DESC 'Postal Address' )",
  "( 1.3.6.1.4.1.1466.115.121.1.42 DESC 'Protocol Information' )",
  "( 1.3.6.1.4.1.1466.115.121.1.43 DESC 'Presentation Address' )",
  "( 1.3.6.1.4.1.1466.115.121.1.44 DESC 'Printable String' )",
  "( 1.3.6.1.4.1.1466.115.121.1.49 DESC 'X.509 Supported Algorithm' X-BINARY-TRANSFER-REQUIRED 'TRUE' X-NOT-HUMAN-READABLE 'TRUE' )",
  "( 1.3.6.1.4.1.1466.115.121.1.50 DESC 'Telephone Number' )",
  "( 1.3.6.1.4.1.1466.115.121.1.51 DESC 'Teletex Terminal Identifier' )",
  "( 1.3.6.1.4.1.1466.115.121.1.52 DESC 'Telex Number' )",
  "( 1.3.6.1.4.1.1466.115.121.1.54 DESC 'LDAP Syntax Description' )",
  "( 1.3.6.1.4.1.1466.115.121.1.58 DESC 'Substring Assertion' )",
  "( 1.3.6.1.1.15.1 DESC 'X.509 Certificate Exact Assertion' )",
  "( 1.3.6.1.1.16.1 DESC 'UUID' )",
  "( 1.3.6.1.1.1.0.0 DESC 'RFC2307 NIS Netgroup Triple' )",
  "( 1.3.6.1.1.1.0.1 DESC 'RFC2307 Boot Parameter' )",
  "( 1.3.6.1.4.1.4203.666.2.7 DESC 'OpenLDAP authz' )",
].map((s) => parseSyntax(s));

/**
 * RFC 4517 matching rules, plus RFC 4523 certificateExactMatch, RFC 4530 UUID rules and the rules OpenLDAP's stock
 * schema files name that RFC 4517 does not: caseExactIA5SubstringsMatch (OpenLDAP's OID), X.520's
 * octetStringSubstringsMatch, presentationAddressMatch and protocolInformationMatch, and OpenLDAP's authzMatch.
 * Substrings rules take the Substring Assertion syntax here, as RFC 4517 gives them.
 */
export const BUILTIN_MATCHING_RULES: readonly MatchingRuleDef[] = [
  "( 2.5.13.0 NAME 'objectIdentifierMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 )",
  "( 2.5.13.1 NAME 'distinguishedNameMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )",
  "( 2.5.13.2 NAME 'caseIgnoreMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
  "( 2.5.13.3 NAME 'caseIgnoreOrderingMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
  "( 2.5.13.4 NAME 'caseIgnoreSubstringsMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )",
  "( 2.5.13.5 NAME 'caseExactMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
  "( 2.5.13.6 NAME 'caseExactOrderingMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
  "( 2.5.13.7 NAME 'caseExactSubstringsMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )",
  "( 2.5.13.8 NAME 'numericStringMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.36 )",
  "( 2.5.13.9 NAME 'numericStringOrderingMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.36 )",
  "( 2.5.13.10 NAME 'numericStringSubstringsMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )",
  "( 2.5.13.11 NAME 'caseIgnoreListMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.41 )",
  "( 2.5.13.12 NAME 'caseIgnoreListSubstringsMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )",
  "( 2.5.13.13 NAME 'booleanMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 )",
  "( 2.5.13.14 NAME 'integerMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 )",
  "( 2.5.13.15 NAME 'integerOrderingMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 )",
  "( 2.5.13.16 NAME 'bitStringMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.6 )",
  "( 2.5.13.17 NAME 'octetStringMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )",
  "( 2.5.13.18 NAME 'octetStringOrderingMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )",
  "( 2.5.13.19 NAME 'octetStringSubstringsMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )",
  "( 2.5.13.20 NAME 'telephoneNumberMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.50 )",
  "( 2.5.13.21 NAME 'telephoneNumberSubstringsMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )",
  "( 2.5.13.22 NAME 'presentationAddressMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.43 )",
  "( 2.5.13.23 NAME 'uniqueMemberMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.34 )",
  "( 2.5.13.24 NAME 'protocolInformationMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.42 )",
  "( 2.5.13.27 NAME 'generalizedTimeMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 )",
  "( 2.5.13.28 NAME 'generalizedTimeOrderingMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.24 )",
  "( 2.5.13.29 NAME 'integerFirstComponentMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 )",
  "( 2.5.13.30 NAME 'objectIdentifierFirstComponentMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.38 )",
  "( 2.5.13.31 NAME 'directoryStringFirstComponentMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
  "( 2.5.13.32 NAME 'wordMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
  "( 2.5.13.33 NAME 'keywordMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )",
  "( 2.5.13.34 NAME 'certificateExactMatch' SYNTAX 1.3.6.1.1.15.1 )",
  "( 1.3.6.1.4.1.1466.109.114.1 NAME 'caseExactIA5Match' SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 )",
  "( 1.3.6.1.4.1.1466.109.114.2 NAME 'caseIgnoreIA5Match' SYNTAX 1.3.6.1.4.1.1466.115.121.1.26 )",
  "( 1.3.6.1.4.1.1466.109.114.3 NAME 'caseIgnoreIA5SubstringsMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )",
  "( 1.3.6.1.4.1.4203.1.2.1 NAME 'caseExactIA5SubstringsMatch' SYNTAX 1.3.6.1.4.1.1466.115.121.1.58 )",
  "( 1.3.6.1.4.1.4203.666.4.1 NAME 'authzMatch' SYNTAX 1.3.6.1.4.1.4203.666.2.7 )",
  "( 1.3.6.1.1.16.2 NAME 'uuidMatch' SYNTAX 1.3.6.1.1.16.1 )",
  "( 1.3.6.1.1.16.3 NAME 'uuidOrderingMatch' SYNTAX 1.3.6.1.1.16.1 )",
].map((s) => parseMatchingRule(s));

interface Sourced<T> {
  def: T;
  source: string;
}

function label(kind: string, def: { oid: string; names?: string[] }): string {
  return def.names && def.names.length > 0 ? `${kind} '${def.names[0]}' (${def.oid})` : `${kind} ${def.oid}`;
}

function stripOptions(attributeDescription: string): string {
  const semi = attributeDescription.indexOf(';');
  return (semi < 0 ? attributeDescription : attributeDescription.slice(0, semi)).trim().toLowerCase();
}

export class Schema {
  private readonly oidOwners = new Map<string, string>();
  /** For each name index, who claimed each name (for error messages). */
  private readonly nameOwners = new Map<Map<string, unknown>, Map<string, string>>();
  private readonly syntaxIndex = new Map<string, SyntaxDef>();
  private readonly ruleIndex = new Map<string, MatchingRule>();
  private readonly attrIndex = new Map<string, AttributeType>();
  private readonly classIndex = new Map<string, ObjectClass>();
  private readonly syntaxList: SyntaxDef[] = [];
  private readonly ruleList: MatchingRule[] = [];
  private readonly attrList: AttributeType[] = [];
  private readonly classList: ObjectClass[] = [];
  private readonly subtypeCache = new Map<string, AttributeType[]>();
  private subschemaCache?: SubschemaValues;

  /** Builds the schema; definitions may refer to ones in any of the files. Throws SchemaError. */
  constructor(files: ReadonlyArray<SchemaFileContents | NamedSchemaFile>) {
    const named = files.map((f, i): NamedSchemaFile => ('contents' in f ? f : { name: `schema file #${i + 1}`, contents: f }));
    const each = <T extends SchemaDefinition>(pick: (c: SchemaFileContents) => T[]): Sourced<T>[] =>
      named.flatMap((f) =>
        pick(f.contents).map((def) => {
          const line = f.contents.lines?.get(def);
          return { def, source: line === undefined ? f.name : `${f.name}:${line}` };
        }),
      );

    for (const def of BUILTIN_SYNTAXES) this.addSyntax({ def, source: '<builtin>' });
    for (const s of each((c) => c.syntaxes)) this.addSyntax(s);
    for (const def of BUILTIN_MATCHING_RULES) this.addRule({ def, source: '<builtin>' });
    for (const r of each((c) => c.matchingRules)) this.addRule(r);
    this.addAttributeTypes(each((c) => c.attributeTypes));
    this.addObjectClasses(each((c) => c.objectClasses));
  }

  /** By any NAME or the OID, case-insensitively; attribute options (';lang-en', ';binary') are ignored. */
  attributeType(nameOrOid: string): AttributeType | undefined {
    return this.attrIndex.get(stripOptions(nameOrOid));
  }

  objectClass(nameOrOid: string): ObjectClass | undefined {
    return this.classIndex.get(nameOrOid.trim().toLowerCase());
  }

  matchingRule(nameOrOid: string): MatchingRule | undefined {
    return this.ruleIndex.get(nameOrOid.trim().toLowerCase());
  }

  syntax(oid: string): SyntaxDef | undefined {
    return this.syntaxIndex.get(oid.trim());
  }

  /** In load order. */
  attributeTypes(): AttributeType[] {
    return [...this.attrList];
  }

  objectClasses(): ObjectClass[] {
    return [...this.classList];
  }

  matchingRules(): MatchingRule[] {
    return [...this.ruleList];
  }

  ldapSyntaxes(): SyntaxDef[] {
    return [...this.syntaxList];
  }

  /** True if attr is the attribute type named by ancestor (key, name or OID) or derives from it. */
  isSubtypeOf(attr: AttributeType, ancestor: string): boolean {
    const target = this.attributeType(ancestor);
    return target !== undefined && attr.supChain.includes(target);
  }

  /** All attribute types whose SUP chain includes the one named (itself included); [] if unknown. */
  subtypes(key: string): AttributeType[] {
    const target = this.attributeType(key);
    if (!target) return [];
    let list = this.subtypeCache.get(target.key);
    if (!list) {
      list = this.attrList.filter((a) => a.supChain.includes(target));
      this.subtypeCache.set(target.key, list);
    }
    return [...list];
  }

  /** The values of cn=subschema's attributeTypes, objectClasses, ldapSyntaxes and matchingRules; do not mutate. */
  subschemaValues(): SubschemaValues {
    if (!this.subschemaCache) {
      const freeze = (values: string[]): string[] => Object.freeze(values) as string[];
      this.subschemaCache = Object.freeze({
        attributeTypes: freeze(this.attrList.map((a) => renderAttributeType(a.def))),
        objectClasses: freeze(this.classList.map((c) => renderObjectClass(c.def))),
        ldapSyntaxes: freeze(this.syntaxList.map(renderSyntax)),
        matchingRules: freeze(this.ruleList.map((r) => renderMatchingRule(r))),
      });
    }
    return this.subschemaCache;
  }

  private claimOid(oid: string, what: string, source: string): void {
    const owner = this.oidOwners.get(oid);
    if (owner) throw new SchemaError(`${source}: ${what}: OID ${oid} is already used by ${owner}`);
    this.oidOwners.set(oid, `${what} in ${source}`);
  }

  private claimNames<T>(index: Map<string, T>, value: T, names: string[], oid: string, what: string, source: string): void {
    for (const key of [...names.map((n) => n.toLowerCase()), oid]) {
      if (index.has(key)) {
        const owner = this.nameOwners.get(index)?.get(key);
        throw new SchemaError(`${source}: ${what}: the name '${key}' is already defined${owner ? ` by ${owner}` : ''}`);
      }
      index.set(key, value);
      let owners = this.nameOwners.get(index);
      if (!owners) this.nameOwners.set(index, (owners = new Map<string, string>()));
      owners.set(key, `${what} in ${source}`);
    }
  }

  private addSyntax({ def, source }: Sourced<SyntaxDef>): void {
    this.claimOid(def.oid, label('ldapSyntax', def), source);
    this.syntaxIndex.set(def.oid, def);
    this.syntaxList.push(def);
  }

  private addRule({ def, source }: Sourced<MatchingRuleDef>): void {
    const what = label('matchingRule', def);
    this.claimOid(def.oid, what, source);
    if (!this.syntaxIndex.has(def.syntax)) throw new SchemaError(`${source}: ${what}: unknown syntax ${def.syntax}`);
    const name = def.names[0] ?? def.oid;
    const rule: MatchingRule = { ...def, name, key: name.toLowerCase() };
    this.claimNames(this.ruleIndex, rule, def.names, def.oid, what, source);
    this.ruleList.push(rule);
  }

  private addAttributeTypes(items: Sourced<AttributeTypeDef>[]): void {
    const pending = new Map<string, Sourced<AttributeTypeDef>>();
    for (const item of items) {
      const what = label('attributeType', item.def);
      this.claimOid(item.def.oid, what, item.source);
      this.claimNames(pending, item, item.def.names, item.def.oid, what, item.source);
    }
    const resolved = new Map<Sourced<AttributeTypeDef>, AttributeType>();
    const resolving = new Set<Sourced<AttributeTypeDef>>();

    const resolve = (item: Sourced<AttributeTypeDef>): AttributeType => {
      const done = resolved.get(item);
      if (done) return done;
      const { def, source } = item;
      const fail = (msg: string): never => {
        throw new SchemaError(`${source}: ${label('attributeType', def)}: ${msg}`);
      };
      if (resolving.has(item)) fail('its SUP chain is circular');
      resolving.add(item);

      let parent: AttributeType | undefined;
      if (def.sup !== undefined) {
        const sup = pending.get(def.sup.toLowerCase());
        if (!sup) return fail(`SUP '${def.sup}' is not a known attribute type`);
        parent = resolve(sup);
        if (parent.usage !== def.usage) fail(`USAGE ${def.usage} differs from its SUP's ${parent.usage}`);
        if (parent.collective && !def.collective) fail('the SUP is COLLECTIVE, so this must be too');
      }
      const rule = (field: string, value: string | undefined, substrings: boolean): string | undefined => {
        if (value === undefined) return undefined;
        const mr = this.matchingRule(value);
        if (!mr) return fail(`${field} '${value}' is not a known matching rule`);
        if ((mr.syntax === SUBSTRING_ASSERTION) !== substrings) {
          fail(`${field} '${value}' is ${substrings ? 'not ' : ''}a substrings matching rule`);
        }
        return mr.name;
      };
      if (def.syntax !== undefined && !this.syntaxIndex.has(def.syntax)) fail(`SYNTAX ${def.syntax} is not a known syntax`);

      const name = def.names[0] ?? def.oid;
      const at: AttributeType = {
        ...def,
        name,
        key: name.toLowerCase(),
        equality: rule('EQUALITY', def.equality, false) ?? parent?.equality,
        ordering: rule('ORDERING', def.ordering, false) ?? parent?.ordering,
        substr: rule('SUBSTR', def.substr, true) ?? parent?.substr,
        syntax: def.syntax ?? parent?.syntax,
        operational: def.usage !== 'userApplications',
        supChain: [],
        def,
      };
      at.supChain = [at, ...(parent ? parent.supChain : [])];
      resolving.delete(item);
      resolved.set(item, at);
      return at;
    };

    for (const item of items) this.attrList.push(resolve(item));
    for (const [key, item] of pending) this.attrIndex.set(key, resolve(item));
  }

  private addObjectClasses(items: Sourced<ObjectClassDef>[]): void {
    const pending = new Map<string, Sourced<ObjectClassDef>>();
    for (const item of items) {
      const what = label('objectClass', item.def);
      this.claimOid(item.def.oid, what, item.source);
      this.claimNames(pending, item, item.def.names, item.def.oid, what, item.source);
    }
    const top = pending.get(TOP_OID);
    const resolved = new Map<Sourced<ObjectClassDef>, ObjectClass>();
    const resolving = new Set<Sourced<ObjectClassDef>>();

    const resolve = (item: Sourced<ObjectClassDef>): ObjectClass => {
      const done = resolved.get(item);
      if (done) return done;
      const { def, source } = item;
      const fail = (msg: string): never => {
        throw new SchemaError(`${source}: ${label('objectClass', def)}: ${msg}`);
      };
      if (resolving.has(item)) fail('its SUP chain is circular');
      resolving.add(item);

      const supItems = def.sup.map((s) => pending.get(s.toLowerCase()) ?? fail(`SUP '${s}' is not a known object class`));
      if (supItems.length === 0 && top && item !== top) supItems.push(top);
      const parents = supItems.map(resolve);
      for (const p of parents) {
        const ok = p.kind === 'ABSTRACT' || (def.kind !== 'ABSTRACT' && p.kind === def.kind);
        if (!ok) fail(`a ${def.kind} class cannot have the ${p.kind} superclass '${p.name}'`);
      }
      const attrKeys = (field: string, list: string[]): string[] =>
        list.map((n) => this.attributeType(n)?.key ?? fail(`${field} '${n}' is not a known attribute type`));

      const allMust = new Set(attrKeys('MUST', def.must));
      const allMay = new Set(attrKeys('MAY', def.may));
      const superclasses: ObjectClass[] = [];
      for (const c of [...parents, ...parents.flatMap((p) => p.superclasses)]) {
        if (!superclasses.includes(c)) superclasses.push(c);
      }
      for (const p of parents) {
        p.allMust.forEach((k) => allMust.add(k));
        p.allMay.forEach((k) => allMay.add(k));
      }
      allMust.forEach((k) => allMay.delete(k));

      const name = def.names[0] ?? def.oid;
      const oc: ObjectClass = { ...def, name, key: name.toLowerCase(), superclasses, allMust, allMay, def };
      resolving.delete(item);
      resolved.set(item, oc);
      return oc;
    };

    for (const item of items) this.classList.push(resolve(item));
    for (const [key, item] of pending) this.classIndex.set(key, resolve(item));
  }
}
