import type { AttributeType, Schema } from './schema/registry';
import { escapeDNValue, formatDN, parseDN, type Rdn } from './dn';
import { LdapError, ldapError } from './errors';
import { caseExact, standardNormalizers, type Normalizer } from './matching';
import { ResultCode } from '../ldap/result-codes';
import { createHash } from 'node:crypto';
import { valueBytes } from '../bytes';

/**
 * Binary syntaxes (RFC 4517 Octet String, RFC 2252 JPEG, Fax, Audio, Binary, RFC 4523 certificates,
 * certificate lists and pairs): their long values are indexed by digest (Normalization.indexKey).
 */
const BINARY_SYNTAXES = new Set(['40', '28', '23', '4', '5', '8', '9', '10'].map((n) => `1.3.6.1.4.1.1466.115.121.1.${n}`));
const DIGEST_OVER = 48;
/** With the 44 characters of the digest, 54: longer than any value kept verbatim. */
const DIGEST_PREFIX = '{sha256}: ';

/** An attribute type with the normalisers of its matching rules, resolved once. */
export interface AttributeInfo {
  type: AttributeType;
  /** The type's canonical key, without options. */
  key: string;
  /** The description's options (RFC 4512 2.5: `;binary`, `;lang-de`), lower-cased and sorted, each with its `;`; '' for none. */
  options: string;
  /** key + options: values with different options are different attributes of an entry. */
  slotKey: string;
  /** The type's name with the options as written: the name values are stored and returned under. */
  displayName: string;
  equality?: Normalizer;
  ordering?: Normalizer;
  substrings?: Normalizer;
  /** Long values are indexed by their digest (see indexKey). */
  digestIndexed: boolean;
}

export interface NormalizedDN {
  /** The RDNs as written, outermost last. */
  rdns: Rdn[];
  /** The DN as written, re-serialised. */
  dn: string;
  /** Normal form: canonical attribute keys, normalised values, multi-valued RDNs sorted. */
  ndn: string;
  /** The normalised RDNs from the root down, joined by commas: subtree scope is a prefix range. */
  path: string;
  /** The normal form of each RDN, outermost last (parallel to rdns). */
  nrdns: string[];
}

/** Schema-driven normalisation of attribute names, values and DNs. Built once per schema. */
export class Normalization {
  private readonly infos = new Map<string, AttributeInfo | null>();
  private readonly normalizers: Map<string, Normalizer>;
  private readonly dnCache = new Map<string, NormalizedDN>();
  /** Normal forms of DN-valued values and assertions (member=…): only the ndn, which is all they need. */
  private readonly ndnCache = new Map<string, string>();

  constructor(readonly schema: Schema) {
    this.normalizers = standardNormalizers({
      dn: (v) => {
        try {
          return this.ndnOf(v);
        } catch {
          return undefined;
        }
      },
      oid: (v) => {
        const t = v.trim();
        const oc = schema.objectClass(t);
        if (oc) return oc.key;
        const at = schema.attributeType(t);
        if (at) return at.key;
        return t.toLowerCase();
      },
    });
  }

  /** Resolves an attribute description (name, OID, with options) to its type; undefined if unknown. */
  attribute(description: string): AttributeInfo | undefined {
    const lookup = description.toLowerCase();
    const cached = this.infos.get(lookup);
    if (cached !== undefined) return cached ?? undefined;
    const type = this.schema.attributeType(description);
    const written = description.trim().split(';').slice(1);
    const options = [...new Set(written.map((o) => o.toLowerCase()))]
      .sort()
      .map((o) => ';' + o)
      .join('');
    const info: AttributeInfo | null = type
      ? {
          type,
          key: type.key,
          options,
          slotKey: type.key + options,
          displayName: type.name + written.map((o) => ';' + o).join(''),
          equality: this.rule(type.equality),
          ordering: this.rule(type.ordering),
          substrings: this.rule(type.substr) ?? this.rule(type.equality),
          digestIndexed: BINARY_SYNTAXES.has(type.syntax ?? '') && !type.ordering && !type.substr,
        }
      : null;
    this.infos.set(lookup, info);
    return info ?? undefined;
  }

  /** Like attribute(), but an unknown type is undefinedAttributeType (17). */
  requireAttribute(description: string): AttributeInfo {
    const info = this.attribute(description);
    if (!info) throw ldapError.undefinedAttribute(description);
    return info;
  }

  rule(name: string | undefined): Normalizer | undefined {
    return name ? this.normalizers.get(name.toLowerCase()) : undefined;
  }

  /** The equality normal form of a value; attributes without an equality rule compare exactly. */
  equalityKey(info: AttributeInfo, value: string): string | undefined {
    return (info.equality ?? caseExact)(value);
  }

  /**
   * The form a value takes in the index (attr_index.norm), which equality filters look up: its equality
   * normal form, or for a long value of a binary syntax (a photo, a certificate: types with no ordering and
   * no substrings rule, so equality and presence are all a filter can ask, as in slapd) the SHA-256 of its bytes. A
   * photo's index row was the photo again, most of a photo directory's database. Verbatim forms are at most
   * DIGEST_OVER characters and digests longer, so the two never meet.
   */
  indexKey(info: AttributeInfo, value: string): string | undefined {
    const key = this.equalityKey(info, value);
    if (key === undefined || !info.digestIndexed || key.length <= DIGEST_OVER) return key;
    return DIGEST_PREFIX + createHash('sha256').update(valueBytes(key)).digest('base64');
  }

  /** Search bases and bind DNs repeat: their normal forms are kept (a bounded cache, cleared when full). */
  normalizeDN(dn: string): NormalizedDN {
    let n = this.dnCache.get(dn);
    if (!n) {
      n = this.computeNormalizedDN(dn);
      if (this.dnCache.size >= 10000) this.dnCache.clear();
      this.dnCache.set(dn, n);
    }
    return n;
  }

  /** The normal form of a DN alone, without the rest of NormalizedDN (re-serialised DN, path). */
  ndnOf(dn: string): string {
    const known = this.dnCache.get(dn)?.ndn ?? this.ndnCache.get(dn);
    if (known !== undefined) return known;
    const ndn = this.normalizeRdns(dn, parseDN(dn)).join(',');
    if (this.ndnCache.size >= 10000) this.ndnCache.clear();
    this.ndnCache.set(dn, ndn);
    return ndn;
  }

  private computeNormalizedDN(dn: string): NormalizedDN {
    const rdns = parseDN(dn);
    const nrdns = this.normalizeRdns(dn, rdns);
    return {
      rdns,
      dn: formatDN(rdns),
      ndn: nrdns.join(','),
      path: [...nrdns].reverse().join(','),
      nrdns,
    };
  }

  private normalizeRdns(dn: string, rdns: Rdn[]): string[] {
    return rdns.map((rdn) => this.normalizeRdn(rdn, dn));
  }

  private normalizeRdn(rdn: Rdn, dn: string): string {
    return rdn
      .map((ava) => {
        const info = this.attribute(ava.type);
        if (!info) throw new LdapError(ResultCode.invalidDNSyntax, `invalid DN "${dn}": ${ava.type}: attribute type undefined`);
        const norm = this.equalityKey(info, ava.value);
        if (norm === undefined) throw ldapError.invalidDN(dn, `invalid value for ${info.type.name}`);
        return `${info.key}=${escapeDNValue(norm)}`;
      })
      .sort()
      .join('+');
  }
}
