// The web page's admin session: after the admin credential is entered once, a random session id in a
// cookie that is HttpOnly, Secure and SameSite=Strict. State-changing forms must also show that they come
// from the directory's own page (Origin or Sec-Fetch-Site), so another site cannot make a browser post them.
import { randomBytes } from 'node:crypto';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { crossSiteRefusal } from '@fapi-sandbox/fapi-core/same-origin';
import { parseCookie } from 'cookie';
import type { Request, Response } from 'express';

export const SESSION_COOKIE = '__Host-directory-session';
const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;
const MAX_SESSIONS = 200;

/** A cookie the browser sent, read by the `cookie` package (RFC 6265 §4.2.1). */
function cookieValue(req: Request, name: string): string | undefined {
  return parseCookie(req.headers.cookie ?? '')[name];
}

/**
 * Random session ids (256 bits) in a `__Host-` cookie that is HttpOnly, Secure and SameSite=Strict
 * (RFC 6265bis §4.1.3.2), each mapped in memory to what the session is for; lost at a restart.
 */
export function createCookieSessions<T>(cookieName: string) {
  const sessions = new Map<string, { value: T; expiresAt: number }>();

  return {
    get(req: Request): T | undefined {
      const id = cookieValue(req, cookieName);
      if (!id) return undefined;
      const session = sessions.get(id);
      if (!session) return undefined;
      if (session.expiresAt < Date.now()) {
        sessions.delete(id);
        return undefined;
      }
      return session.value;
    },

    start(res: Response, value: T): void {
      if (sessions.size >= MAX_SESSIONS) {
        const oldest = sessions.keys().next().value;
        if (oldest !== undefined) sessions.delete(oldest);
      }
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, { value, expiresAt: Date.now() + SESSION_LIFETIME_MS });
      res.append(
        'Set-Cookie',
        `${cookieName}=${id}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${SESSION_LIFETIME_MS / 1000}`,
      );
    },

    end(req: Request, res: Response): void {
      const id = cookieValue(req, cookieName);
      if (id) sessions.delete(id);
      res.append('Set-Cookie', `${cookieName}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`);
    },
  };
}

/** Every form POST: same origin only (defence in depth beside SameSite=Strict), fapi-core's one rule. */
export function assertSameOrigin(req: Request, origin: string): void {
  const refusal = crossSiteRefusal(req.headers, origin, "submit the form from the directory's own page");
  if (refusal) throw refusal;
}

export function createSessions(origin: string) {
  const sessions = createCookieSessions<true>(SESSION_COOKIE);
  const isAdmin = (req: Request): boolean => sessions.get(req) === true;

  return {
    isAdmin,
    start: (res: Response): void => sessions.start(res, true),
    end: sessions.end,
    assertSameOrigin: (req: Request): void => assertSameOrigin(req, origin),

    assertAdmin(req: Request): void {
      if (!isAdmin(req)) {
        throw new OAuthError({
          status: 401,
          error: 'unauthorized',
          description: 'Suspending or revoking needs the directory admin credential',
          fix: 'sign in on /ui/login with the credential printed by pnpm dev',
        });
      }
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
