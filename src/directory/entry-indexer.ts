import { createHash } from 'node:crypto';
import type { AttributeMap, EntryIndexer, IndexRow } from '../store/types';
import type { AttributeInfo, Normalization } from './normalize';

/**
 * Raise when the code that turns values into index rows changes (a matching rule's normaliser, what is
 * indexed): stores built before then are reindexed when they open.
 */
const INDEX_FORMAT = 2;

/**
 * The normalised values filters search: every value by its equality rule (a long binary value by its
 * digest: Normalization.indexKey), object classes with their superclasses. A value with options is indexed under its type (a filter on `cn` matches `cn;lang-de`)
 * and under its type with options (a filter on `cn;lang-de` matches only those). An attribute the schema
 * no longer knows is not indexed: no filter can name it.
 */
export class SchemaIndexer implements EntryIndexer {
  readonly fingerprint: string;
  /** Attribute names as entries spell them (few distinct ones): their types, looked up once. */
  private readonly infos = new Map<string, AttributeInfo | undefined>();

  constructor(private readonly norm: Normalization) {
    const s = norm.schema.subschemaValues();
    this.fingerprint = createHash('sha256')
      .update(JSON.stringify([INDEX_FORMAT, s.matchingRules, s.attributeTypes, s.objectClasses]))
      .digest('base64url');
  }

  private info(name: string): AttributeInfo | undefined {
    let info = this.infos.get(name);
    if (info === undefined && !this.infos.has(name)) {
      info = this.norm.attribute(name);
      if (this.infos.size < 10000) this.infos.set(name, info);
    }
    return info;
  }

  typeKey(name: string): string | undefined {
    return this.info(name)?.key;
  }

  rows(attributes: AttributeMap, keys?: ReadonlySet<string>): IndexRow[] {
    const rows: IndexRow[] = [];
    // Equal values under one key (cn and cn;lang-de both give cn rows; classes share superclasses) make one row.
    const seen = new Map<string, Set<string>>();
    const add = (attr: string, n: string) => {
      let norms = seen.get(attr);
      if (!norms) seen.set(attr, (norms = new Set()));
      if (norms.has(n)) return;
      norms.add(n);
      rows.push({ attr, norm: n });
    };
    for (const name in attributes) {
      const info = this.info(name);
      if (!info || (keys && !keys.has(info.key) && !keys.has(info.slotKey))) continue;
      const { key, slotKey } = info;
      for (const v of attributes[name]) {
        const n = this.norm.indexKey(info, v) ?? v;
        add(key, n);
        if (slotKey !== key) add(slotKey, n);
        if (key === 'objectclass') {
          for (const sup of this.norm.schema.objectClass(v)?.superclasses ?? []) add(key, sup.key);
        }
      }
    }
    return rows;
  }
}
