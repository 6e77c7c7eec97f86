// The learner's session cookie: opaque, random, httpOnly (scripts cannot read it), Secure (https only),
// SameSite=Lax (sent on the bank's top-level redirect back to /callback, not on cross-site subrequests).
import type { NextFunction, Request, Response } from 'express';
import type { Session, SessionStore } from '../store/sessions.js';

export const SESSION_COOKIE = 'mw_session';

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
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
  return (req: Request, res: Response, next: NextFunction): void => {
    const id = readCookie(req.headers.cookie, SESSION_COOKIE);
    let session = id ? sessions.get(id) : undefined;
    if (!session) {
      session = sessions.create();
      res.cookie(SESSION_COOKIE, session.id, { httpOnly: true, secure: true, sameSite: 'lax', path: '/' });
    }
    res.locals.session = session;
    next();
  };
}

/** The session a request carries, without starting one (the callback must not invent a session). */
export function existingSessionId(req: Request, sessions: SessionStore): string | undefined {
  const id = readCookie(req.headers.cookie, SESSION_COOKIE);
  return id && sessions.get(id) ? id : undefined;
}
