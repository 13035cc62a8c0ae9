import { html, type SafeHtml } from './html';

/** The one-button form of a row (Remove, Revoke): what it posts, and how it is named to a screen reader. */
export interface RowButton<T> {
  csrf: string;
  action: string;
  field: string;
  value: (item: T) => string;
  label: string;
  ariaLabel: (item: T) => string;
}

/** A table of things (SSH keys, Wi-Fi devices), each row with its button when one is given. */
export function itemTable<T>(items: T[], empty: string, heads: SafeHtml[], cells: (item: T) => SafeHtml[], button?: RowButton<T>): SafeHtml {
  if (items.length === 0) return html`<p>${empty}</p>`;
  return html`<table class="keys">
    <thead>
      <tr>
        ${heads.map((h) => html`<th scope="col">${h}</th>`)} ${button ? html`<th scope="col"><span class="visually-hidden">${button.label}</span></th>` : ''}
      </tr>
    </thead>
    <tbody>
      ${items.map(
        (item) =>
          html`<tr>
            ${cells(item).map((c) => html`<td>${c}</td>`)}
            ${
              button
                ? html`<td>
                    <form method="post" action="${button.action}">
                      <input type="hidden" name="_csrf" value="${button.csrf}" />
                      <input type="hidden" name="${button.field}" value="${button.value(item)}" />
                      <button type="submit" class="secondary" aria-label="${button.ariaLabel(item)}">${button.label}</button>
                    </form>
                  </td>`
                : ''
            }
          </tr>`,
      )}
    </tbody>
  </table>`;
}
