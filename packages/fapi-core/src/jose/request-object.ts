// Signed authorization requests: JWT-Secured Authorization Request (JAR, RFC 9101) as FAPI profiles it
// (FAPI 1.0 Adv §5.2.2-1/-13/-15/-17 and §5.2.3-10/-11/-14; FAPI 2.0 Message Signing §5.3). The client
// signs every authorization parameter so nothing in the browser can alter them; the AS verifies the
// signature, the audience, and a short validity window.
import { randomUUID } from 'node:crypto';
import { type JWTPayload, SignJWT } from 'jose';
import { assertFapiKey, type FapiProfile, type FapiSigningAlg } from './algorithms.js';
import { audienceValues, checkedTolerance, claimReader, duration, epochSeconds, type Now } from './claims.js';
import type { SigningKey } from './keys.js';
import { quote, rejectAs, rejectMisuse } from './reject.js';
import type { ReplayCache } from './replay-cache.js';
import { type VerificationKeySource, verifyCompactJws } from './signature.js';

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

export interface VerifyRequestObjectOptions {
  /** The `request` parameter (by value, or the PAR body's `request`). */
  requestObject: unknown;
  /** This authorization server's issuer identifier. */
  issuer: string;
  /** The client the request is for (authenticated at PAR, or the `client_id` parameter). */
  clientId: string;
  /** The client's registered keys (its `jwks`, or a resolver for its `jwks_uri`). */
  clientKeys: VerificationKeySource;
  /** Default 'fapi2'. */
  profile?: FapiProfile;
  /** The client's registered `request_object_signing_alg`, if any. */
  allowedAlgs?: readonly FapiSigningAlg[];
  /** Refuse a request object without `typ` (RFC 9101 §10.8 RECOMMENDS it; default false). */
  requireTyp?: boolean;
  /** When given, each request object's jti is accepted once. */
  replayCache?: ReplayCache;
  /** Seconds of clock skew tolerated on nbf/iat (future) and exp (past); default 10, at most 60. */
  clockToleranceSeconds?: number;
  now?: Now;
}

export interface VerifiedRequestObject {
  alg: FapiSigningAlg;
  /** Every claim: the authorization parameters plus iss, aud, exp, nbf, … */
  claims: JWTPayload;
}

const WHAT = 'request object';
// OIDC Core §6.6 / RFC 9126 §2.3: an invalid request object is invalid_request_object, 400.
const reject = rejectAs('invalid_request_object', 400);

