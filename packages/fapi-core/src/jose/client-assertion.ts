// `private_key_jwt` client authentication: OpenID Connect Core §9 and RFC 7523 §2.2/§3, as FAPI profiles it
// (FAPI 2.0 SP §5.3.2.1-8 and §5.3.3.1-5: `aud` is the authorization server's issuer identifier, as a string).
// The client signs a short-lived JWT about itself. The authorization server's side (verification, the
// `jti` burnt) is oidc-provider's, configured in apps/bank-op.
import { randomUUID } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import { assertFapiKey } from './algorithms.js';
import { epochSeconds, type Now } from './claims.js';
import type { SigningKey } from './keys.js';
import { rejectMisuse } from './reject.js';

/** RFC 7523 §2.2: the `client_assertion_type` that says "the assertion is a JWT". */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface CreateClientAssertionOptions {
  clientId: string;
  /** The authorization server's issuer identifier, e.g. `https://bank.localhost:9443`. */
  issuer: string;
  signingKey: SigningKey;
  /** Seconds until `exp`; default 60. */
  lifetimeSeconds?: number;
  /** Also send `nbf` (= `iat`); default true. */
  notBefore?: boolean;
  now?: Now;
}

/** A signed client assertion: iss = sub = client_id, aud = issuer (a string), fresh jti, iat, exp. */
export async function createClientAssertion(options: CreateClientAssertionOptions): Promise<string> {
  const { signingKey } = options;
  const lifetime = options.lifetimeSeconds ?? 60;
  if (!Number.isFinite(lifetime) || lifetime <= 0 || lifetime > 600) {
    throw new RangeError(`lifetimeSeconds must be 1-600, got ${lifetime}`);
  }
  assertFapiKey(signingKey.key, signingKey.alg, 'client assertion signing key', rejectMisuse);
  const iat = epochSeconds(options.now);
  const claims: JWTPayload = {
    // OIDC Core §9 / RFC 7523 §3 items 1-2: iss and sub are both the client_id.
    iss: options.clientId,
    sub: options.clientId,
    // FAPI 2.0 SP §5.3.3.1-5: the issuer identifier, sent as a string and not as an array.
    aud: options.issuer,
    // OIDC Core §9: a unique jti so the server can refuse a replay.
    jti: randomUUID(),
    iat,
    exp: iat + lifetime,
    ...(options.notBefore === false ? {} : { nbf: iat }),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: signingKey.alg, ...(signingKey.kid ? { kid: signingKey.kid } : {}) })
    .sign(signingKey.key);
}

/** The form parameters that carry an assertion (RFC 7521 §4.2). */
export function clientAssertionParams(assertion: string): {
  client_assertion_type: string;
  client_assertion: string;
} {
  return { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion };
}
