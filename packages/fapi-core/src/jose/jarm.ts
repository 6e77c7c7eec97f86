// JWT Secured Authorization Response Mode (JARM, OpenID FAPI WG), client side: the OP returns the
// authorization response as a signed JWT in the `response` parameter (`response_mode=jwt`, FAPI 1.0 Adv
// §5.2.2-2, §5.2.3.2). The client verifies it as JARM §4.4 says before it trusts `code` or `state`.
// A client that registered authorization_encrypted_response_alg (JARM §3) gets it signed, then encrypted
// to its own key (JARM §2.2): it decrypts first, then verifies the inner JWT exactly the same way.
import { decodeJwt, decodeProtectedHeader, type JWK, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { OAuthError } from '../errors.js';
import type { FapiProfile, FapiSigningAlg } from './algorithms.js';
import { audienceValues, checkedTolerance, claimReader, duration, epochSeconds, type Now } from './claims.js';
import {
  type ContentEncryptionAlg,
  decryptNestedJwt,
  isCompactJwe,
  jweHeaderOf,
  type KeyManagementAlg,
} from './encryption.js';
import { quote, rejectAs } from './reject.js';
import { type VerificationKeySource, verifyCompactJws } from './signature.js';

export interface VerifyJarmResponseOptions {
  /** The `response` parameter of the callback. */
  response: unknown;
  /** The issuer the authorization request was sent to. */
  issuer: string;
  /** This client's client_id. */
  clientId: string;
  /** The OP's keys: `createRemoteJWKSet(new URL(jwks_uri))`, its JWKS, or one key. */
  opKeys: VerificationKeySource;
  /** Default 'fapi1-advanced' (JARM is a FAPI 1.0 Advanced response mode). */
  profile?: FapiProfile;
  /** The OP's `authorization_signing_alg`, if agreed. */
  allowedAlgs?: readonly FapiSigningAlg[];
  /** Seconds of clock skew tolerated on exp; default 10, at most 60. */
  clockToleranceSeconds?: number;
  now?: Now;
  /** JARM §3: set when the client registered authorization_encrypted_response_alg/enc. */
  decryption?: JarmDecryption;
}

/** What a client that asked for encrypted JARM responses registered, and the keys it decrypts with. */
export interface JarmDecryption {
  /** authorization_encrypted_response_alg and _enc, as registered (JARM §3). */
  alg: KeyManagementAlg;
  enc: ContentEncryptionAlg;
  /** The client's private encryption keys (use enc), whose public halves its jwks_uri publishes. */
  keys: { keys: JWK[] };
}

export interface JarmAuthorizationResponse {
  code: string;
  /** Exactly as sent in the authorization request (the caller compares it with its stored state). */
  state: string | undefined;
  iss: string;
  claims: JWTPayload;
  /** The JWE protected header, when the response was encrypted (JARM §2.2). */
  jwe?: JWTHeaderParameters;
}

/**
 * A verified JARM response that carries an OAuth error (RFC 6749 §4.1.2.1), e.g. the customer said no.
 * `error` is the OP's error code; `opErrorDescription` its own words.
 */
export class AuthorizationResponseError extends OAuthError {
  readonly state: string | undefined;
  readonly opErrorDescription: string | undefined;

  constructor(init: { error: string; errorDescription?: string; state?: string }) {
    super({
      status: 400,
      error: init.error,
      description: `The bank answered the authorization request with error '${init.error}'${init.errorDescription ? `: ${init.errorDescription}` : ''}`,
      clause: 'RFC 6749 §4.1.2.1, JARM §4.1',
      fix:
        init.error === 'access_denied'
          ? 'the customer declined or cancelled; start a new authorization if they want to continue'
          : "read the bank's error_description, correct the authorization request and start again",
    });
    this.name = 'AuthorizationResponseError';
    this.state = init.state;
    this.opErrorDescription = init.errorDescription;
  }
}

const WHAT = 'JARM response';
// The callback request that carries an unverifiable response is a bad request to the client.
const reject = rejectAs('invalid_request', 400);

/**
 * JARM §2.2: an encrypted JARM response, decrypted with the client's key: the inner signed JWT and the JWE
 * protected header. Refuses a response in clear, other algorithms than registered, a JWE to a key the
 * client does not hold, and one with no signed JWT inside.
 */
export async function decryptJarmResponse(
  response: unknown,
  decryption: JarmDecryption,
): Promise<{ jws: string; jwe: JWTHeaderParameters }> {
  // JARM §2.2, §3: registered for encryption means only a JWE; a JWS in clear was readable on its way.
  if (!isCompactJwe(response)) {
    throw reject({
      description:
        'JARM response arrived in clear (a signed JWT the browser could read), though this client registered authorization_encrypted_response_alg',
      clause: 'JARM §2.2, JARM §3',
      fix: 'discard it; the bank must sign the response, then encrypt it to the key this client registered',
    });
  }
  const jwe = jweHeaderOf(response);
  // JARM §3, OIDC Registration §2: exactly the alg and enc the client registered, nothing weaker.
  if (jwe?.alg !== decryption.alg || jwe.enc !== decryption.enc) {
    throw reject({
      description: `JARM response is encrypted with alg ${quote(jwe?.alg)} and enc ${quote(jwe?.enc)}; this client registered ${decryption.alg} and ${decryption.enc}`,
      clause: 'JARM §3, OIDC Registration §2',
      fix: 'discard it; the bank must encrypt with the authorization_encrypted_response_alg/enc the client registered',
    });
  }
  let jws: string;
  try {
    ({ jws } = await decryptNestedJwt(response, decryption.keys));
  } catch (err) {
    // RFC 7516 §5.2: no key of this client decrypts it (another recipient's key, or tampered with).
    throw reject({
      description: `JARM response cannot be decrypted with this client's keys: ${err instanceof Error ? err.message : String(err)}`,
      clause: 'RFC 7516 §5.2, JARM §2.2',
      fix: "discard it; the bank must encrypt to the client's use enc key at its jwks_uri (kid in the JWE header)",
    });
  }
  // JARM §2.2: signed, then encrypted; encryption alone says nothing about who wrote it.
  if (!isSignedJwt(jws)) {
    throw reject({
      description: 'JARM response is encrypted but holds no signed JWT (encrypted but unsigned)',
      clause: 'JARM §2.2',
      fix: 'discard it; the bank must sign the response (PS256) before it encrypts it',
    });
  }
  return { jws, jwe };
}

/** A compact JWS (three parts) whose alg is not "none". */
function isSignedJwt(token: string): boolean {
  if (token.split('.').length !== 3) return false;
  try {
    const { alg } = decodeProtectedHeader(token);
    return typeof alg === 'string' && alg !== 'none';
  } catch {
    return false;
  }
}

/**
 * The state of a JARM response, unverified, only to find the request it answers (RFC 6749 §10.12): decrypted
 * first when the client holds encryption keys. Undefined when it cannot be read; verification comes next.
 */
export async function unverifiedJarmState(
  response: string,
  decryptionKeys?: { keys: JWK[] },
): Promise<string | undefined> {
  try {
    const jwt =
      isCompactJwe(response) && decryptionKeys
        ? (await decryptNestedJwt(response, decryptionKeys)).jws
        : response;
    const { state } = decodeJwt(jwt);
    return typeof state === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a JARM response (signature with the OP's keys, iss, aud, exp) and returns code and state. A
 * verified error response throws `AuthorizationResponseError`; anything unverifiable throws OAuthError 400.
 */
export async function verifyJarmResponse(
  options: VerifyJarmResponseOptions,
): Promise<JarmAuthorizationResponse> {
  const tolerance = checkedTolerance(options.clockToleranceSeconds, 10, 'clockToleranceSeconds');
  const now = epochSeconds(options.now);
  const decrypted = options.decryption
    ? await decryptJarmResponse(options.response, options.decryption)
    : undefined;
  // JARM §4.4 step 5 (and FAPI 1.0 Adv §8.6): the signature verifies with the OP's key and an allowed alg.
  const { claims } = await verifyCompactJws(decrypted?.jws ?? options.response, options.opKeys, {
    what: WHAT,
    reject,
    profile: options.profile ?? 'fapi1-advanced',
    allowedAlgs: options.allowedAlgs,
    signatureFix:
      "check that the OP's jwks_uri is the one in its discovery document; a response that does not verify must be discarded",
  });
  // JARM §4.4 step 2 / §4.1: iss is the issuer the request was sent to (mix-up defence, FAPI 1.0 Adv §8.3.3).
  if (claims.iss !== options.issuer) {
    throw reject({
      description: `JARM response iss ${quote(claims.iss)} is not the issuer the request was sent to ('${options.issuer}')`,
      clause: 'JARM §4.4, FAPI 1.0 Adv §8.3.3',
      fix: 'discard this response: it was not issued by the bank you sent the customer to',
    });
  }
  // JARM §4.4 step 3 / §4.1: aud contains this client's client_id.
  if (!audienceValues(claims.aud).includes(options.clientId)) {
    throw reject({
      description: `JARM response aud ${quote(claims.aud)} does not contain this client's client_id '${options.clientId}'`,
      clause: 'JARM §4.4',
      fix: 'discard this response: it was issued to another client',
    });
  }
  // JARM §4.1: exp is required.
  const exp = claimReader(claims, WHAT, reject).numericDate(
    'exp',
    'JARM §4.1',
    'the OP must send exp (a short lifetime, e.g. 10 minutes)',
  );
  // JARM §4.4 step 4: the response has not expired.
  if (exp + tolerance <= now) {
    throw reject({
      description: `JARM response expired ${duration(now - exp)} ago`,
      clause: 'JARM §4.4',
      fix: 'start a new authorization; the response must be used promptly',
    });
  }
  const state = typeof claims.state === 'string' ? claims.state : undefined;
  // JARM §4.1.2 / RFC 6749 §4.1.2.1: a verified error response is surfaced as such.
  if (claims.error !== undefined) {
    throw new AuthorizationResponseError({
      error: typeof claims.error === 'string' ? claims.error : String(claims.error),
      errorDescription: typeof claims.error_description === 'string' ? claims.error_description : undefined,
      state,
    });
  }
  // RFC 6749 §4.1.2 / JARM §4.1.1: a success response carries the code.
  if (typeof claims.code !== 'string' || claims.code === '') {
    throw reject({
      description: 'JARM response has neither a code nor an error',
      clause: 'JARM §4.1.1, RFC 6749 §4.1.2',
      fix: 'the OP must put code (or error) in the response JWT',
    });
  }
  return {
    code: claims.code,
    state,
    iss: options.issuer,
    claims,
    ...(decrypted ? { jwe: decrypted.jwe } : {}),
  };
}
