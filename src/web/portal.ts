import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecureContextOptions } from 'node:tls';
import type { Config, ListenAddress } from '../config';
import type { Directory } from '../directory/directory';
import type { Logger } from '../log';
import { webDir } from '../paths';
import { registerAdmin } from './pages/admin';
import { registerForgot } from './pages/forgot';
import { registerHome } from './pages/home';
import { registerMfa } from './pages/mfa';
import { registerPassword } from './pages/password';
import { registerProfile } from './pages/profile';
import { registerSshKeys } from './pages/ssh-keys';
import { registerWifi } from './pages/wifi';
import { registerAppPasswords } from './pages/app-passwords';
import { registerSignIn } from './pages/sign-in';
import { loadSession, type PortalDeps } from './session';

export interface PortalOptions {
  directory: Directory;
  config: Config;
  log: Logger;
  /** Cairn's certificate and key (the LDAPS ones): the portal is HTTPS only. */
  tls: SecureContextOptions;
}

export interface Portal {
  address: ListenAddress;
  /** Where people reach it: portal.publicUrl, or where it listens. */
  url: string;
  /** A renewed certificate, for new connections (SIGHUP). */
  setSecureContext(tls: SecureContextOptions): void;
  close(): Promise<void>;
}

const STATIC: Record<string, string> = { 'portal.css': 'text/css; charset=utf-8', 'portal.js': 'text/javascript; charset=utf-8' };

/** portal.publicUrl (with its final "/"), or the address it listens on. */
function portalUrl(config: Config, at: ListenAddress): string {
  if (config.portal.publicUrl) return config.portal.publicUrl.replace(/\/?$/, '/');
  return `https://${at.host.includes(':') ? `[${at.host}]` : at.host}:${at.port}/`;
}

/** The self-service portal: Fastify over HTTPS, pages rendered here, every decision made by the accounts engine. */
export async function startPortal(o: PortalOptions, address: ListenAddress): Promise<Portal> {
  const app = Fastify({
    https: { ...o.tls, minVersion: 'TLSv1.2' },
    trustProxy: o.config.portal.trustedProxies.length > 0 ? o.config.portal.trustedProxies : false,
    logger: false,
    bodyLimit: 64 * 1024,
  });
  let base = '';
  await configure(app, { directory: o.directory, config: o.config, log: o.log, baseUrl: () => base });
  try {
    await app.listen({ host: address.host, port: address.port });
  } catch (err) {
    await app.close();
    throw new Error(`cannot listen on portal.listen ${address.host}:${address.port}: ${(err as Error).message}`, { cause: err });
  }
  const bound = app.server.address();
  const at = typeof bound === 'object' && bound ? { host: bound.address, port: bound.port } : address;
  base = portalUrl(o.config, at);
  return {
    address: at,
    url: base,
    setSecureContext: (tls) => app.server.setSecureContext({ ...tls, minVersion: 'TLSv1.2' }),
    close: () => app.close(),
  };
}

async function configure(app: FastifyInstance, deps: PortalDeps): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    // Served over HTTPS only; a year, as browsers expect.
    strictTransportSecurity: { maxAge: 31536000 },
  });
  await app.register(cookie);
  await app.register(formbody);
  await app.register(csrf, { cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: true, signed: false } });
  await app.register(rateLimit, { global: false });
  app.addHook('onSend', async (_req, reply, payload) => {
    // No page is kept by a browser or a proxy: some show secrets (a QR code, a generated password).
    if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
  app.addHook('preHandler', async (req) => {
    req.portal = await loadSession(deps, req);
  });
  app.setErrorHandler((err, req, reply) => {
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500)
      deps.log.error('portal request failed', { method: req.method, path: req.routeOptions.url, error: err instanceof Error ? err.message : String(err) });
    const text =
      (err as { code?: string }).code === 'FST_CSRF_INVALID_TOKEN' || (err as { code?: string }).code === 'FST_CSRF_MISSING_SECRET'
        ? 'This form has expired or did not come from this portal. Go back, reload the page and try again.'
        : status === 429
          ? 'Too many attempts from your address. Wait a minute and try again.'
          : status < 500
            ? 'That request could not be understood.'
            : 'Something went wrong on the server. Try again; if it goes on, tell an administrator.';
    void reply
      .code(status === 500 || status < 400 ? 500 : status)
      .type('text/html; charset=utf-8')
      .send(errorPage(text));
  });
  const files = Object.fromEntries(Object.keys(STATIC).map((f) => [f, readFileSync(join(webDir, f))]));
  app.get<{ Params: { file: string } }>('/static/:file', async (req, reply) => {
    const body = files[req.params.file];
    if (!body) return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
    // The stylesheet and the script hold nothing secret: kept for an hour.
    return reply.type(STATIC[req.params.file]).header('Cache-Control', 'public, max-age=3600').send(body);
  });
  registerSignIn(app, deps);
  registerHome(app, deps);
  registerPassword(app, deps);
  registerMfa(app, deps);
  registerSshKeys(app, deps);
  registerProfile(app, deps);
  registerWifi(app, deps);
  registerAppPasswords(app, deps);
  registerAdmin(app, deps);
  registerForgot(app, deps);
}

const errorPage = (text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8" /><title>Cairn</title><link rel="stylesheet" href="/static/portal.css" /></head>` +
  `<body><main id="main"><h1>Cairn</h1><p class="notice error" role="alert">${text}</p><p><a href="/">Back to the portal</a></p></main></body></html>`;
