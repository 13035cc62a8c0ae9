/**
 * A search filter (RFC 4511 section 4.5.1). Attribute descriptions are kept as the client wrote them
 * (including options such as `cn;lang-en`); values are the decoded assertion values (UTF-8 text).
 */
export type Filter =
  | { type: 'and'; filters: Filter[] }
  | { type: 'or'; filters: Filter[] }
  | { type: 'not'; filter: Filter }
  | { type: 'equality' | 'greaterOrEqual' | 'lessOrEqual' | 'approx'; attribute: string; value: string }
  | { type: 'substrings'; attribute: string; initial?: string; any: string[]; final?: string }
  | { type: 'present'; attribute: string }
  | { type: 'extensible'; matchingRule?: string; attribute?: string; value: string; dnAttributes: boolean };
