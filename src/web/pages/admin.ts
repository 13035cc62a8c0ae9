import type { FastifyInstance, FastifyReply } from 'fastify';
import { InputError } from '../../directory/errors';
import { refusedText as refused } from '../refused';
import { devicesTable } from './wifi';
import { allGroups } from '../../directory/lookup';
import { addPerson, changeMembership } from '../../directory/people';
import { sshKeysOf } from '../../directory/ssh-keys';
import { keyTable } from './ssh-keys';
import { unitDN } from '../../directory/layout';
import { findEntries, valuesOf } from '../../directory/search/find-entries';
import { html } from '../html';
import { page } from '../layout';
import { csrfChecked, navFor, type PortalDeps, type RequestSession, requireSession, sendPage } from '../session';
import { dateOf } from './home';

interface PersonForm {
  dn?: string;
  group?: string;
}

interface NewPersonForm {
  uid?: string;
  given?: string;
  sn?: string;
  mail?: string;
}

/** The portal's names for the new-person fields, in the input checks' messages. */
const FIELD_NAMES = { uid: 'User name', uidNumber: 'uidNumber', gidNumber: 'gidNumber', mail: 'Mail address', shell: 'Login shell' };

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
  const memberOf = new Set(groups.map((g) => deps.directory.norm.normalizeDN(g.dn).ndn));
  const others = (await allGroups(deps.directory, ['cn'])).filter((g) => !memberOf.has(deps.directory.norm.normalizeDN(g.dn).ndn));
  const locked = await accounts.isLocked(dn);
  const devices = await accounts.wifiCredentials(dn);
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
      <dt>Account</dt>
      <dd>
        ${locked ? `locked${valuesOf(person, 'pwdAccountLockedTime')[0] === '000001010000Z' ? ' by an administrator' : ' after too many failed sign-ins'}` : 'not locked'}
      </dd>
      <dt>Password</dt>
      <dd>${expiry.expiresAt === undefined ? 'does not expire' : `expires on ${dateOf(expiry.expiresAt)}`}</dd>
      <dt>Two-step sign-in</dt>
      <dd>${mfa ?? 'off'}</dd>
    </dl>
    <div class="actions">
      ${action('/admin/person/reset', 'Reset the password')} ${locked ? action('/admin/person/unlock', 'Unlock') : ''}
      ${mfa === 'enrolled' || mfa === 'pending' ? action('/admin/person/mfa-reset', 'Reset two-step sign-in') : ''}
    </div>
    <h2 id="groups">Groups</h2>
    ${
      groups.length
        ? html`<ul class="groups" aria-labelledby="groups">
            ${groups.map(
              (g) =>
                html`<li>
                  ${valuesOf(g, 'cn')[0] ?? g.dn}
                  <form method="post" action="/admin/person/leave" class="inline">
                    <input type="hidden" name="_csrf" value="${csrf}" />
                    <input type="hidden" name="dn" value="${dn}" />
                    <input type="hidden" name="group" value="${g.dn}" />
                    <button type="submit" class="secondary" aria-label="Remove from ${valuesOf(g, 'cn')[0] ?? g.dn}">Remove</button>
                  </form>
                </li>`,
            )}
          </ul>`
        : html`<p>None.</p>`
    }
    ${
      others.length
        ? html`<form method="post" action="/admin/person/join" class="stack">
            <input type="hidden" name="_csrf" value="${csrf}" />
            <input type="hidden" name="dn" value="${dn}" />
            <label for="group">Add to a group</label>
            <select id="group" name="group" required>
              <option value="">Choose a group…</option>
              ${others.map((g) => html`<option value="${g.dn}">${valuesOf(g, 'cn')[0] ?? g.dn}</option>`)}
            </select>
            <button type="submit">Add to the group</button>
          </form>`
        : ''
    }
    <h2>SSH keys</h2>
    ${keyTable(await sshKeysOf(deps.directory, s.session.identity, dn))}
    <h2>Wi-Fi devices</h2>
    ${devicesTable(devices)} ${devices.length ? html`<div class="actions">${action('/admin/person/wifi-revoke', 'Revoke every Wi-Fi device')}</div>` : ''}
    <p><a href="/admin">Find someone else</a></p>`;
  return page({ title: valuesOf(person, 'cn')[0] ?? dn, body, notice, nav: navFor(deps, s, csrf) });
}

/** Each action goes through the engine (which checks again that the caller is an administrator, and audits it). */
function registerAction(app: FastifyInstance, deps: PortalDeps, path: string, run: (s: RequestSession, dn: string, form: PersonForm) => Promise<string>) {
  app.post<{ Body: PersonForm }>(path, csrfChecked(app), async (req, reply) => {
    const s = requireAdmin(deps, req, reply);
    if (!s) return reply;
    const dn = req.body.dn ?? '';
    try {
      const text = await run(s, dn, req.body);
      return sendPage(reply, await personPage(deps, s, dn, reply.generateCsrf(), { kind: 'ok', text }));
    } catch (err) {
      return sendPage(reply, await personPage(deps, s, dn, reply.generateCsrf(), { kind: 'error', text: `Not done: ${refused(err)}.` }), 400);
    }
  });
}

/** An entry as the administrator sees it (a group to change, a person to add to it). */
async function entryAt(deps: PortalDeps, s: RequestSession, dn: string, what: string) {
  const [e] = await findEntries(deps.directory, s.session.identity, dn, { type: 'present', attribute: 'objectClass' }, ['*'], 'base').catch(() => []);
  if (!e) throw new InputError(`no such ${what}: ${dn}`);
  return e;
}

const newPersonForm = (csrf: string, typed: NewPersonForm = {}) =>
  html`<h2 id="add-person">Add a person</h2>
    <form method="post" action="/admin/add" class="stack" aria-labelledby="add-person">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <label for="uid">User name</label>
      <input id="uid" name="uid" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" required value="${typed.uid ?? ''}" />
      <label for="given">Given name</label>
      <input id="given" name="given" type="text" autocomplete="off" required value="${typed.given ?? ''}" />
      <label for="sn">Surname</label>
      <input id="sn" name="sn" type="text" autocomplete="off" required value="${typed.sn ?? ''}" />
      <label for="mail">Mail address <span class="hint">(for reminders and forgotten passwords)</span></label>
      <input id="mail" name="mail" type="email" autocomplete="off" value="${typed.mail ?? ''}" />
      <button type="submit">Add the person</button>
    </form>`;

export function registerAdmin(app: FastifyInstance, deps: PortalDeps): void {
  const accounts = deps.directory.accounts;

  app.get<{ Querystring: { q?: string } }>('/admin', async (req, reply) => {
    const s = requireAdmin(deps, req, reply);
    if (!s) return reply;
    const q = (req.query.q ?? '').trim();
    const csrf = reply.generateCsrf();
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
      }
      ${newPersonForm(csrf)}`;
    return sendPage(reply, page({ title: 'People', body, nav: navFor(deps, s, csrf) }));
  });

  app.post<{ Body: NewPersonForm }>('/admin/add', csrfChecked(app), async (req, reply) => {
    const s = requireAdmin(deps, req, reply);
    if (!s) return reply;
    const f = req.body;
    try {
      const added = await addPerson(
        deps.directory,
        s.session.identity,
        deps.config,
        // As typed: the input checks refuse a stray space in a user name or mail address, and names keep theirs.
        { uid: f.uid ?? '', given: f.given ?? '', sn: f.sn ?? '', mail: f.mail || undefined },
        FIELD_NAMES,
      );
      // A first password from the policy-aware generator, as an administrator's reset makes one: changed at first sign-in.
      const { generated } = await accounts.changePassword(s.session.identity, { userIdentity: added.dn }, undefined, { reset: true });
      const text = `Added ${added.dn} (uidNumber ${added.uidNumber}). First password, shown once: ${generated}. They must change it when they first sign in.`;
      return sendPage(reply, await personPage(deps, s, added.dn, reply.generateCsrf(), { kind: 'ok', text }));
    } catch (err) {
      const csrf = reply.generateCsrf();
      return sendPage(
        reply,
        page({ title: 'People', body: newPersonForm(csrf, f), notice: { kind: 'error', text: `Not added: ${refused(err)}.` }, nav: navFor(deps, s, csrf) }),
        400,
      );
    }
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
  for (const [path, add] of [
    ['/admin/person/join', true],
    ['/admin/person/leave', false],
  ] as const) {
    registerAction(app, deps, path, async (s, dn, form) => {
      const group = await entryAt(deps, s, form.group ?? '', 'group');
      await changeMembership(deps.directory, s.session.identity, group, await entryAt(deps, s, dn, 'person'), add);
      return `${add ? 'Added to' : 'Removed from'} ${valuesOf(group, 'cn')[0] ?? group.dn}.`;
    });
  }
  registerAction(app, deps, '/admin/person/wifi-revoke', async (s, dn) => {
    const revoked = await accounts.revokeWifiCredentials(s.session.identity, dn);
    return `Revoked ${revoked.join(', ')}: those devices can no longer join the Wi-Fi.`;
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
