import { html, type SafeHtml } from './html';

/** One message at the top of a page: what just happened, or what went wrong. */
export interface Notice {
  kind: 'ok' | 'error' | 'warn';
  text: string;
}

export interface PageParts {
  title: string;
  body: SafeHtml;
  /** Signed in: the navigation and the sign-out button (a form, with its CSRF token). */
  nav?: { csrf: string; only?: 'password' | 'mfa'; isAdmin: boolean };
  notice?: Notice;
}

/** A whole page: one main landmark, a skip link, the site's stylesheet and script (no inline script). */
export function page(p: PageParts): string {
  const nav = p.nav
    ? html`<nav aria-label="Portal">
        <ul>
          ${
            p.nav.only === 'password'
              ? html`<li><a href="/password">Change password</a></li>`
              : p.nav.only === 'mfa'
                ? html`<li><a href="/mfa">Two-step sign-in</a></li>`
                : html`<li><a href="/">Home</a></li>
                    <li><a href="/password">Password</a></li>
                    <li><a href="/mfa">Two-step sign-in</a></li>
                    <li><a href="/ssh-keys">SSH keys</a></li>
                    <li><a href="/wifi">Wi-Fi</a></li>
                    <li><a href="/app-passwords">App passwords</a></li>
                    <li><a href="/profile">Profile</a></li>
                    ${p.nav.isAdmin ? html`<li><a href="/admin">People</a></li>` : ''}`
          }
        </ul>
        <form method="post" action="/sign-out" class="sign-out">
          <input type="hidden" name="_csrf" value="${p.nav.csrf}" />
          <button type="submit">Sign out</button>
        </form>
      </nav>`
    : '';
  const notice = p.notice ? html`<p class="notice ${p.notice.kind}" role="${p.notice.kind === 'error' ? 'alert' : 'status'}">${p.notice.text}</p>` : '';
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${p.title} · Cairn</title>
        <link rel="stylesheet" href="/static/portal.css" />
        <script src="/static/portal.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header>
          <p class="brand">Cairn</p>
          ${nav}
        </header>
        <main id="main">
          <h1>${p.title}</h1>
          ${notice} ${p.body}
        </main>
      </body>
    </html> `.text;
}
