/** Renders schema definitions in the RFC 4512 value form published in cn=subschema. */
import { AttributeTypeDef, MatchingRuleDef, ObjectClassDef, SyntaxDef } from './types';

/** Quotes a qdstring, escaping ' as \27 and \ as \5C (RFC 4512 section 4.1). */
export function quoteQdstring(value: string): string {
  return `'${value.replace(/\\/g, '\\5C').replace(/'/g, '\\27')}'`;
}

function qdstrings(values: string[]): string {
  if (values.length === 1) return quoteQdstring(values[0]);
  return values.length === 0 ? '( )' : `( ${values.map(quoteQdstring).join(' ')} )`;
}

function oids(values: string[]): string {
  return values.length === 1 ? values[0] : `( ${values.join(' $ ')} )`;
}

function common(parts: string[], def: { names: string[]; desc?: string; obsolete: boolean }): void {
  if (def.names.length > 0) parts.push('NAME', qdstrings(def.names));
  if (def.desc !== undefined) parts.push('DESC', quoteQdstring(def.desc));
  if (def.obsolete) parts.push('OBSOLETE');
}

function finish(oid: string, parts: string[], extensions: Record<string, string[]>): string {
  for (const [name, values] of Object.entries(extensions)) parts.push(name, qdstrings(values));
  return `( ${[oid, ...parts].join(' ')} )`;
}

export function renderAttributeType(def: AttributeTypeDef): string {
  const parts: string[] = [];
  common(parts, def);
  if (def.sup !== undefined) parts.push('SUP', def.sup);
  if (def.equality !== undefined) parts.push('EQUALITY', def.equality);
  if (def.ordering !== undefined) parts.push('ORDERING', def.ordering);
  if (def.substr !== undefined) parts.push('SUBSTR', def.substr);
  if (def.syntax !== undefined) parts.push('SYNTAX', def.syntaxLength !== undefined ? `${def.syntax}{${def.syntaxLength}}` : def.syntax);
  if (def.singleValue) parts.push('SINGLE-VALUE');
  if (def.collective) parts.push('COLLECTIVE');
  if (def.noUserModification) parts.push('NO-USER-MODIFICATION');
  if (def.usage !== 'userApplications') parts.push('USAGE', def.usage);
  return finish(def.oid, parts, def.extensions);
}

export function renderObjectClass(def: ObjectClassDef): string {
  const parts: string[] = [];
  common(parts, def);
  if (def.sup.length > 0) parts.push('SUP', oids(def.sup));
  parts.push(def.kind);
  if (def.must.length > 0) parts.push('MUST', oids(def.must));
  if (def.may.length > 0) parts.push('MAY', oids(def.may));
  return finish(def.oid, parts, def.extensions);
}

export function renderSyntax(def: SyntaxDef): string {
  const parts: string[] = [];
  if (def.desc !== undefined) parts.push('DESC', quoteQdstring(def.desc));
  return finish(def.oid, parts, def.extensions);
}

export function renderMatchingRule(def: MatchingRuleDef): string {
  const parts: string[] = [];
  common(parts, def);
  parts.push('SYNTAX', def.syntax);
  return finish(def.oid, parts, {});
}
