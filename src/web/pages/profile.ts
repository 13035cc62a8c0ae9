import type { FastifyInstance } from 'fastify';
import { LdapError } from '../../directory/errors';
import { findEntries, valuesOf } from '../../directory/search/find-entries';
import type { SearchResultEntry } from '../../directory/search/run-search';
import type { Change } from '../../ldap/types';
import { html } from '../html';
import { page, type Notice } from '../layout';
import { csrfChecked, navFor, type PortalDeps, type RequestSession, requireSession, sendPage } from '../session';

/** The attributes the profile page can show as a field, in order; only those in access.selfWritable are offered. */
const FIELDS: { type: string; label: string; autocomplete: string; input?: string }[] = [
  { type: 'givenName', label: 'Given name', autocomplete: 'given-name' },
  { type: 'sn', label: 'Surname', autocomplete: 'family-name' },
  { type: 'cn', label: 'Full name', autocomplete: 'name' },
  { type: 'displayName', label: 'Name shown to others', autocomplete: 'nickname' },
  { type: 'mail', label: 'Mail address', autocomplete: 'email', input: 'email' },
  { type: 'telephoneNumber', label: 'Telephone', autocomplete: 'tel', input: 'tel' },
  { type: 'mobile', label: 'Mobile', autocomplete: 'tel', input: 'tel' },
];

type ProfileForm = Record<string, string | undefined>;

function editable(deps: PortalDeps): Set<string> {
  return new Set(deps.config.access.selfWritable.map((a) => a.toLowerCase()));
}

async function myEntry(deps: PortalDeps, s: RequestSession): Promise<SearchResultEntry | undefined> {
  const me = s.session.identity;
  return (await findEntries(deps.directory, me, me.dn, { type: 'present', attribute: 'objectClass' }, ['*'], 'base'))[0];
}

function profilePage(deps: PortalDeps, s: RequestSession, me: SearchResultEntry | undefined, csrf: string, notice?: Notice, typed: ProfileForm = {}): string {
  const can = editable(deps);
  const field = (f: (typeof FIELDS)[number]) => {
    const values = me ? valuesOf(me, f.type) : [];
    if (values.length > 1)
      // One field cannot show several values: changing it here would drop the others.
      return html`<p class="field-readonly">
        <span class="label">${f.label}</span> ${values.join(', ')} <span class="hint">(several values: ask an administrator to change them)</span>
      </p>`;
    return html`<label for="${f.type}">${f.label}</label>
      <input id="${f.type}" name="${f.type}" type="${f.input ?? 'text'}" autocomplete="${f.autocomplete}" value="${typed[f.type] ?? values[0] ?? ''}" />`;
  };
  const shell = () => {
    const current = (me && valuesOf(me, 'loginShell')[0]) ?? '';
    const shells =
      deps.config.access.allowedShells.includes(current) || current === '' ? deps.config.access.allowedShells : [current, ...deps.config.access.allowedShells];
    const chosen = typed.loginShell !== undefined && shells.includes(typed.loginShell) ? typed.loginShell : current;
    return html`<label for="loginShell">Login shell <span class="hint">(on the company's Linux machines)</span></label>
      <select id="loginShell" name="loginShell" autocomplete="off">
        ${current === '' ? html`<option value="" ${chosen === '' ? 'selected' : ''}>(the system's default)</option>` : ''}
        ${shells.map((sh) => html`<option value="${sh}" ${sh === chosen ? 'selected' : ''}>${sh}</option>`)}
      </select>`;
  };
  const fields = FIELDS.filter((f) => can.has(f.type.toLowerCase()));
  const hasShell = can.has('loginshell') && me !== undefined && valuesOf(me, 'objectClass').some((c) => c.toLowerCase() === 'posixaccount');
  const body =
    fields.length === 0 && !hasShell
      ? html`<p>Your organisation does not let people change their own details here.</p>`
      : html`<form method="post" action="/profile" class="stack">
          <input type="hidden" name="_csrf" value="${csrf}" />
          ${fields.map(field)} ${hasShell ? shell() : ''}
          <button type="submit">Save</button>
        </form>`;
  return page({ title: 'Your profile', body, notice, nav: navFor(deps, s, csrf) });
}

/** The changes a submitted form makes: a field that differs from the stored single value replaces it (empty: removes it). */
function changesFrom(deps: PortalDeps, me: SearchResultEntry, form: ProfileForm): Change[] {
  const can = editable(deps);
  const changes: Change[] = [];
  for (const type of [...FIELDS.map((f) => f.type), 'loginShell']) {
    const typed = form[type];
    if (typed === undefined || !can.has(type.toLowerCase())) continue;
    const values = valuesOf(me, type);
    if (values.length > 1) continue;
    // Kept as typed (values are bytes): a field sent back unchanged changes nothing, spaces included.
    if (typed === (values[0] ?? '')) continue;
    changes.push({ operation: 'replace', modification: { type, values: typed === '' ? [] : [typed] } });
  }
  return changes;
}

export function registerProfile(app: FastifyInstance, deps: PortalDeps): void {
  app.get('/profile', async (req, reply) => {
    const s = requireSession(deps, req, reply);
    if (!s) return reply;
    return sendPage(reply, profilePage(deps, s, await myEntry(deps, s), reply.generateCsrf()));
  });

  app.post<{ Body: ProfileForm }>('/profile', csrfChecked(app), async (req, reply) => {
    const s = requireSession(deps, req, reply);
    if (!s) return reply;
    const me = await myEntry(deps, s);
    if (!me) return reply.redirect('/sign-in', 303);
    const changes = changesFrom(deps, me, req.body);
    if (changes.length === 0) return sendPage(reply, profilePage(deps, s, me, reply.generateCsrf(), { kind: 'ok', text: 'Nothing to change.' }));
    try {
      // As the person: access control (access.selfWritable, access.allowedShells) and the schema decide.
      await deps.directory.modify(s.session.identity, s.session.identity.dn, changes);
      const names = changes.map((c) => FIELDS.find((f) => f.type === c.modification.type)?.label ?? 'Login shell');
      return sendPage(reply, profilePage(deps, s, await myEntry(deps, s), reply.generateCsrf(), { kind: 'ok', text: `Saved: ${names.join(', ')}.` }));
    } catch (err) {
      if (!(err instanceof LdapError)) throw err;
      return sendPage(reply, profilePage(deps, s, me, reply.generateCsrf(), { kind: 'error', text: `Not saved: ${err.message}.` }, req.body), 400);
    }
  });
}
