import type { FastifyInstance } from 'fastify';
import { LdapError } from '../../directory/errors';
import { policyInWords } from '../../security/policy/in-words';
import type { PasswordPolicy } from '../../security/policy/types';
import { html } from '../html';
import { page } from '../layout';
import { csrfChecked, navFor, type PortalDeps, type RequestSession, requireSession, sendPage, setSessionCookie } from '../session';

interface PasswordForm {
  current?: string;
  password?: string;
  confirm?: string;
}

/** The numbers the page's script checks as the person types (the server checks everything again). */
const liveChecks = (p: PasswordPolicy) =>
  JSON.stringify({
    minLength: p.minLength,
    maxLength: p.maxLength,
    minClasses: p.minClasses,
    minUpper: p.minUpper,
    minLower: p.minLower,
    minDigit: p.minDigit,
    minSpecial: p.minSpecial,
  });

async function passwordPage(deps: PortalDeps, s: RequestSession, csrf: string, notice?: { kind: 'ok' | 'error'; text: string }): Promise<string> {
  const accounts = deps.directory.accounts;
  const policy = await accounts.policyOf(s.session.identity.dn);
  const only = accounts.passwordChangeOnly(s.session);
  const body = html`${only ? html`<p class="notice warn" role="status">You must choose a new password before you go on.</p>` : ''}
    <form method="post" action="/password" class="stack" id="password-form">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <label for="current">Current password</label>
      <input id="current" name="current" type="password" autocomplete="current-password" required />
      <label for="password">New password</label>
      <input id="password" name="password" type="password" autocomplete="new-password" required aria-describedby="rules" data-checks="${liveChecks(policy)}" />
      <div id="rules">
        <p>Your new password must be:</p>
        <ul class="rules">
          ${policyInWords(policy).map((r) => html`<li>${r}</li>`)}
        </ul>
      </div>
      <label for="confirm">New password again</label>
      <input id="confirm" name="confirm" type="password" autocomplete="new-password" required />
      <button type="submit">Change password</button>
    </form>`;
  return page({ title: 'Change your password', body, notice, nav: navFor(deps, s, csrf) });
}

export function registerPassword(app: FastifyInstance, deps: PortalDeps): void {
  app.get('/password', async (req, reply) => {
    const s = requireSession(deps, req, reply, 'password');
    if (!s) return reply;
    return sendPage(reply, await passwordPage(deps, s, reply.generateCsrf()));
  });

  app.post<{ Body: PasswordForm }>('/password', csrfChecked(app), async (req, reply) => {
    const s = requireSession(deps, req, reply, 'password');
    if (!s) return reply;
    const { current = '', password = '', confirm = '' } = req.body;
    if (password !== confirm)
      return sendPage(reply, await passwordPage(deps, s, reply.generateCsrf(), { kind: 'error', text: 'The two new passwords are not the same.' }), 400);
    try {
      const token = await deps.directory.accounts.changeOwnPassword(s.session, current, password);
      setSessionCookie(reply, token);
      const renewed = await deps.directory.accounts.portalSession(token);
      const text = 'Your password is changed. You are signed out everywhere else.';
      return sendPage(reply, await passwordPage(deps, { token, session: renewed ?? s.session }, reply.generateCsrf(), { kind: 'ok', text }));
    } catch (err) {
      if (!(err instanceof LdapError)) throw err;
      return sendPage(reply, await passwordPage(deps, s, reply.generateCsrf(), { kind: 'error', text: `Not changed: ${err.message}.` }), 400);
    }
  });
}
