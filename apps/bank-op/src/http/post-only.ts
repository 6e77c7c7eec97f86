// The back-channel endpoints (PAR, token, introspection, revocation) take POST only: any other method
// on them answers 405 with Allow (RFC 9110 §15.5.6), not a 404 that suggests the endpoint is missing.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { NextFunction, Request, Response } from 'express';
import { ROUTES } from '../provider/discovery.js';

/** The clause that makes each back-channel endpoint POST-only. */
const POST_ONLY_CLAUSE: Record<string, string> = {
  [ROUTES.pushed_authorization_request]: 'RFC 9126 §2.1',
  [ROUTES.token]: 'RFC 6749 §3.2',
  [ROUTES.introspection]: 'RFC 7662 §2.1',
  [ROUTES.revocation]: 'RFC 7009 §2.1',
  [ROUTES.backchannel_authentication]: 'CIBA §7.1',
};

/** Passes POST (and the CORS preflight OPTIONS) on; refuses every other method with 405 and Allow. */
export function postOnly(route: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (req.method === 'POST' || req.method === 'OPTIONS') {
      next();
      return;
    }
    // RFC 9110 §15.5.6: a 405 names the methods the resource supports in Allow.
    next(
      new OAuthError({
        status: 405,
        error: 'invalid_request',
        description: `${req.method} is not allowed on ${route}`,
        clause: `${POST_ONLY_CLAUSE[route] ?? 'RFC 6749 §3.2'}, RFC 9110 §15.5.6`,
        fix: 'send a POST with an application/x-www-form-urlencoded body',
        headers: { Allow: 'POST' },
      }),
    );
  };
}
