import type { AttributeMap } from '../store/types';
import type { Normalization } from './normalize';

/** Views of stored entries, by their attributes object (EntryView.of). */
const shared = new WeakMap<AttributeMap, EntryView>();

/**
 * An entry's values looked up by canonical attribute key, whatever case or alias they were stored under.
 * Keys carry options (`cn;lang-de`) where the values have them; `values('cn')` is the values without options.
 */
export class EntryView {
  private byKey?: Map<string, { name: string; values: string[] }>;
  private byType?: Map<string, string[]>;

  constructor(
    readonly dn: string,
    readonly attributes: AttributeMap,
    private readonly norm: Normalization,
  ) {}

  /**
   * The view of a stored entry, made once per attributes object. A stored entry's attributes are never
   * changed in place (a write stores new ones, and the store reads them anew), so every rule that reads the
   * entry during a bind shares one view and its index.
   */
  static of(entry: { dn: string; attributes: AttributeMap }, norm: Normalization): EntryView {
    const known = shared.get(entry.attributes);
    if (known && known.norm === norm && known.dn === entry.dn) return known;
    const view = new EntryView(entry.dn, entry.attributes, norm);
    shared.set(entry.attributes, view);
    return view;
  }

  private index() {
    if (!this.byKey) {
      this.byKey = new Map();
      for (const [name, values] of Object.entries(this.attributes)) {
        const key = this.norm.attribute(name)?.slotKey ?? name.toLowerCase();
        this.byKey.set(key, { name, values });
      }
    }
    return this.byKey;
  }

  values(key: string): string[] {
    return this.index().get(key)?.values ?? [];
  }

  /** The values of a type with and without options (`cn` and `cn;lang-de`), as a filter on the type sees them. */
  valuesOfType(key: string): string[] {
    if (!this.byType) {
      this.byType = new Map();
      for (const [name, values] of Object.entries(this.attributes)) {
        const typeKey = this.norm.attribute(name)?.key ?? name.toLowerCase();
        this.byType.set(typeKey, [...(this.byType.get(typeKey) ?? []), ...values]);
      }
    }
    return this.byType.get(key) ?? [];
  }

  /** The display name the entry stores this attribute under. */
  nameOf(key: string): string | undefined {
    return this.index().get(key)?.name;
  }

  keys(): string[] {
    return [...this.index().keys()];
  }
}
