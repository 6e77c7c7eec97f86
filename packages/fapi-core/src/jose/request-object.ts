// Signed authorization requests: JWT-Secured Authorization Request (JAR, RFC 9101) as FAPI profiles it
// (FAPI 1.0 Adv §5.2.2-1/-13/-15/-17 and §5.2.3-10/-11/-14; FAPI 2.0 Message Signing §5.3). The client
// signs every authorization parameter so nothing in the browser can alter them. The AS's side (signature,
// audience, validity window) is oidc-provider's, configured in apps/bank-op.
import { randomUUID } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import { assertFapiKey } from './algorithms.js';
import { epochSeconds, type Now } from './claims.js';
import type { SigningKey } from './keys.js';
import { rejectMisuse } from './reject.js';

/** RFC 9101 §10.8: the media type of a request object, used as its JWS `typ`. */
export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';

/** FAPI 1.0 Adv §5.2.2-13/-17: a request object lives at most 60 minutes after nbf, nbf at most 60 min old. */
export const MAX_REQUEST_OBJECT_LIFETIME_SECONDS = 3600;

export interface CreateRequestObjectOptions {
  clientId: string;
  /** The authorization server's issuer identifier (the request object's audience). */
  issuer: string;
  signingKey: SigningKey;
  /** The authorization parameters: response_type, redirect_uri, scope, state, nonce, code_challenge, … */
  params: Record<string, unknown>;
  /** Seconds from nbf to exp; default 300, at most 3600. */
  lifetimeSeconds?: number;
  now?: Now;
}

/** Claims that the request object sets itself and `params` cannot override. */
const RESERVED = ['iss', 'aud', 'client_id', 'iat', 'nbf', 'exp', 'jti', 'request', 'request_uri'];

/** A signed request object carrying `params`, with typ, iss, aud, client_id, iat, nbf, exp and jti. */
export async function createRequestObject(options: CreateRequestObjectOptions): Promise<string> {
  const { signingKey } = options;
  const lifetime = options.lifetimeSeconds ?? 300;
  // FAPI 1.0 Adv §5.2.3-11: exp no more than 60 minutes ahead.
  if (!Number.isFinite(lifetime) || lifetime <= 0 || lifetime > MAX_REQUEST_OBJECT_LIFETIME_SECONDS) {
    throw new RangeError(`lifetimeSeconds must be 1-3600 (FAPI 1.0 Adv §5.2.3-11), got ${lifetime}`);
  }
  const clash = Object.keys(options.params).filter((name) => RESERVED.includes(name));
  if (clash.length > 0) {
    throw new TypeError(`params may not set ${clash.join(', ')}: the request object sets them (RFC 9101 §4)`);
  }
  assertFapiKey(signingKey.key, signingKey.alg, 'request object signing key', rejectMisuse);
  const now = epochSeconds(options.now);
  const claims: JWTPayload = {
    ...options.params,
    // RFC 9101 §4 / OIDC Core §6.1: iss is the client_id, aud the authorization server's issuer.
    iss: options.clientId,
    // FAPI 1.0 Adv §5.2.3-10: aud is the issuer identifier URL.
    aud: options.issuer,
    // RFC 9101 §5: client_id inside must match the one outside.
    client_id: options.clientId,
    iat: now,
    // FAPI 1.0 Adv §5.2.3-14: nbf is sent.
    nbf: now,
    // FAPI 1.0 Adv §5.2.3-11: exp at most 60 minutes later.
    exp: now + lifetime,
    jti: randomUUID(),
  };
  return new SignJWT(claims)
    .setProtectedHeader({
      alg: signingKey.alg,
      // RFC 9101 §10.8: typ marks the JWT as a request object, so it cannot be confused with another JWT.
      typ: REQUEST_OBJECT_TYP,
      ...(signingKey.kid ? { kid: signingKey.kid } : {}),
    })
    .sign(signingKey.key);
}
