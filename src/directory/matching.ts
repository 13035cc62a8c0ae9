/**
 * Value normalisation by matching rule (RFC 4517 section 4.2). Two values match under a rule when their
 * normal forms are equal; ordering rules compare normal forms as strings, so the forms here sort correctly.
 * A normaliser returns undefined when the value is not valid for the rule (the assertion is then Undefined).
 */
export type Normalizer = (value: string) => string | undefined;

const collapse = (v: string) => v.trim().replace(/\s+/g, ' ');

export const caseIgnore: Normalizer = (v) => collapse(v.normalize('NFKC')).toLowerCase();
export const caseExact: Normalizer = (v) => collapse(v.normalize('NFKC'));
const octets: Normalizer = (v) => v;

/** Integers as text that sorts like the numbers: sign, digit count, digits (negatives complemented). */
export const integerKey: Normalizer = (v) => {
  const m = /^\s*(-?)0*(\d+)\s*$/.exec(v);
  if (!m) return undefined;
  const digits = m[2];
  if (digits.length > 99) return undefined;
  if (m[1] === '' || /^0+$/.test(digits)) return 'p' + String(digits.length).padStart(2, '0') + digits;
  const complemented = [...digits].map((d) => String(9 - Number(d))).join('');
  return 'n' + String(99 - digits.length).padStart(2, '0') + complemented;
};

/** GeneralizedTime to UTC `YYYYMMDDHHMMSS.fffZ`, so string order is time order. */
export const generalizedTimeKey: Normalizer = (v) => {
  const ms = parseGeneralizedTime(v);
  if (ms === undefined) return undefined;
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    p(d.getUTCFullYear(), 4) +
    p(d.getUTCMonth() + 1) +
    p(d.getUTCDate()) +
    p(d.getUTCHours()) +
    p(d.getUTCMinutes()) +
    p(d.getUTCSeconds()) +
    '.' +
    p(d.getUTCMilliseconds(), 3) +
    'Z'
  );
};

/** Milliseconds since the epoch for an RFC 4517 GeneralizedTime, or undefined. */
export function parseGeneralizedTime(v: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{2}(?:\d{2})?)$/.exec(v.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi = '00', s = '00', frac = '', tz] = m;
  const fraction = frac ? Number('0.' + frac) : 0;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) + Math.round(fraction * (m[5] === undefined ? 3600000 : m[6] === undefined ? 60000 : 1000));
  if (+mo < 1 || +mo > 12 || +d < 1 || +d > 31 || +h > 23 || +mi > 59 || +s > 60) return undefined;
  if (tz !== 'Z') {
    const sign = tz[0] === '+' ? 1 : -1;
    const offset = Number(tz.slice(1, 3)) * 60 + Number(tz.slice(3, 5) || '0');
    ms -= sign * offset * 60000;
  }
  return ms;
}

/** Formats a time as GeneralizedTime the way OpenLDAP writes operational timestamps (fractions on request). */
export function formatGeneralizedTime(ms: number, withMilliseconds = false): string {
  const iso = new Date(ms).toISOString().replace(/[-:T]/g, '');
  return withMilliseconds ? iso : iso.replace(/\.\d+Z$/, 'Z');
}

const booleanKey: Normalizer = (v) => {
  const u = v.trim().toUpperCase();
  return u === 'TRUE' || u === 'FALSE' ? u : undefined;
};
const numericString: Normalizer = (v) => (/^[\d ]*$/.test(v) ? v.replace(/ /g, '') : undefined);
const telephone: Normalizer = (v) => v.replace(/[\s-]/g, '').toLowerCase();
/** OpenLDAP authz values: `dn:<DN>` (or `dn.exact:`) compares as the DN; other forms (`u:name`, URLs) exactly. */
const authz =
  (dn: Normalizer): Normalizer =>
  (v) => {
    const m = /^\s*dn(?:\.exact)?:([\s\S]*)$/i.exec(v);
    if (!m) return caseExact(v);
    const n = dn(m[1].trim());
    return n === undefined ? undefined : 'dn:' + n;
  };
const uuid: Normalizer = (v) => (/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(v.trim()) ? v.trim().toLowerCase() : undefined);

/**
 * Normalisers by matching-rule name (lower case). Rules that need the schema (distinguishedNameMatch,
 * objectIdentifierMatch) are supplied by the caller.
 */
export function standardNormalizers(extra: { dn: Normalizer; oid: Normalizer }): Map<string, Normalizer> {
  return new Map<string, Normalizer>([
    ['caseignorematch', caseIgnore],
    ['caseignoreorderingmatch', caseIgnore],
    ['caseignoresubstringsmatch', caseIgnore],
    ['caseignoreia5match', caseIgnore],
    ['caseignoreia5substringsmatch', caseIgnore],
    ['caseignorelistmatch', caseIgnore],
    ['caseignorelistsubstringsmatch', caseIgnore],
    ['caseexactmatch', caseExact],
    ['caseexactorderingmatch', caseExact],
    ['caseexactsubstringsmatch', caseExact],
    ['caseexactia5match', caseExact],
    ['caseexactia5substringsmatch', caseExact],
    ['octetstringmatch', octets],
    ['octetstringorderingmatch', octets],
    ['octetstringsubstringsmatch', octets],
    ['integermatch', integerKey],
    ['integerorderingmatch', integerKey],
    ['integerfirstcomponentmatch', integerKey],
    ['generalizedtimematch', generalizedTimeKey],
    ['generalizedtimeorderingmatch', generalizedTimeKey],
    ['booleanmatch', booleanKey],
    ['numericstringmatch', numericString],
    ['numericstringorderingmatch', numericString],
    ['numericstringsubstringsmatch', numericString],
    ['telephonenumbermatch', telephone],
    ['telephonenumbersubstringsmatch', telephone],
    ['uuidmatch', uuid],
    ['uuidorderingmatch', uuid],
    ['distinguishednamematch', extra.dn],
    ['uniquemembermatch', extra.dn],
    ['objectidentifiermatch', extra.oid],
    ['objectidentifierfirstcomponentmatch', extra.oid],
    ['bitstringmatch', octets],
    ['directorystringfirstcomponentmatch', caseIgnore],
    ['presentationaddressmatch', caseIgnore],
    ['protocolinformationmatch', caseIgnore],
    ['authzmatch', authz(extra.dn)],
    ['certificateexactmatch', octets],
  ]);
}
