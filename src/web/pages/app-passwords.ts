import type { FastifyInstance } from 'fastify';
import type { AppPassword } from '../../directory/accounts/accounts';
import { html } from '../html';
import { page, type Notice } from '../layout';
import { refusedText } from '../refused';
import { csrfChecked, navFor, type PortalDeps, type RequestSession, requireSession, sendPage } from '../session';
import { itemTable } from '../table';

interface AppForm {
  name?: string;
  from?: string;
  service?: string;
}

const when = (ms?: number) => (ms === undefined ? '—' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`);
const scopeText = (a: AppPassword) => [...a.scope.addresses.map((x) => `from ${x}`), ...a.scope.services.map((x) => `through ${x}`)].join(', ');
const list = (text = '') =>
  text
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter((x) => x !== '');

async function appsPage(deps: PortalDeps, s: RequestSession, csrf: string, notice?: Notice, made?: { name: string; password: string }, typed: AppForm = {}) {
  const apps = await deps.directory.accounts.appPasswords(s.session.identity.dn);
  const body = html`<p>
      A program that signs in to the directory with your name (your mail app through the mail server, a NAS, a printer's address book) can have a password of
      its own: made here, needing no code from your app, usable only from where you say, and never for this portal or to change a password. Revoke it when you
      stop using the program.
    </p>
    ${
      made
        ? html`<section aria-labelledby="made" class="notice ok">
            <h2 id="made">Type this into ${made.name} now</h2>
            <p><code class="secret">${made.password}</code></p>
            <p>It is shown only now.</p>
          </section>`
        : ''
    }
    ${itemTable(
      apps,
      'No app passwords.',
      [html`Name`, html`Usable`, html`Made`, html`Last used`],
      (a) => [html`${a.name}`, html`${scopeText(a)}`, html`${when(a.createdAt)}`, html`${when(a.lastUsedAt)}`],
      { csrf, action: '/app-passwords/revoke', field: 'name', value: (a) => a.name, label: 'Revoke', ariaLabel: (a) => `Revoke ${a.name}` },
    )}
    <h2 id="add-app">Make an app password</h2>
    <form method="post" action="/app-passwords/add" class="stack" aria-labelledby="add-app">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <label for="name">What it is for <span class="hint">(lower-case letters, digits and "-": mail, nas, printer)</span></label>
      <input
        id="name"
        name="name"
        type="text"
        autocomplete="off"
        autocapitalize="none"
        spellcheck="false"
        maxlength="32"
        required
        value="${typed.name ?? ''}"
      />
      <label for="from">Used from these addresses <span class="hint">(the program's machine, or a network: 10.0.5.12, 10.0.5.0/24)</span></label>
      <input id="from" name="from" type="text" autocomplete="off" spellcheck="false" value="${typed.from ?? ''}" />
      <label for="service">Or through these services <span class="hint">(ask your administrator which: dovecot, nextcloud…)</span></label>
      <input id="service" name="service" type="text" autocomplete="off" spellcheck="false" value="${typed.service ?? ''}" />
      <button type="submit">Make the password</button>
    </form>`;
  return page({ title: 'App passwords', body, notice, nav: navFor(deps, s, csrf) });
}

export function registerAppPasswords(app: FastifyInstance, deps: PortalDeps): void {
  const accounts = deps.directory.accounts;

  app.get('/app-passwords', async (req, reply) => {
    const s = requireSession(deps, req, reply);
    if (!s) return reply;
    return sendPage(reply, await appsPage(deps, s, reply.generateCsrf()));
  });

  app.post<{ Body: AppForm }>('/app-passwords/add', csrfChecked(app), async (req, reply) => {
    const s = requireSession(deps, req, reply);
    if (!s) return reply;
    try {
      const made = await accounts.addAppPassword(s.session.identity, s.session.identity.dn, req.body.name ?? '', {
        addresses: list(req.body.from),
        services: list(req.body.service),
      });
      return sendPage(reply, await appsPage(deps, s, reply.generateCsrf(), undefined, made));
    } catch (err) {
      return sendPage(
        reply,
        await appsPage(deps, s, reply.generateCsrf(), { kind: 'error', text: `Not made: ${refusedText(err)}.` }, undefined, req.body),
        400,
      );
    }
  });

  app.post<{ Body: AppForm }>('/app-passwords/revoke', csrfChecked(app), async (req, reply) => {
    const s = requireSession(deps, req, reply);
    if (!s) return reply;
    try {
      await accounts.revokeAppPasswords(s.session.identity, s.session.identity.dn, req.body.name ?? '');
      return sendPage(reply, await appsPage(deps, s, reply.generateCsrf(), { kind: 'ok', text: `Revoked ${req.body.name}.` }));
    } catch (err) {
      return sendPage(reply, await appsPage(deps, s, reply.generateCsrf(), { kind: 'error', text: `Not revoked: ${refusedText(err)}.` }), 400);
    }
  });
}
