// `private_key_jwt` client authentication: OpenID Connect Core §9 and RFC 7523 §2.2/§3, as FAPI profiles it
// (FAPI 2.0 SP §5.3.2.1-8 and §5.3.3.1-5: `aud` is the authorization server's issuer identifier, as a string).
// The client signs a short-lived JWT about itself; the authorization server verifies it and burns its `jti`.
import { randomUUID } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import { assertFapiKey, type FapiProfile, type FapiSigningAlg } from './algorithms.js';
import { audienceValues, checkedTolerance, claimReader, duration, epochSeconds, type Now } from './claims.js';
import type { SigningKey } from './keys.js';
import { quote, rejectAs, rejectMisuse } from './reject.js';
import type { ReplayCache } from './replay-cache.js';
import { decodeCompactJws, type VerificationKeySource, verifyCompactJws } from './signature.js';

export { InMemoryReplayCache, type ReplayCache } from './replay-cache.js';

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

export interface VerifyClientAssertionOptions {
  /** The `client_assertion` form parameter. */
  assertion: unknown;
  /** The `client_assertion_type` form parameter, checked when given. */
  assertionType?: unknown;
  /** The `client_id` form parameter, if the request carried one. */
  clientId?: unknown;
  /** This authorization server's issuer identifier. */
  issuer: string;
  /**
   * The keys registered for the client named by the assertion's `iss` (its `jwks`, or a resolver for its
   * `jwks_uri`); `undefined` when no such client exists.
   */
  clientKeys: (clientId: string) => Promise<VerificationKeySource | undefined>;
  replayCache: ReplayCache;
  /** Default 'fapi2'. Under 'fapi1-advanced', `audiences` lists the extra values accepted besides the issuer. */
  profile?: FapiProfile;
  /** FAPI 1.0 only: also accept these `aud` values (the token endpoint URL, the PAR endpoint URL). */
  audiences?: readonly string[];
  /** The algorithm the client registered (`token_endpoint_auth_signing_alg`), if any. */
  allowedAlgs?: readonly FapiSigningAlg[];
  /** Seconds of clock skew tolerated on iat/nbf (future) and exp (past); default 10, at most 60. */
  clockToleranceSeconds?: number;
  now?: Now;
}

export interface VerifiedClientAssertion {
  clientId: string;
  alg: FapiSigningAlg;
  claims: JWTPayload;
}

const WHAT = 'client assertion';
// RFC 6749 §5.2: a client that fails to authenticate gets invalid_client, 401.
const reject = rejectAs('invalid_client', 401);

/**
 * Verifies a `private_key_jwt` assertion and records its `jti`. Throws OAuthError 401 invalid_client naming
 * the clause and the fix; returns the authenticated client_id.
 */
