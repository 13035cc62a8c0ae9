import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import type { PortalSession } from '../directory/accounts/accounts';
import type { Directory } from '../directory/directory';
import type { Logger } from '../log';

export interface PortalDeps {
  directory: Directory;
  config: Config;
  log: Logger;
  /** Where people reach the portal (portal.publicUrl, or where it listens), ending in "/": for links in mail. */
  baseUrl(): string;
}

/** What a request carries once its cookie is read: the session's token and the engine's view of it. */
export interface RequestSession {
  token: string;
  session: PortalSession;
}

declare module 'fastify' {
  interface FastifyRequest {
    portal?: RequestSession;
  }
}

export const SESSION_COOKIE = 'cairn_session';
const COOKIE = { path: '/', httpOnly: true, secure: true, sameSite: 'strict' } as const;

export async function loadSession(deps: PortalDeps, req: FastifyRequest): Promise<RequestSession | undefined> {
  const token = req.cookies[SESSION_COOKIE];
  if (!token) return undefined;
  const session = await deps.directory.accounts.portalSession(token);
  return session && { token, session };
}

export function setSessionCookie(reply: FastifyReply, token: string): void {
  void reply.setCookie(SESSION_COOKIE, token, COOKIE);
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, COOKIE);
}

/** What the engine still holds a session to: changing its password, or turning on MFA; undefined: nothing. */
export function heldTo(deps: PortalDeps, s: RequestSession): 'password' | 'mfa' | undefined {
  const accounts = deps.directory.accounts;
  return accounts.passwordChangeOnly(s.session) ? 'password' : accounts.mfaEnrolmentOnly(s.session) ? 'mfa' : undefined;
}

/**
 * The session a page needs, or a redirect: to sign-in without one; to the password or MFA page when the
 * engine holds the session to it (`page`: the part of the portal this page belongs to).
 */
export function requireSession(deps: PortalDeps, req: FastifyRequest, reply: FastifyReply, page?: 'password' | 'mfa'): RequestSession | undefined {
  if (!req.portal) {
    void reply.redirect('/sign-in');
    return undefined;
  }
  const held = heldTo(deps, req.portal);
  if (held && held !== page) {
    void reply.redirect(held === 'password' ? '/password' : '/mfa');
    return undefined;
  }
  return req.portal;
}

/** The navigation of a signed-in page. */
export const navFor = (deps: PortalDeps, s: RequestSession, csrf: string) => ({ csrf, only: heldTo(deps, s), isAdmin: s.session.identity.isAdmin });

export const sendPage = (reply: FastifyReply, body: string, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(body);

/** A form's route options: its CSRF token is checked before the handler runs. */
export const csrfChecked = (app: FastifyInstance) => ({ preHandler: app.csrfProtection.bind(app) });
