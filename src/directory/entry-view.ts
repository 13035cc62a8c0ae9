import type { AttributeMap } from '../store/types';
import type { Normalization } from './normalize';

/** An entry's values looked up by canonical attribute key, whatever case or alias they were stored under. */
export class EntryView {
  private byKey?: Map<string, { name: string; values: string[] }>;

  constructor(
    readonly dn: string,
    readonly attributes: AttributeMap,
    private readonly norm: Normalization,
  ) {}

  private index() {
    if (!this.byKey) {
      this.byKey = new Map();
      for (const [name, values] of Object.entries(this.attributes)) {
        const key = this.norm.attribute(name)?.key ?? name.toLowerCase();
        this.byKey.set(key, { name, values });
      }
    }
    return this.byKey;
  }

  values(key: string): string[] {
    return this.index().get(key)?.values ?? [];
  }

  /** The display name the entry stores this attribute under. */
  nameOf(key: string): string | undefined {
    return this.index().get(key)?.name;
  }

  keys(): string[] {
    return [...this.index().keys()];
  }
}
