/** Markup that is already safe to send: made by `html`, never from a string a person typed. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

type Part = SafeHtml | string | number | undefined | null | false | readonly Part[];

const render = (p: Part): string =>
  p === undefined || p === null || p === false ? '' : p instanceof SafeHtml ? p.text : Array.isArray(p) ? p.map(render).join('') : escapeHtml(String(p));

/** A template whose every interpolated value is escaped, unless it is SafeHtml itself. */
export function html(strings: TemplateStringsArray, ...values: Part[]): SafeHtml {
  let out = strings[0];
  values.forEach((v, i) => (out += render(v) + strings[i + 1]));
  return new SafeHtml(out);
}

/** Markup made by a library that escapes on its own (the QR code's SVG). */
export const trusted = (markup: string) => new SafeHtml(markup);