/** Verifies a signed request object. Throws OAuthError 400 invalid_request_object naming clause and fix. */
export async function verifyRequestObject(
  options: VerifyRequestObjectOptions,
): Promise<VerifiedRequestObject> {
  const profile = options.profile ?? 'fapi2';
  const tolerance = checkedTolerance(options.clockToleranceSeconds, 10, 'clockToleranceSeconds');
  const now = epochSeconds(options.now);

  const { header, claims, alg } = await verifyCompactJws(options.requestObject, options.clientKeys, {
    what: WHAT,
    reject,
    profile,
    allowedAlgs: options.allowedAlgs,
    signatureFix:
      "sign the request object with a private key whose public half is in your registered JWKS, with that key's kid",
  });
  const read = claimReader(claims, WHAT, reject);

  // RFC 9101 §10.8 + RFC 7515 §4.1.9: typ, when present, is oauth-authz-req+jwt; media types compare
  // case-insensitively and may omit "application/".
  if (header.typ !== undefined || options.requireTyp) {
    const typ =
      typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
    if (typ !== REQUEST_OBJECT_TYP) {
      throw reject({
        description:
          header.typ === undefined
            ? 'request object has no typ header'
            : `request object typ ${quote(header.typ)} is not '${REQUEST_OBJECT_TYP}'`,
        clause: 'RFC 9101 §10.8, RFC 7515 §4.1.9',
        fix: `set the JWS header typ to '${REQUEST_OBJECT_TYP}'`,
      });
    }
  }

  // RFC 9101 §5: the client_id in the request object is the client's own.
  const clientId = read.string('client_id', 'RFC 9101 §5', `set client_id to '${options.clientId}'`);
  if (clientId !== options.clientId) {
    throw reject({
      description: `request object client_id ${quote(clientId)} is not the requesting client '${options.clientId}'`,
      clause: 'RFC 9101 §5',
      fix: 'sign request objects only for your own client_id',
    });
  }
  // RFC 9101 §4 / OIDC Core §6.1: iss, when present, is the client_id.
  if (claims.iss !== undefined && claims.iss !== options.clientId) {
    throw reject({
      description: `request object iss ${quote(claims.iss)} is not the client_id '${options.clientId}'`,
      clause: 'RFC 9101 §4, OIDC Core §6.1',
      fix: 'set iss to your client_id',
    });
  }
  // FAPI 1.0 Adv §5.2.2-15 / RFC 9101 §4: aud is, or contains, the issuer identifier.
  if (!audienceValues(claims.aud).includes(options.issuer)) {
    throw reject({
      description:
        claims.aud === undefined
          ? 'request object has no aud claim'
          : `request object aud ${quote(claims.aud)} does not contain this server's issuer '${options.issuer}'`,
      clause: 'FAPI 1.0 Adv §5.2.2-15, RFC 9101 §4',
      fix: `set aud to '${options.issuer}'`,
    });
  }
  // RFC 9101 §4: a request object never points at another request object.
  for (const name of ['request', 'request_uri'] as const) {
    if (claims[name] !== undefined) {
      throw reject({
        description: `request object contains a '${name}' claim`,
        clause: 'RFC 9101 §4',
        fix: `remove '${name}' from the request object`,
      });
    }
  }

  // FAPI 1.0 Adv §5.2.2-13: exp is required.
  const exp = read.numericDate(
    'exp',
    'FAPI 1.0 Adv §5.2.2-13',
    'set exp a few minutes after nbf (at most 60 min)',
  );
  // RFC 7519 §4.1.4: not accepted on or after exp.
  if (exp + tolerance <= now) {
    throw reject({
      description: `request object expired ${duration(now - exp)} ago`,
      clause: 'RFC 7519 §4.1.4',
      fix: 'sign a fresh request object for every authorization request',
    });
  }
  // FAPI 1.0 Adv §5.2.2-17: nbf is required.
  const nbf = read.numericDate(
    'nbf',
    'FAPI 1.0 Adv §5.2.2-17',
    'set nbf to the time you sign the request object',
  );
  // FAPI 2.0 SP §5.3.2.1-13 / RFC 7519 §4.1.5: nbf at most a few seconds ahead (clock skew).
  if (nbf > now + tolerance) {
    throw reject({
      description: `request object nbf is ${duration(nbf - now)} in the future (at most ${tolerance} s is tolerated)`,
      clause: 'RFC 7519 §4.1.5, FAPI 2.0 SP §5.3.2.1-13',
      fix: 'set nbf to the current time; synchronise your clock',
    });
  }
  // FAPI 1.0 Adv §5.2.2-17: nbf no longer than 60 minutes in the past.
  if (nbf < now - MAX_REQUEST_OBJECT_LIFETIME_SECONDS) {
    throw reject({
      description: `request object nbf is ${duration(now - nbf)} in the past (at most 60 min is accepted)`,
      clause: 'FAPI 1.0 Adv §5.2.2-17',
      fix: 'sign a fresh request object with nbf = now for every authorization request',
    });
  }
  // FAPI 1.0 Adv §5.2.2-13: exp no more than 60 minutes after nbf.
  if (exp - nbf > MAX_REQUEST_OBJECT_LIFETIME_SECONDS) {
    throw reject({
      description: `request object is valid for ${duration(exp - nbf)} (exp - nbf); at most 60 min is accepted`,
      clause: 'FAPI 1.0 Adv §5.2.2-13',
      fix: 'set exp at most 60 minutes after nbf (a few minutes is plenty)',
    });
  }
  // FAPI 2.0 SP §5.3.2.1-13: iat, when present, at most a few seconds ahead.
  const iat = read.optionalNumericDate('iat');
  if (iat !== undefined && iat > now + tolerance) {
    throw reject({
      description: `request object iat is ${duration(iat - now)} in the future (at most ${tolerance} s is tolerated)`,
      clause: 'FAPI 2.0 SP §5.3.2.1-13',
      fix: 'set iat to the current time; synchronise your clock',
    });
  }
  if (options.replayCache) {
    // RFC 7519 §4.1.7: jti lets the server accept each request object once.
    const jti = read.string('jti', 'RFC 7519 §4.1.7', 'send a fresh random jti in every request object');
    if (options.replayCache.seen(`request-object:${options.clientId}:${jti}`, (exp + tolerance) * 1000)) {
      throw reject({
        description: `request object jti ${quote(jti)} was already used`,
        clause: 'RFC 7519 §4.1.7',
        fix: 'sign a new request object (new jti) for every authorization request',
      });
    }
  }
  return { alg, claims };
}
