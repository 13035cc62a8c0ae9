import type { FastifyInstance } from 'fastify';
import { LdapError } from '../../directory/errors';
import { personDN } from '../../directory/layout';
import { smtpSender } from '../../notify/mailer';
import { escapeHtml, html } from '../html';
import { page } from '../layout';
import { csrfChecked, sendPage, type PortalDeps } from '../session';
import { personNamed } from './sign-in';

interface ForgotForm {
  username?: string;
}
interface ResetForm {
  token?: string;
  password?: string;
  confirm?: string;
  code?: string;
}

const SAME_ANSWER = 'If that account exists and has a mail address, a link to choose a new password is on its way. It works for 30 minutes, once.';

function resetForm(csrf: string, token: string, needsCode: boolean, error?: string): string {
  return page({
    title: 'Choose a new password',
    notice: error ? { kind: 'error', text: error } : undefined,
    body: html`<form method="post" action="/reset" class="stack">
      <input type="hidden" name="_csrf" value="${csrf}" />
      <input type="hidden" name="token" value="${token}" />
      <label for="password">New password</label>
      <input id="password" name="password" type="password" autocomplete="new-password" required />
      <label for="confirm">New password again</label>
      <input id="confirm" name="confirm" type="password" autocomplete="new-password" required />
      ${
        needsCode
          ? html`<label for="code">Code from your authenticator app, or a recovery code</label>
              <input id="code" name="code" type="text" autocapitalize="none" spellcheck="false" maxlength="20" autocomplete="one-time-code" required />`
          : ''
      }
      <button type="submit">Set the new password</button>
    </form>`,
  });
}

export function registerForgot(app: FastifyInstance, deps: PortalDeps): void {
  const accounts = deps.directory.accounts;

  app.get('/forgot', async (_req, reply) =>
    sendPage(
      reply,
      page({
        title: 'Forgot your password?',
        body: html`<form method="post" action="/forgot" class="stack">
          <input type="hidden" name="_csrf" value="${reply.generateCsrf()}" />
          <label for="username">User name or mail address</label>
          <input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required />
          <button type="submit">Send me a link</button>
        </form>`,
      }),
    ),
  );

  app.post<{ Body: ForgotForm }>('/forgot', { ...csrfChecked(app), config: { rateLimit: { max: 5, timeWindow: 60_000 } } }, async (req, reply) => {
    const name = (req.body.username ?? '').trim();
    const dn = (name && (await personNamed(deps, name))) || personDN(deps.directory.namingContext, name || '-');
    const mail = await accounts.requestPasswordReset(dn);
    if (mail) {
      const link = `${deps.baseUrl()}reset?token=${mail.token}`;
      const text = `Hello ${mail.name},\n\nSomeone (we hope you) asked to choose a new password for your account. Follow this link within 30 minutes; it works once:\n\n${link}\n\nIf you did not ask, ignore this mail: your password stays as it is.\n`;
      const markup = `<p>Hello ${escapeHtml(mail.name)},</p><p>Someone (we hope you) asked to choose a new password for your account. Follow this link within 30 minutes; it works once:</p><p><a href="${escapeHtml(link)}">Choose a new password</a></p><p>If you did not ask, ignore this mail: your password stays as it is.</p>`;
      // The answer never waits for the mail server, and never says whether a mail went out.
      smtpSender(deps.config.notify.smtp)({ to: mail.to, subject: 'Choose a new password', text, html: markup }).catch((err: unknown) =>
        deps.log.error('password reset mail not sent', { error: err instanceof Error ? err.message : String(err) }),
      );
    }
    return sendPage(
      reply,
      page({ title: 'Check your mail', body: html`<p><a href="/sign-in">Back to sign-in</a></p>`, notice: { kind: 'ok', text: SAME_ANSWER } }),
    );
  });

  app.get<{ Querystring: { token?: string } }>('/reset', async (req, reply) => {
    const token = req.query.token ?? '';
    const link = token ? await accounts.resetLink(token) : undefined;
    if (!link)
      return sendPage(
        reply,
        page({
          title: 'Choose a new password',
          body: html`<p><a href="/forgot">Ask for a new link</a></p>`,
          notice: { kind: 'error', text: 'This link has expired or was used already.' },
        }),
        410,
      );
    return sendPage(reply, resetForm(reply.generateCsrf(), token, link.needsCode));
  });

  app.post<{ Body: ResetForm }>('/reset', { ...csrfChecked(app), config: { rateLimit: { max: 10, timeWindow: 60_000 } } }, async (req, reply) => {
    const { token = '', password = '', confirm = '', code = '' } = req.body;
    const link = token ? await accounts.resetLink(token) : undefined;
    const again = (error: string) => sendPage(reply, resetForm(reply.generateCsrf(), token, link?.needsCode ?? false, error), 400);
    if (password !== confirm) return again('The two new passwords are not the same.');
    try {
      await accounts.resetForgottenPassword(token, password, code.trim(), { address: req.ip, earlierIdentities: [] });
    } catch (err) {
      if (!(err instanceof LdapError)) throw err;
      return again(`Not changed: ${err.message}.`);
    }
    return sendPage(
      reply,
      page({
        title: 'Your password is set',
        body: html`<p><a href="/sign-in">Sign in</a> with it now.</p>`,
        notice: { kind: 'ok', text: 'Your new password is set.' },
      }),
    );
  });
}
