// The developer portal's sign-up, by its API and by its page, is limited per client address (RFC 6585 §4):
// each attempt checks the invite code and each success writes an organisation to the shared directory,
// so a script may neither guess the code nor fill the store. One limiter serves both routes.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { RequestHandler } from 'express';
import { type RateLimitInfo, rateLimit } from 'express-rate-limit';
import { MAX_SOFTWARE_PER_ORGANISATION } from '../domain/developers.js';

export interface SignUpLimit {
  /** Attempts allowed per client address in each window, refused ones included. */
  attempts: number;
  windowMs: number;
}

/** Enough for a class sharing one machine; far too few to guess a 39-bit invite code. */
export const SIGN_UP_LIMIT: SignUpLimit = { attempts: 30, windowMs: 15 * 60_000 };

// RFC 6585 §4: 429 with Retry-After, in the OAuth error shape every refusal of the directory has.
function tooManySignUps(limit: SignUpLimit, retryAfterSeconds: number): OAuthError {
  return new OAuthError({
    status: 429,
    error: 'too_many_requests',
    description: `This address tried to sign up ${limit.attempts} times in ${limit.windowMs / 60_000} minutes, the most the developer portal allows`,
    clause: 'RFC 6585 §4',
    fix: `wait ${retryAfterSeconds} s (Retry-After) and sign up once; one organisation holds up to ${MAX_SOFTWARE_PER_ORGANISATION} software statements`,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
}

export function signUpRateLimit(limit: SignUpLimit = SIGN_UP_LIMIT): RequestHandler {
  return rateLimit({
    windowMs: limit.windowMs,
    limit: limit.attempts,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (req, _res, next) => {
      const info = (req as { rateLimit?: RateLimitInfo }).rateLimit;
      const resetAt = info?.resetTime?.getTime() ?? Date.now() + limit.windowMs;
      next(tooManySignUps(limit, Math.max(1, Math.ceil((resetAt - Date.now()) / 1000))));
    },
  });
}
