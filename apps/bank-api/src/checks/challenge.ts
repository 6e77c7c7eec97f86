// How a resource server refuses a request: RFC 6750 §3 (Bearer) and RFC 9449 §7.1 (DPoP) put the
// error in a WWW-Authenticate challenge of the scheme the client used; a request with no credentials
// gets a challenge for each scheme the server accepts and no error code (RFC 6750 §3.1).
import { composeDescription, OAuthError, oauthSafeText } from '@fapi-sandbox/fapi-core/errors';
import { fapiSigningAlgs } from '@fapi-sandbox/fapi-core/jose/algorithms';
import type { AuthScheme } from './context.js';

export const REALM = 'Sandbox Bank API';
/** The DPoP proof algorithms this server verifies (FAPI 2.0 SP §5.4.1; DPoP is a FAPI 2.0 mechanism). */
export const DPOP_ALGS = fapiSigningAlgs('fapi2');

export interface Refusal {
  status: 401 | 403 | 400;
  /** RFC 6750 §3.1 code: invalid_request, invalid_token or insufficient_scope. */
  error: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
  description: string;
  clause: string;
  fix: string;
  /** Extra parameters for the challenge, e.g. scope="accounts". */
  challengeParams?: Record<string, string>;
}

function challenge(scheme: AuthScheme, params: Record<string, string>): string {
  const list = Object.entries(params).map(([k, v]) => `${k}="${oauthSafeText(v)}"`);
  return `${scheme} ${list.join(', ')}`;
}

/** A refusal answered with a challenge in the client's scheme (both schemes when it sent none). */
export function refuse(scheme: AuthScheme | undefined, refusal: Refusal): OAuthError {
  const description = composeDescription(refusal);
  const params = { error: refusal.error, error_description: description, ...refusal.challengeParams };
  const bearer = challenge('Bearer', { realm: REALM, ...params });
  const dpop = challenge('DPoP', { ...params, algs: DPOP_ALGS.join(' ') });
  const header = scheme === 'Bearer' ? bearer : scheme === 'DPoP' ? dpop : `${bearer}, ${dpop}`;
  return new OAuthError({ ...refusal, headers: { 'WWW-Authenticate': header } });
}

/** RFC 6750 §3.1: a request without any credentials gets the challenges alone, with no error code. */
export function missingCredentials(description: string, clause: string, fix: string): OAuthError {
  return new OAuthError({
    status: 401,
    error: 'unauthorized',
    description,
    clause,
    fix,
    headers: {
      'WWW-Authenticate': `Bearer realm="${REALM}", DPoP algs="${DPOP_ALGS.join(' ')}"`,
    },
  });
}
