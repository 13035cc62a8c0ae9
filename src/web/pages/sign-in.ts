import type { FastifyInstance } from 'fastify';
import { LdapError } from '../../directory/errors';
import { SYSTEM } from '../../directory/identity';
import { personDN, unitDN } from '../../directory/layout';
import { findEntries } from '../../directory/search/find-entries';
import { ResultCode } from '../../ldap/result-codes';
import { html } from '../html';
import { page } from '../layout';
import { type PortalDeps, clearSessionCookie, csrfChecked, sendPage, setSessionCookie } from '../session';

interface SignInForm {
  username?: string;
  password?: string;
  code?: string;
}

function signInPage(csrf: string, username = '', error?: string): string {
  return page({
    title: 'Sign in',
    notice: error ? { kind: 'error', text: error } : undefined,
    body: html`<form method="post" action="/sign-in" class="stack">
        <input type="hidden" name="_csrf" value="${csrf}" />
        <label for="username">User name or mail address</label>
        <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${username}" />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <label for="code">Code from your authenticator app, or a recovery code <span class="hint">(only if you turned on two-step sign-in)</span></label>
        <input id="code" name="code" type="text" autocapitalize="none" spellcheck="false" maxlength="20" autocomplete="one-time-code" />
        <button type="submit">Sign in</button>
      </form>
      <p><a href="/forgot">Forgot your password?</a></p>`,
  });
}

/** The person a sign-in name stands for: their uid or mail address under ou=people. */
export async function personNamed(deps: PortalDeps, name: string): Promise<string | undefined> {
  const base = deps.directory.namingContext;
  const found = await findEntries(
    deps.directory,
    SYSTEM,
    unitDN(base, 'people'),
    {
      type: 'or',
      filters: [
        { type: 'equality', attribute: 'uid', value: name },
        { type: 'equality', attribute: 'mail', value: name },
      ],
    },
    ['1.1'],
  );
  return found.length === 1 ? found[0].dn : undefined;
}

/** What a refused sign-in says: the engine's words, but one sentence for every kind of wrong credential. */
function refusal(err: unknown): string {
  if (err instanceof LdapError && err.resultCode === ResultCode.invalidCredentials && err.message === 'invalid credentials')
    return 'The user name, password or code is wrong, or the account is locked.';
  if (err instanceof LdapError) return `Sign-in refused: ${err.message}.`;
  throw err;
}

export function registerSignIn(app: FastifyInstance, deps: PortalDeps): void {
  app.get('/sign-in', async (req, reply) => {
    if (req.portal) return reply.redirect('/');
    return sendPage(reply, signInPage(reply.generateCsrf()));
  });

  // Guessing one account's password is stopped by its lockout (the same counter as LDAP binds); this limit
  // per client address only slows a sweep over many accounts, and leaves room for an office behind one NAT.
  app.post<{ Body: SignInForm }>('/sign-in', { ...csrfChecked(app), config: { rateLimit: { max: 60, timeWindow: 60_000 } } }, async (req, reply) => {
    const name = (req.body.username ?? '').trim();
    const password = req.body.password ?? '';
    const code = (req.body.code ?? '').trim();
    // An unknown name costs what a wrong password costs: the engine checks a DN that does not exist.
    const dn = (name && (await personNamed(deps, name))) || personDN(deps.directory.namingContext, name || '-');
    try {
      const signedIn = await deps.directory.accounts.signIn(dn, password, code, { address: req.ip, earlierIdentities: [] });
      if (req.portal) await deps.directory.accounts.signOut(req.portal.token);
      setSessionCookie(reply, signedIn.token);
      return reply.redirect(signedIn.passwordChangeOnly ? '/password' : signedIn.mfaEnrolmentOnly ? '/mfa' : '/', 303);
    } catch (err) {
      return sendPage(reply, signInPage(reply.generateCsrf(), name, refusal(err)), 401);
    }
  });

  app.post('/sign-out', csrfChecked(app), async (req, reply) => {
    if (req.portal) await deps.directory.accounts.signOut(req.portal.token);
    clearSessionCookie(reply);
    return reply.redirect('/sign-in', 303);
  });
}
