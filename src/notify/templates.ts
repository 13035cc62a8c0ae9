import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import { configDir } from '../paths';

export interface Templates {
  text: string;
  html: string;
}

/** The reminder's text and HTML templates: the configured files, or the ones in config/templates/. */
export function loadTemplates(config: Config['notify']): Templates {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the ${what} template ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
    }
  };
  return {
    text: read(config.textTemplate || join(configDir, 'templates', 'password-expiry.txt'), 'text'),
    html: read(config.htmlTemplate || join(configDir, 'templates', 'password-expiry.html'), 'HTML'),
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Fills `{{name}}` placeholders; in HTML the values are escaped, except the *List/*Link ones built here. */
export function render(template: string, values: Record<string, string>, html: boolean): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    const v = values[key] ?? '';
    return html && !/List$|Link$/.test(key) ? escapeHtml(v) : v;
  });
}

export function htmlList(items: string[]): string {
  return items.map((i) => `<li>${escapeHtml(i)}</li>`).join('');
}

export function htmlLink(url: string): string {
  return url ? `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>` : '';
}
