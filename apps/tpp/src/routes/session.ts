// The learner's session cookie: opaque, random, httpOnly (scripts cannot read it), Secure (https only),
// SameSite=Lax (sent on the bank's top-level redirect back to /callback, not on cross-site subrequests).
import { parseCookie } from 'cookie';
import type { NextFunction, Request, Response } from 'express';
import type { Session, SessionStore } from '../store/sessions.js';

export const SESSION_COOKIE = 'mw_session';

/** The session id the browser sent, read by the `cookie` package (RFC 6265 §4.2.1; bad encoding is no error). */
function sessionCookie(req: Request): string | undefined {
  return parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
}

declare global {
  namespace Express {
    interface Locals {
      session: Session;
    }
  }
}

/** Finds the session of the cookie, or starts one and sets the cookie. */
export function sessionMiddleware(sessions: SessionStore) {
  // Express 5 passes a rejected promise (the store unreachable) to the error handler.
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const id = sessionCookie(req);
    let session = id ? await sessions.get(id) : undefined;
    if (!session) {
      session = await sessions.create();
      res.cookie(SESSION_COOKIE, session.id, { httpOnly: true, secure: true, sameSite: 'lax', path: '/' });
    }
    res.locals.session = session;
    next();
  };
}

/** The session a request carries, without starting one (the callback must not invent a session). */
export async function existingSessionId(req: Request, sessions: SessionStore): Promise<string | undefined> {
  const id = sessionCookie(req);
  return id && (await sessions.get(id)) ? id : undefined;
}
