import type { FastifyInstance } from 'fastify';
import { findEntries, valuesOf } from '../../directory/search/find-entries';
import { html } from '../html';
import { page } from '../layout';
import { navFor, type PortalDeps, requireSession, sendPage } from '../session';
import { sshKeysOf } from '../../directory/ssh-keys';
import { keyTable } from './ssh-keys';

const day = 86_400_000;
export const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function registerHome(app: FastifyInstance, deps: PortalDeps): void {
  app.get('/', async (req, reply) => {
    const s = requireSession(deps, req, reply);
    if (!s) return reply;
    const { identity } = s.session;
    const accounts = deps.directory.accounts;
    const [me] = await findEntries(deps.directory, identity, identity.dn, { type: 'present', attribute: 'objectClass' }, ['*'], 'base');
    const uid = me ? valuesOf(me, 'uid')[0] : undefined;
    const groups = await findEntries(
      deps.directory,
      identity,
      deps.directory.namingContext,
      {
        type: 'or',
        filters: [
          { type: 'equality', attribute: 'member', value: identity.dn },
          ...(uid ? [{ type: 'equality' as const, attribute: 'memberUid', value: uid }] : []),
        ],
      },
      ['cn'],
    );
    const expiry = await accounts.passwordExpiry(identity.dn);
    const mfa = await accounts.mfaStatus(identity.dn);
    const keys = await sshKeysOf(deps.directory, identity, identity.dn);
    const name = me ? (valuesOf(me, 'displayName')[0] ?? valuesOf(me, 'cn')[0] ?? uid) : uid;
    const now = accounts.now();
    const expiryText =
      expiry.expiresAt === undefined
        ? 'Your password does not expire.'
        : expiry.expiresAt <= now
          ? `Your password expired on ${dateOf(expiry.expiresAt)}.`
          : `Your password expires on ${dateOf(expiry.expiresAt)} (in ${Math.ceil((expiry.expiresAt - now) / day)} days).`;
    const body = html`<section aria-labelledby="you">
        <h2 id="you">${name ?? identity.dn}</h2>
        <dl>
          <dt>User name</dt>
          <dd>${uid ?? '—'}</dd>
          <dt>Mail</dt>
          <dd>${(me && valuesOf(me, 'mail')[0]) ?? '—'}</dd>
          <dt>Groups</dt>
          <dd>${groups.length ? groups.map((g) => valuesOf(g, 'cn')[0] ?? g.dn).join(', ') : 'none'}</dd>
        </dl>
        <p><a href="/profile">Edit your profile</a></p>
      </section>
      <section aria-labelledby="password">
        <h2 id="password">Password</h2>
        <p class="${expiry.warn ? 'notice warn' : ''}">${expiryText}</p>
        <p><a href="/password">Change your password</a></p>
      </section>
      <section aria-labelledby="mfa">
        <h2 id="mfa">Two-step sign-in</h2>
        <p>
          ${mfa === 'enrolled' ? 'On: you sign in with your password and a code from your authenticator app.' : mfa === 'required' ? 'Required for you, and not set up yet.' : 'Off.'}
        </p>
        <p><a href="/mfa">${mfa === 'enrolled' ? 'See two-step sign-in' : 'Turn on two-step sign-in'}</a></p>
      </section>
      <section aria-labelledby="keys">
        <h2 id="keys">SSH keys</h2>
        ${keyTable(keys)}
        <p><a href="/ssh-keys">Add or remove SSH keys</a></p>
      </section>`;
    return sendPage(reply, page({ title: 'Your account', body, nav: navFor(deps, s, reply.generateCsrf()) }));
  });
}
