import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { LdapError } from '../../directory/errors';
import { html, trusted } from '../html';
import { page } from '../layout';
import { csrfChecked, navFor, type PortalDeps, requireSession, sendPage } from '../session';

interface CodeForm {
  code?: string;
}

const confirmForm = (csrf: string) =>
  html`<form method="post" action="/mfa/confirm" class="stack">
    <input type="hidden" name="_csrf" value="${csrf}" />
    <label for="code">The 6-digit code the app shows now</label>
    <input id="code" name="code" type="text" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required />
    <button type="submit">Turn on</button>
  </form>`;

const startForm = (csrf: string, label: string) =>
  html`<form method="post" action="/mfa/start">
    <input type="hidden" name="_csrf" value="${csrf}" />
    <button type="submit">${label}</button>
  </form>`;

const newCodesForm = (csrf: string, label: string) =>
  html`<form method="post" action="/mfa/recovery-codes">
    <input type="hidden" name="_csrf" value="${csrf}" />
    <button type="submit">${label}</button>
  </form>`;

/** A new set of recovery codes, shown this once. */
const recoveryCodesShown = (codes: string[]) =>
  html`<section aria-labelledby="codes-title">
    <h2 id="codes-title">Your recovery codes</h2>
    <p>
      If you lose your phone, sign in here with your password and one of these codes in place of the app's code. Each code works once. Keep them somewhere safe
      (printed, or in a password manager): they are shown only now, and any earlier codes no longer work.
    </p>
    <ul class="recovery-codes">
      ${codes.map((c) => html`<li><code>${c}</code></li>`)}
    </ul>
  </section>`;

export function registerMfa(app: FastifyInstance, deps: PortalDeps): void {
  const accounts = deps.directory.accounts;

  app.get('/mfa', async (req, reply) => {
    const s = requireSession(deps, req, reply, 'mfa');
    if (!s) return reply;
    const csrf = reply.generateCsrf();
    const state = await accounts.mfaStatus(s.session.identity.dn);
    const left = state === 'enrolled' ? await accounts.mfaRecoveryCodesLeft(s.session.identity.dn) : 0;
    const body =
      state === 'enrolled'
        ? html`<p>
              Two-step sign-in is <strong>on</strong>. Sign in everywhere (this portal, your computer, Wi-Fi, applications) with your password followed by the
              code your app shows, or here with the code in its own field.
            </p>
            <p>
              You have <strong>${String(left)}</strong> unused recovery code${left === 1 ? '' : 's'}: each signs you in here once in place of the app's code, if
              you lose your phone.
            </p>
            ${newCodesForm(csrf, left === 0 ? 'Make recovery codes' : 'Make a new set of recovery codes')}
            <p>Lost your phone and your recovery codes? Ask an administrator to reset two-step sign-in, then set it up again here.</p>`
        : html`<p>
              Two-step sign-in is
              <strong>${state === 'pending' ? 'being set up' : 'off'}</strong>${state === 'required' ? ', and your organisation requires it' : ''}.
            </p>
            <p>
              With it on, signing in takes your password and a 6-digit code from an authenticator app on your phone (for example FreeOTP, Aegis, Google
              Authenticator or 1Password).
            </p>
            ${startForm(csrf, state === 'pending' ? 'Start again' : 'Turn on two-step sign-in')}`;
    return sendPage(reply, page({ title: 'Two-step sign-in', body, nav: navFor(deps, s, csrf) }));
  });

  app.post('/mfa/start', csrfChecked(app), async (req, reply) => {
    const s = requireSession(deps, req, reply, 'mfa');
    if (!s) return reply;
    const csrf = reply.generateCsrf();
    try {
      const { secret, uri } = await accounts.mfaEnroll(s.session.identity, s.session.identity.dn);
      const qr = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
      const body = html`<ol class="steps">
        <li>
          <p>Scan this code with your authenticator app:</p>
          <figure class="qr" role="img" aria-label="QR code holding your two-step sign-in secret">${trusted(qr)}</figure>
          <p>Or type the secret in by hand: <code class="secret">${secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
        </li>
        <li>${confirmForm(csrf)}</li>
      </ol>`;
      return sendPage(reply, page({ title: 'Turn on two-step sign-in', body, nav: navFor(deps, s, csrf) }));
    } catch (err) {
      if (!(err instanceof LdapError)) throw err;
      return sendPage(reply, page({ title: 'Two-step sign-in', body: html``, notice: { kind: 'error', text: err.message }, nav: navFor(deps, s, csrf) }), 403);
    }
  });

  app.post('/mfa/recovery-codes', csrfChecked(app), async (req, reply) => {
    const s = requireSession(deps, req, reply, 'mfa');
    if (!s) return reply;
    const csrf = reply.generateCsrf();
    try {
      const codes = await accounts.mfaRecoveryCodes(s.session.identity, s.session.identity.dn);
      const body = html`${recoveryCodesShown(codes)}
        <p><a href="/mfa">Back to two-step sign-in</a></p>`;
      return sendPage(reply, page({ title: 'New recovery codes', body, notice: { kind: 'ok', text: 'New recovery codes made.' }, nav: navFor(deps, s, csrf) }));
    } catch (err) {
      if (!(err instanceof LdapError)) throw err;
      return sendPage(reply, page({ title: 'Two-step sign-in', body: html``, notice: { kind: 'error', text: err.message }, nav: navFor(deps, s, csrf) }), 403);
    }
  });

  app.post<{ Body: CodeForm }>('/mfa/confirm', csrfChecked(app), async (req, reply) => {
    const s = requireSession(deps, req, reply, 'mfa');
    if (!s) return reply;
    const csrf = reply.generateCsrf();
    try {
      await accounts.mfaConfirm(s.session.identity, s.session.identity.dn, (req.body.code ?? '').trim());
      const codes = await accounts.mfaRecoveryCodes(s.session.identity, s.session.identity.dn);
      const body = html`<p>
          From now on, sign in with your password and then the code from your app. Where there is only a password field (your computer, Wi-Fi, applications),
          type the code right after your password.
        </p>
        ${recoveryCodesShown(codes)}
        <p><a href="/">Back to your account</a></p>`;
      return sendPage(
        reply,
        page({ title: 'Two-step sign-in is on', body, notice: { kind: 'ok', text: 'Two-step sign-in is on.' }, nav: navFor(deps, s, csrf) }),
      );
    } catch (err) {
      if (!(err instanceof LdapError)) throw err;
      const body = html`${confirmForm(csrf)}
        <p>Or ${startForm(csrf, 'start again with a new code')}</p>`;
      return sendPage(
        reply,
        page({ title: 'Turn on two-step sign-in', body, notice: { kind: 'error', text: `Not turned on: ${err.message}.` }, nav: navFor(deps, s, csrf) }),
        400,
      );
    }
  });
}
