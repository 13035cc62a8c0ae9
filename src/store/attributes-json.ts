import { isRawBytes, valueBytes, valueFromBytes } from '../bytes';
import type { AttributeMap } from './types';

/** A stored value: the value itself, or (for bytes that are not UTF-8) a one-element array of their base64. */
type StoredValue = string | [string];

/**
 * An entry's attributes as the entries table holds them: a JSON object of names to value arrays.
 * JSON.stringify writes a value that is not UTF-8 text (a photo, a certificate) as one `\udcXX` escape
 * per byte, six characters a byte; such a value is stored as `[base64]` instead, a third larger than its
 * bytes. Values are always strings, so an array in their place is unambiguous, and rows written with the
 * escapes read as they always did.
 */
export function attributesToJson(attributes: AttributeMap): string {
  if (!Object.values(attributes).some((values) => values.some(isRawBytes))) return JSON.stringify(attributes);
  const stored: Record<string, StoredValue[]> = {};
  for (const [name, values] of Object.entries(attributes)) stored[name] = values.map(storedValue);
  return JSON.stringify(stored);
}

export function attributesFromJson(json: string): AttributeMap {
  const stored = JSON.parse(json) as Record<string, StoredValue[]>;
  // An array value starts right after the array's `[` or a `,`: text without either holds none.
  if (json.includes('[[') || json.includes(',[')) {
    for (const values of Object.values(stored)) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== 'string') values[i] = valueFromBytes(Buffer.from(v[0], 'base64'));
      }
    }
  }
  return stored as AttributeMap;
}

function storedValue(value: string): StoredValue {
  if (!isRawBytes(value)) return value;
  const bytes = valueBytes(value);
  // Only a value that is exactly its bytes (any value read from the wire or a file is) goes as base64.
  return valueFromBytes(bytes) === value ? [bytes.toString('base64')] : value;
}
