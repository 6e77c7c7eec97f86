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

export function createSessions(origin: string) {
  const sessions = new Map<string, number>();

  function isAdmin(req: Request): boolean {
    const id = cookieValue(req, SESSION_COOKIE);
    if (!id) return false;
    const expiresAt = sessions.get(id);
    if (expiresAt === undefined) return false;
    if (expiresAt < Date.now()) {
      sessions.delete(id);
      return false;
    }
    return true;
  }

  return {
    isAdmin,

    start(res: Response): void {
      if (sessions.size >= MAX_SESSIONS) {
        const oldest = sessions.keys().next().value;
        if (oldest !== undefined) sessions.delete(oldest);
      }
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, Date.now() + SESSION_LIFETIME_MS);
      res.append(
        'Set-Cookie',
        `${SESSION_COOKIE}=${id}; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${SESSION_LIFETIME_MS / 1000}`,
      );
    },

    end(req: Request, res: Response): void {
      const id = cookieValue(req, SESSION_COOKIE);
      if (id) sessions.delete(id);
      res.append('Set-Cookie', `${SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0`);
    },

    /** Every form POST: same origin only (defence in depth beside SameSite=Strict), fapi-core's one rule. */
    assertSameOrigin(req: Request): void {
      const refusal = crossSiteRefusal(req.headers, origin, "submit the form from the directory's own page");
      if (refusal) throw refusal;
    },

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
