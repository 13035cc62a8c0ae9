import { createHash, randomBytes } from 'node:crypto';
import type { DirectoryContext } from '../context';
import type { Identity } from '../identity';
import { identityOf } from './bind';
import { restrict, restrictionOf, type SessionRestriction } from './restriction';

/** A signed-in person on the portal, as of this request. */
export interface PortalSession {
  identity: Identity & { kind: 'user' };
  /** What the sign-in left: after an administrator's reset or an expired password, only a password change. */
  restriction?: SessionRestriction;
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * The portal's sessions: a random token in the browser's cookie, its hash in the store (so every worker
 * and a restart know it). A session ends after portal.sessionIdleMinutes without a request, after
 * portal.sessionMaxHours whatever happens, at sign-out, and with every change of the person's password.
 */
export class PortalSessions {
  constructor(private readonly ctx: DirectoryContext) {}

  private get limits() {
    const p = this.ctx.config.portal;
    return { idle: p.sessionIdleMinutes * 60_000, max: p.sessionMaxHours * 3_600_000 };
  }

  /** A new session for a person the engine has just authenticated; the token goes to the browser only. */
  async open(entryId: number, restriction?: SessionRestriction): Promise<string> {
    const now = this.ctx.now();
    const { idle, max } = this.limits;
    await this.ctx.store.expireWebSessions(now - idle, now - max);
    const token = randomBytes(32).toString('base64url');
    const r = restrictionOf(restriction);
    await this.ctx.store.createWebSession(digest(token), { entryId, createdAt: now, seenAt: now, restriction: r ? JSON.stringify(r) : undefined });
    return token;
  }

  /** The session a token stands for, if it is still alive (and then it counts as seen now). */
  async resume(token: string): Promise<PortalSession | undefined> {
    const key = digest(token);
    const s = await this.ctx.store.webSession(key);
    if (!s) return undefined;
    const now = this.ctx.now();
    const { idle, max } = this.limits;
    const entry = now - s.seenAt >= idle || now - s.createdAt >= max ? undefined : await this.ctx.store.entryById(s.entryId);
    if (!entry) {
      await this.ctx.store.deleteWebSession(key);
      return undefined;
    }
    await this.ctx.store.touchWebSession(key, now);
    const identity = identityOf(this.ctx, entry);
    const restriction = s.restriction ? (JSON.parse(s.restriction) as Parameters<typeof restrict>[0]) : undefined;
    // Enrolment done (confirmed): the session is no longer held to it.
    if (restriction?.kind === 'mustEnrol' && (await this.ctx.store.totp(entry.id))?.confirmed) return { identity };
    return { identity, restriction: restriction && restrict(restriction) };
  }

  end(token: string): Promise<void> {
    return this.ctx.store.deleteWebSession(digest(token));
  }
}
