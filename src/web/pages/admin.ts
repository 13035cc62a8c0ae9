import type { FastifyInstance, FastifyReply } from 'fastify';
import { LdapError } from '../../directory/errors';
import { unitDN } from '../../directory/layout';
import { findEntries, valuesOf } from '../../directory/search/find-entries';
import { html } from '../html';
import { page } from '../layout';
import { csrfChecked, navFor, type PortalDeps, type RequestSession, requireSession, sendPage } from '../session';
import { dateOf } from './home';

interface PersonForm {
  dn?: string;
}

/** Administrators only: anyone else gets the same refusal an LDAP write would give them. */
function requireAdmin(deps: PortalDeps, req: Parameters<typeof requireSession>[1], reply: FastifyReply): RequestSession | undefined {
  const s = requireSession(deps, req, reply);
  if (!s) return undefined;
  if (s.session.identity.isAdmin) return s;
  void sendPage(
    reply,
    page({
      title: 'People',
      body: html``,
      notice: { kind: 'error', text: 'Only administrators (members of cn=admins) can look after other people.' },
      nav: navFor(deps, s, reply.generateCsrf()),
    }),
    403,
  );
  return undefined;
}

async function personPage(deps: PortalDeps, s: RequestSession, dn: string, csrf: string, notice?: { kind: 'ok' | 'error'; text: string }): Promise<string> {
  const accounts = deps.directory.accounts;
  const [person] = await findEntries(
    deps.directory,
    s.session.identity,
    dn,
    { type: 'present', attribute: 'objectClass' },
    ['*', 'pwdAccountLockedTime'],
    'base',
  );
  if (!person)
    return page({
      title: 'People',
      body: html`<p><a href="/admin">Find someone else</a></p>`,
      notice: { kind: 'error', text: `No such person: ${dn}` },
      nav: navFor(deps, s, csrf),
    });
  const uid = valuesOf(person, 'uid')[0];
  const groups = await findEntries(
    deps.directory,
    s.session.identity,
    deps.directory.namingContext,
    {
      type: 'or',
      filters: [{ type: 'equality', attribute: 'member', value: dn }, ...(uid ? [{ type: 'equality' as const, attribute: 'memberUid', value: uid }] : [])],
    },
    ['cn'],
  );
  const locked = await accounts.isLocked(dn);
  const expiry = await accounts.passwordExpiry(dn);
  const mfa = await accounts.mfaStatus(dn);
  const action = (path: string, label: string) =>
    html`<form method="post" action="${path}" class="inline">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <input type="hidden" name="dn" value="${dn}" />
      <button type="submit">${label}</button>
    </form>`;
  const body = html`<dl>
      <dt>Name</dt>
      <dd>${valuesOf(person, 'displayName')[0] ?? valuesOf(person, 'cn')[0] ?? '—'}</dd>
      <dt>User name</dt>
      <dd>${uid ?? '—'}</dd>
      <dt>Mail</dt>
      <dd>${valuesOf(person, 'mail')[0] ?? '—'}</dd>
      <dt>Groups</dt>
      <dd>${groups.length ? groups.map((g) => valuesOf(g, 'cn')[0] ?? g.dn).join(', ') : 'none'}</dd>
      <dt>Account</dt>
      <dd>
        ${locked ? `locked${valuesOf(person, 'pwdAccountLockedTime')[0] === '000001010000Z' ? ' by an administrator' : ' after too many failed sign-ins'}` : 'not locked'}
      </dd>
      <dt>Password</dt>
      <dd>${expiry.expiresAt === undefined ? 'does not expire' : `expires on ${dateOf(expiry.expiresAt)}`}</dd>
      <dt>Two-step sign-in</dt>
      <dd>${mfa ?? 'off'}</dd>
      <dt>SSH keys</dt>
      <dd>${valuesOf(person, 'sshPublicKey').length}</dd>
    </dl>
    <div class="actions">
      ${action('/admin/person/reset', 'Reset the password')} ${locked ? action('/admin/person/unlock', 'Unlock') : ''}
      ${mfa === 'enrolled' || mfa === 'pending' ? action('/admin/person/mfa-reset', 'Reset two-step sign-in') : ''}
    </div>
    <p><a href="/admin">Find someone else</a></p>`;
  return page({ title: valuesOf(person, 'cn')[0] ?? dn, body, notice, nav: navFor(deps, s, csrf) });
}

