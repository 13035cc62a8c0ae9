import type { StoredEntry } from './types';

/** At most this many entries are kept… */
const MAX_ENTRIES = 1000;
/** …and at most this many characters of their stored attributes (a 100 KB photo counts as much as 100 people). */
const MAX_CHARS = 8_000_000;

/**
 * Entries read by normalised DN (null: none there), kept until a write drops them. Bounded by count and by
 * size: when either bound would be passed, everything is dropped and filling starts again.
 */
export class EntryCache {
  private readonly entries = new Map<string, { entry: StoredEntry | null; chars: number }>();
  private chars = 0;

  get(ndn: string): StoredEntry | null | undefined {
    return this.entries.get(ndn)?.entry;
  }

  /** `chars`: the size of the entry's stored attributes (0 for none). */
  set(ndn: string, entry: StoredEntry | null, chars: number) {
    this.delete(ndn);
    if (chars > MAX_CHARS) return;
    if (this.entries.size >= MAX_ENTRIES || this.chars + chars > MAX_CHARS) this.clear();
    this.entries.set(ndn, { entry, chars });
    this.chars += chars;
  }

  delete(ndn: string) {
    const kept = this.entries.get(ndn);
    if (!kept) return;
    this.entries.delete(ndn);
    this.chars -= kept.chars;
  }

  clear() {
    this.entries.clear();
    this.chars = 0;
  }
}