export async function verifyClientAssertion(
  options: VerifyClientAssertionOptions,
): Promise<VerifiedClientAssertion> {
  const profile = options.profile ?? 'fapi2';
  const tolerance = checkedTolerance(options.clockToleranceSeconds, 10, 'clockToleranceSeconds');
  const now = epochSeconds(options.now);

  // RFC 7521 §4.2: the assertion type says how to read the assertion.
  if (options.assertionType !== undefined && options.assertionType !== CLIENT_ASSERTION_TYPE) {
    throw reject({
      description: `client_assertion_type ${quote(options.assertionType)} is not the JWT bearer type`,
      clause: 'RFC 7523 §2.2, RFC 7521 §4.2',
      fix: `send client_assertion_type=${CLIENT_ASSERTION_TYPE}`,
    });
  }
  // OIDC Core §9: private_key_jwt authenticates with a client_assertion parameter.
  if (options.assertion === undefined || options.assertion === '') {
    throw reject({
      description: 'The request has no client_assertion',
      clause: 'OIDC Core §9, RFC 7521 §4.2',
      fix: `authenticate with private_key_jwt: send client_assertion_type=${CLIENT_ASSERTION_TYPE} and a signed client_assertion`,
    });
  }

  // The unverified iss only chooses whose keys to try; nothing else is trusted before the signature.
  const unverified = decodeCompactJws(options.assertion, WHAT, reject);
  // OIDC Core §9 / RFC 7523 §3 item 1: iss is the client_id.
  const claimedClientId = claimReader(unverified.claims, WHAT, reject).string(
    'iss',
    'RFC 7523 §3 item 1, OIDC Core §9',
    'set iss to your client_id',
  );
  const keys = await options.clientKeys(claimedClientId);
  // RFC 7523 §3 item 1: iss names a client this server knows.
  if (!keys) {
    throw reject({
      description: `client assertion iss ${quote(claimedClientId)} is not a registered client_id`,
      clause: 'RFC 7523 §3 item 1, OIDC Core §9',
      fix: 'set iss and sub to the client_id the authorization server issued to you',
    });
  }
  const { claims, alg } = await verifyCompactJws(options.assertion, keys, {
    what: WHAT,
    reject,
    profile,
    allowedAlgs: options.allowedAlgs,
    signatureFix:
      "sign the assertion with a private key whose public half is in your registered JWKS, with that key's kid",
  });

  const iss = claimedClientId;
  const read = claimReader(claims, WHAT, reject);
  // OIDC Core §9 / RFC 7523 §3 item 2: sub is the client_id too.
  const sub = read.string('sub', 'RFC 7523 §3 item 2, OIDC Core §9', 'set sub to your client_id');
  // OIDC Core §9: for client authentication, sub must equal iss.
  if (sub !== iss) {
    throw reject({
      description: `client assertion sub ${quote(sub)} differs from iss ${quote(iss)}`,
      clause: 'OIDC Core §9, RFC 7523 §3 item 2',
      fix: 'set both iss and sub to your client_id',
    });
  }
  // RFC 7521 §4.2: a client_id parameter, if sent, names the same client as the assertion.
  if (options.clientId !== undefined && options.clientId !== iss) {
    throw reject({
      description: `client_id ${quote(options.clientId)} does not match the client assertion's iss ${quote(iss)}`,
      clause: 'RFC 7521 §4.2',
      fix: 'send the client_id of the client that signed the assertion, or omit client_id',
    });
  }

  checkAudience(claims.aud, options.issuer, profile, options.audiences ?? []);

  // RFC 7523 §3 item 4 / OIDC Core §9: exp is required, and the assertion is refused after it.
  const exp = read.numericDate('exp', 'RFC 7523 §3 item 4, OIDC Core §9', 'set exp ≈ 60 s after iat');
  if (exp + tolerance <= now) {
    throw reject({
      description: `client assertion expired ${duration(now - exp)} ago`,
      clause: 'RFC 7523 §3 item 4',
      fix: 'create a fresh assertion for every request, with exp ≈ 60 s ahead (check your clock)',
    });
  }
  // FAPI 2.0 SP §5.3.2.1-13: iat/nbf up to 10 s ahead are tolerated for clock skew, more is refused.
  for (const name of ['iat', 'nbf'] as const) {
    const value = read.optionalNumericDate(name);
    if (value !== undefined && value > now + tolerance) {
      throw reject({
        description: `client assertion ${name} is ${duration(value - now)} in the future (at most ${tolerance} s is tolerated)`,
        clause: `FAPI 2.0 SP §5.3.2.1-13, RFC 7523 §3 item ${name === 'nbf' ? 5 : 6}`,
        fix: `set ${name} to the current time; synchronise your clock (e.g. from the server's Date header)`,
      });
    }
  }
  // OIDC Core §9: jti is required so that the assertion is used once.
  const jti = read.string(
    'jti',
    'OIDC Core §9, RFC 7523 §3 item 7',
    'send a fresh random jti (a UUID) in every assertion',
  );
  // RFC 7523 §3 item 7: an assertion whose jti was already used is a replay.
  if (options.replayCache.seen(`client-assertion:${iss}:${jti}`, (exp + tolerance) * 1000)) {
    throw reject({
      description: `client assertion jti ${quote(jti)} was already used`,
      clause: 'RFC 7523 §3 item 7, OIDC Core §9',
      fix: 'create a new assertion with a new jti for every request',
    });
  }
  return { clientId: iss, alg, claims };
}

function checkAudience(aud: unknown, issuer: string, profile: FapiProfile, extra: readonly string[]): void {
  // RFC 7523 §3 item 3: aud is required.
  if (aud === undefined) {
    throw reject({
      description: 'client assertion has no aud claim',
      clause: 'RFC 7523 §3 item 3',
      fix: `set aud to the issuer identifier '${issuer}'`,
    });
  }
  if (profile === 'fapi2') {
    // FAPI 2.0 SP §5.3.2.1-8: only the issuer identifier, as a string (not an array, not an endpoint URL).
    if (aud !== issuer) {
      throw reject({
        description: Array.isArray(aud)
          ? `client assertion aud is an array ${quote(aud)}; FAPI 2.0 accepts only the issuer identifier as a string`
          : `client assertion aud ${quote(aud)} is not this server's issuer identifier '${issuer}'${isEndpointOf(aud, issuer) ? ' (an endpoint URL is not accepted under FAPI 2.0)' : ''}`,
        clause: 'FAPI 2.0 SP §5.3.2.1-8',
        fix: `set aud to the string '${issuer}' exactly`,
      });
    }
    return;
  }
  // RFC 7523 §3 item 3 / OIDC Core §9: under FAPI 1.0, aud must contain a value that identifies this server.
  const accepted = [issuer, ...extra];
  if (!audienceValues(aud).some((value) => accepted.includes(value))) {
    throw reject({
      description: `client assertion aud ${quote(aud)} does not identify this authorization server`,
      clause: 'RFC 7523 §3 item 3, OIDC Core §9',
      fix: `set aud to '${issuer}'`,
    });
  }
}

function isEndpointOf(aud: unknown, issuer: string): boolean {
  return typeof aud === 'string' && aud.startsWith(`${issuer.replace(/\/$/, '')}/`);
}