/** Each action goes through the engine (which checks again that the caller is an administrator, and audits it). */
function registerAction(app: FastifyInstance, deps: PortalDeps, path: string, run: (s: RequestSession, dn: string) => Promise<string>) {
  app.post<{ Body: PersonForm }>(path, csrfChecked(app), async (req, reply) => {
    const s = requireAdmin(deps, req, reply);
    if (!s) return reply;
    const dn = req.body.dn ?? '';
    try {
      const text = await run(s, dn);
      return sendPage(reply, await personPage(deps, s, dn, reply.generateCsrf(), { kind: 'ok', text }));
    } catch (err) {
      if (!(err instanceof LdapError)) throw err;
      return sendPage(reply, await personPage(deps, s, dn, reply.generateCsrf(), { kind: 'error', text: `Not done: ${err.message}.` }), 400);
    }
  });
}

export function registerAdmin(app: FastifyInstance, deps: PortalDeps): void {
  const accounts = deps.directory.accounts;

  app.get<{ Querystring: { q?: string } }>('/admin', async (req, reply) => {
    const s = requireAdmin(deps, req, reply);
    if (!s) return reply;
    const q = (req.query.q ?? '').trim();
    const found = q
      ? await findEntries(
          deps.directory,
          s.session.identity,
          unitDN(deps.directory.namingContext, 'people'),
          { type: 'or', filters: ['uid', 'cn', 'mail'].map((attribute) => ({ type: 'substrings' as const, attribute, any: [q] })) },
          ['uid', 'cn', 'mail'],
        )
      : [];
    const body = html`<form method="get" action="/admin" class="stack" role="search">
        <label for="q">Name, user name or mail address</label>
        <input id="q" name="q" type="text" value="${q}" />
        <button type="submit">Find</button>
      </form>
      ${
        q
          ? found.length
            ? html`<ul class="people">
                ${found.slice(0, 100).map(
                  (e) =>
                    html`<li>
                      <a href="/admin/person?dn=${encodeURIComponent(e.dn)}">${valuesOf(e, 'cn')[0] ?? e.dn}</a>
                      (${valuesOf(e, 'uid')[0] ?? ''}${valuesOf(e, 'mail')[0] ? `, ${valuesOf(e, 'mail')[0]}` : ''})
                    </li>`,
                )}
              </ul>`
            : html`<p>Nobody found.</p>`
          : ''
      }`;
    return sendPage(reply, page({ title: 'People', body, nav: navFor(deps, s, reply.generateCsrf()) }));
  });

  app.get<{ Querystring: { dn?: string } }>('/admin/person', async (req, reply) => {
    const s = requireAdmin(deps, req, reply);
    if (!s) return reply;
    return sendPage(reply, await personPage(deps, s, req.query.dn ?? '', reply.generateCsrf()));
  });

  registerAction(app, deps, '/admin/person/reset', async (s, dn) => {
    const { generated } = await accounts.changePassword(s.session.identity, { userIdentity: dn }, undefined, { reset: true });
    return `New password, shown once: ${generated}. They must change it when they next sign in.`;
  });
  registerAction(app, deps, '/admin/person/unlock', async (s, dn) => {
    await accounts.unlock(s.session.identity, dn);
    return 'Unlocked.';
  });
  registerAction(app, deps, '/admin/person/mfa-reset', async (s, dn) => {
    await accounts.mfaReset(s.session.identity, dn);
    return 'Two-step sign-in is reset: they can set it up again on the portal.';
  });
}
