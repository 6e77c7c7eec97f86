// Demonstrating Proof of Possession, RFC 9449: the client signs a fresh proof JWT for every request with a
// key it holds; the server checks it (§4.3) and binds tokens to the key's thumbprint (§6). One of the two
// sender-constraining methods of FAPI 2.0 SP §5.3.2.1-5. Server nonces (§8, §9) limit how long a proof works.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import { composeDescription, oauthSafeText } from '../errors.js';
import {
  type AsymmetricKeyInput,
  assertFapiKey,
  type FapiProfile,
  type FapiSigningAlg,
  fapiSigningAlgs,
} from './algorithms.js';
import { checkedTolerance, duration, epochSeconds, type Now } from './claims.js';
import { constantTimeEqual } from './compare.js';
import { PRIVATE_JWK_MEMBERS, toPublicJwk } from './keys.js';
import { proofKeyOf } from './proof-keys.js';
import { quote, type Reject, rejectAs, rejectMisuse, type Violation } from './reject.js';
import type { ReplayCache } from './replay-cache.js';
import { decodeCompactJws, verifyDecodedJws } from './signature.js';
import { jwkThumbprint } from './thumbprint.js';

/** RFC 9449 §4.2: the JWS `typ` of a DPoP proof. */
export const DPOP_TYP = 'dpop+jwt';

/** A DPoP key pair as a client holds it. */
export interface DpopKey {
  privateKey: AsymmetricKeyInput;
  publicJwk: JWK;
  alg: FapiSigningAlg;
  /** RFC 7638 thumbprint of the public key: what tokens get bound to (`cnf.jkt`, `dpop_jkt`). */
  jkt: string;
}

/** A fresh, non-extractable DPoP key pair (ES256 by default). */
export async function generateDpopKey(alg: FapiSigningAlg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, alg, jkt: await jwkThumbprint(publicJwk) };
}

/** RFC 9449 §4.2: ath = base64url(SHA-256(ASCII(access token))). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest('base64url');
}

/** RFC 9449 §4.2: htu is the target URI without query and fragment. */
export function htuFor(url: string | URL): string {
  const target = new URL(url);
  target.search = '';
  target.hash = '';
  return target.href;
}

export interface CreateDpopProofOptions {
  key: Pick<DpopKey, 'privateKey' | 'publicJwk' | 'alg'>;
  /** The HTTP method of the request, e.g. "POST". */
  method: string;
  /** The URL the request goes to; query and fragment are dropped. */
  url: string | URL;
  /** When calling a resource server with a DPoP-bound access token: adds `ath`. */
  accessToken?: string;
  /** The last `DPoP-Nonce` the server sent. */
  nonce?: string;
  now?: Now;
}

/** A DPoP proof for one request: typ dpop+jwt, the public jwk in the header, jti, htm, htu, iat (+ ath, nonce). */
export async function createDpopProof(options: CreateDpopProofOptions): Promise<string> {
  const { key } = options;
  assertFapiKey(key.privateKey, key.alg, 'DPoP signing key', rejectMisuse);
  const claims: JWTPayload = {
    jti: randomUUID(),
    htm: options.method.toUpperCase(),
    htu: htuFor(options.url),
    iat: epochSeconds(options.now),
    ...(options.accessToken !== undefined ? { ath: accessTokenHash(options.accessToken) } : {}),
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ typ: DPOP_TYP, alg: key.alg, jwk: toPublicJwk(key.publicJwk) })
    .sign(key.privateKey);
}

/** Server-issued DPoP nonces (RFC 9449 §8, §9). */
export interface DpopNonceSource {
  /** The nonce to send in a `DPoP-Nonce` header now. */
  current(): string;
  /** Whether a proof's `nonce` is one this server issued recently enough. */
  isValid(nonce: string): boolean;
}

export interface RotatingDpopNonceOptions {
  /** HMAC key; random per process by default (nonces then do not survive a restart, which is fine). */
  secret?: Uint8Array;
  /** How often the nonce changes; default 60 s. The current and the previous nonce are accepted. */
  rotationSeconds?: number;
  now?: Now;
}

/**
 * Stateless rotating nonces: HMAC-SHA-256(secret, time window). A proof's nonce is valid for one to two
 * windows, so a captured proof stops working within two minutes by default (RFC 9449 §11.1).
 */
export class RotatingDpopNonce implements DpopNonceSource {
  readonly #secret: Uint8Array;
  readonly #rotationMs: number;
  readonly #now: Now;
  /** The nonces of the latest windows asked about: each HMAC is computed once per window, not per call. */
  #recent: { window: number; nonce: string }[] = [];

  constructor(options: RotatingDpopNonceOptions = {}) {
    this.#secret = options.secret ?? randomBytes(32);
    this.#rotationMs = (options.rotationSeconds ?? 60) * 1000;
    this.#now = options.now ?? Date.now;
    if (!(this.#rotationMs >= 1000)) throw new RangeError('rotationSeconds must be at least 1');
    if (this.#secret.length < 32) throw new RangeError('secret must be at least 32 bytes');
  }

  current(): string {
    return this.#nonceFor(this.#window());
  }

  isValid(nonce: string): boolean {
    const window = this.#window();
    // Compare against both candidates every time, so timing does not reveal which one matched.
    const matchesCurrent = constantTimeEqual(nonce, this.#nonceFor(window));
    const matchesPrevious = constantTimeEqual(nonce, this.#nonceFor(window - 1));
    return matchesCurrent || matchesPrevious;
  }

  #window(): number {
    return Math.floor(this.#now() / this.#rotationMs);
  }

  #nonceFor(window: number): string {
    const known = this.#recent.find((entry) => entry.window === window);
    if (known) return known.nonce;
    const nonce = createHmac('sha256', this.#secret).update(`dpop-nonce:${window}`).digest('base64url');
    // The current and the previous window are all a request asks about (current(), isValid()).
    this.#recent = [{ window, nonce }, ...this.#recent].slice(0, 3);
    return nonce;
  }
}

/** Who verifies: the AS answers 400 (RFC 9449 §5, §8); a resource server 401 with WWW-Authenticate (§7.1, §9). */
export type DpopVerifier = 'authorization-server' | 'resource-server';

export interface VerifyDpopProofOptions {
  /** The DPoP request header as received: a string, or an array if the framework kept duplicates apart. */
  proof: string | readonly string[] | undefined;
  /** The request's HTTP method. */
  method: string;
  /** The full URL of the request as the server was addressed (scheme, host, port, path; query ignored). */
  url: string | URL;
  replayCache: ReplayCache;
  /** Default 'authorization-server'. */
  verifier?: DpopVerifier;
  /** At a resource server: the access token presented with the proof; `ath` must match it. */
  accessToken?: string;
  /** The thumbprint the token or code is bound to (`cnf.jkt`, `dpop_jkt`); the proof's key must match. */
  expectedJkt?: string;
  /** When given, proofs must carry a current server nonce. */
  nonces?: DpopNonceSource;
  profile?: FapiProfile;
  allowedAlgs?: readonly FapiSigningAlg[];
  /** How old `iat` may be; default 60 s. */
  maxAgeSeconds?: number;
  /** How far ahead `iat` may be; default 10 s, at most 60 (FAPI 2.0 SP §5.3.2.1-13). */
  maxFutureSeconds?: number;
  now?: Now;
}

export interface DpopProofClaims extends JWTPayload {
  jti: string;
  htm: string;
  htu: string;
  iat: number;
  ath?: string;
  nonce?: string;
}

export interface VerifiedDpopProof {
  /** RFC 7638 thumbprint of the proof's key. */
  jkt: string;
  /** The proof's public key. */
  jwk: JWK;
  alg: FapiSigningAlg;
  claims: DpopProofClaims;
}

const WHAT = 'DPoP proof';

/**
 * Checks a DPoP proof as RFC 9449 §4.3 lists (checks 1-12) and records its jti. Throws OAuthError:
 * `invalid_dpop_proof` (AS 400; RS 401 + WWW-Authenticate), `use_dpop_nonce` (with a `DPoP-Nonce` header),
 * or at a resource server `invalid_token` when the proof's key is not the one the token is bound to.
 */
export async function verifyDpopProof(options: VerifyDpopProofOptions): Promise<VerifiedDpopProof> {
  const verifier = options.verifier ?? 'authorization-server';
  const profile = options.profile ?? 'fapi2';
  const algs = options.allowedAlgs ?? fapiSigningAlgs(profile);
  const reject = dpopReject(verifier, 'invalid_dpop_proof', algs);
  const maxAge = options.maxAgeSeconds ?? 60;
  const maxFuture = checkedTolerance(options.maxFutureSeconds, 10, 'maxFutureSeconds');
  if (!(maxAge >= 0 && maxAge <= 3600)) throw new RangeError(`maxAgeSeconds must be 0-3600, got ${maxAge}`);
  const now = epochSeconds(options.now);

  const proof = singleProof(options.proof, reject);
  const decoded = decodeCompactJws(proof, WHAT, reject);
  const { header, claims: rawClaims } = decoded;

  // RFC 9449 §4.3 check 4: typ is dpop+jwt (a media type: compared case-insensitively, RFC 7515 §4.1.9).
  const typ =
    typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
  if (typ !== DPOP_TYP) {
    throw reject({
      description:
        header.typ === undefined
          ? 'DPoP proof has no typ header'
          : `DPoP proof typ ${quote(header.typ)} is not '${DPOP_TYP}'`,
      clause: 'RFC 9449 §4.3 check 4',
      fix: `set the JWS header typ to '${DPOP_TYP}'`,
    });
  }
  // RFC 9449 §4.3 check 3 / §4.2: the header carries the public key as `jwk`.
  const jwk = header.jwk as unknown;
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk) || typeof (jwk as JWK).kty !== 'string') {
    throw reject({
      description:
        jwk === undefined ? 'DPoP proof has no jwk header' : 'DPoP proof jwk header is not a JSON Web Key',
      clause: 'RFC 9449 §4.3 check 3, §4.2',
      fix: 'put the public key of your DPoP key pair in the JWS header as jwk',
    });
  }
  // RFC 9449 §4.3 check 7: the jwk is a public key; a private member means the client leaked its key.
  const privateMembers = PRIVATE_JWK_MEMBERS.filter((member) => member in jwk);
  if (privateMembers.length > 0) {
    throw reject({
      description: `DPoP proof jwk contains private key material (${privateMembers.join(', ')})`,
      clause: 'RFC 9449 §4.3 check 7',
      fix: 'put only the public key in the header (export the public key, not the private one) and replace the leaked key',
    });
  }
  // The same key object for the same JWK, so jose imports it once; the signature is verified every time.
  const proofKey = proofKeyOf(jwk as JWK);
  // RFC 9449 §4.3 checks 5-6: an allowed asymmetric alg, and a signature that verifies with the header jwk.
  await verifyDecodedJws(decoded, async () => proofKey.jwk, {
    what: WHAT,
    reject,
    profile,
    allowedAlgs: algs,
  });
  const alg = header.alg as FapiSigningAlg;
  const claims = requiredClaims(rawClaims, reject);

  // RFC 9449 §4.3 check 8: htm is the method of this request.
  if (claims.htm !== options.method) {
    throw reject({
      description: `DPoP proof htm ${quote(claims.htm, 20)} does not match the request method '${options.method}'`,
      clause: 'RFC 9449 §4.3 check 8',
      fix: 'sign a new proof for each request, with htm set to its HTTP method',
    });
  }
  // RFC 9449 §4.3 check 9: htu is this request's URI, ignoring query and fragment, after normalisation.
  const requestUri = normalizeHttpUri(String(options.url));
  if (requestUri === undefined)
    throw new TypeError(`verifyDpopProof: url '${String(options.url)}' is not an absolute http(s) URL`);
  if (normalizeHttpUri(claims.htu) !== requestUri) {
    throw reject({
      description: `DPoP proof htu ${quote(claims.htu)} does not match the request URI '${requestUri}'`,
      clause: 'RFC 9449 §4.3 check 9',
      fix: 'sign the proof for the exact URL you call, without query or fragment',
    });
  }
  // RFC 9449 §4.3 check 10 / §8: if the server requires nonces, the proof carries a current one.
  if (options.nonces) checkNonce(claims.nonce, options.nonces, verifier, algs);
  // RFC 9449 §4.3 check 11 / §11.1: the proof was created recently (and not far in the future).
  if (claims.iat < now - maxAge || claims.iat > now + maxFuture) {
    const past = claims.iat < now;
    throw reject({
      description: `DPoP proof iat is ${duration(claims.iat - now)} ${past ? 'old' : 'in the future'} (accepted: ${maxAge} s old to ${maxFuture} s ahead)`,
      clause: 'RFC 9449 §4.3 check 11, §11.1',
      fix: 'create a fresh proof for every request with iat = now; synchronise your clock',
    });
  }
  if (options.accessToken !== undefined) checkAth(claims.ath, options.accessToken, reject);

  const jkt = await proofKey.thumbprint();
  // RFC 9449 §4.3 check 12.2 / §10.1: the proof's key is the one the token (or code) is bound to.
  if (options.expectedJkt !== undefined && !constantTimeEqual(jkt, options.expectedJkt)) {
    const bindingReject =
      verifier === 'resource-server' ? dpopReject(verifier, 'invalid_token', algs) : reject;
    throw bindingReject({
      description: `DPoP proof is signed by key ${quote(jkt)}, but the ${verifier === 'resource-server' ? 'access token' : 'authorization code / request'} is bound to key ${quote(options.expectedJkt)}`,
      clause: verifier === 'resource-server' ? 'RFC 9449 §4.3 check 12, §7.1' : 'RFC 9449 §10.1, §5',
      fix: 'sign DPoP proofs with the same key pair you used when the token or code was issued',
    });
  }
  // RFC 9449 §11.1: each proof is accepted once (jti per key); kept for as long as its iat is acceptable.
  if (await options.replayCache.seen(`dpop:${jkt}:${claims.jti}`, (claims.iat + maxAge + 1) * 1000)) {
    throw reject({
      description: `DPoP proof jti ${quote(claims.jti)} was already used with this key`,
      clause: 'RFC 9449 §11.1, §4.3',
      fix: 'create a new proof (new jti) for every request, including retries',
    });
  }
  return { jkt, jwk: toPublicJwk(jwk as JWK), alg, claims };
}

/**
 * RFC 9449 §4.3 check 9 with RFC 3986 §6.2.2-6.2.3 normalisation: scheme and host lower-cased, default port
 * dropped, unreserved percent-escapes decoded, query and fragment ignored. Undefined if not an http(s) URL.
 */
export function normalizeHttpUri(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const path = url.pathname.replace(/%[0-9a-fA-F]{2}/g, (percentEscape) => {
    const char = String.fromCharCode(Number.parseInt(percentEscape.slice(1), 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : percentEscape.toUpperCase();
  });
  return `${url.protocol}//${url.host}${path}`;
}

function singleProof(proof: VerifyDpopProofOptions['proof'], reject: Reject): string {
  const values = proof === undefined ? [] : typeof proof === 'string' ? [proof] : [...proof];
  // RFC 9449 §4.3 check 1: exactly one DPoP header. Node joins repeated headers with ", ", and a compact
  // JWS never contains a comma, so a comma means two proofs.
  if (values.length > 1 || values.some((value) => value.includes(','))) {
    throw reject({
      description: 'The request carries more than one DPoP header',
      clause: 'RFC 9449 §4.3 check 1',
      fix: 'send exactly one DPoP header with one proof',
    });
  }
  const [value] = values;
  // RFC 9449 §4.3 check 1 / §7.1: a DPoP-bound request carries a proof.
  if (value === undefined || value.trim() === '') {
    throw reject({
      description: 'The request has no DPoP header',
      clause: 'RFC 9449 §4.3 check 1, §7.1',
      fix: 'send a DPoP header with a proof signed for this request',
    });
  }
  return value.trim();
}

function requiredClaims(claims: JWTPayload, reject: Reject): DpopProofClaims {
  // RFC 9449 §4.3 check 3 / §4.2: jti, htm and htu are strings, iat a NumericDate.
  for (const name of ['jti', 'htm', 'htu'] as const) {
    if (typeof claims[name] !== 'string' || claims[name] === '') {
      throw reject({
        description:
          claims[name] === undefined
            ? `DPoP proof has no ${name} claim`
            : `DPoP proof ${name} ${quote(claims[name])} is not a string`,
        clause: 'RFC 9449 §4.3 check 3, §4.2',
        fix: 'include jti (random), htm (method), htu (URL) and iat (now) in every proof',
      });
    }
  }
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) {
    throw reject({
      description:
        claims.iat === undefined
          ? 'DPoP proof has no iat claim'
          : `DPoP proof iat ${quote(claims.iat)} is not a NumericDate`,
      clause: 'RFC 9449 §4.3 check 3, §4.2',
      fix: 'set iat to the current time in seconds since the epoch',
    });
  }
  return claims as DpopProofClaims;
}

function checkAth(ath: unknown, accessToken: string, reject: Reject): void {
  // RFC 9449 §4.3 check 12.1 / §7: with an access token, ath is required.
  if (ath === undefined) {
    throw reject({
      description: 'DPoP proof has no ath claim, but it accompanies an access token',
      clause: 'RFC 9449 §4.3 check 12, §7',
      fix: 'add ath = base64url(SHA-256(access token)) to proofs sent to a resource server',
    });
  }
  // RFC 9449 §4.3 check 12.1: ath is the hash of exactly this access token.
  if (typeof ath !== 'string' || !constantTimeEqual(ath, accessTokenHash(accessToken))) {
    throw reject({
      description: `DPoP proof ath ${quote(ath, 50)} is not the hash of the access token sent with it`,
      clause: 'RFC 9449 §4.3 check 12',
      fix: 'set ath to base64url(SHA-256(access token)) of the token in the Authorization header',
    });
  }
}

function checkNonce(
  nonce: unknown,
  nonces: DpopNonceSource,
  verifier: DpopVerifier,
  algs: readonly FapiSigningAlg[],
): void {
  const fresh = nonces.current();
  const reject = dpopReject(verifier, 'use_dpop_nonce', algs, fresh);
  // RFC 9449 §8 / §9: without a nonce, the server answers use_dpop_nonce with one to use.
  if (typeof nonce !== 'string' || nonce === '') {
    throw reject({
      description: 'This server requires a nonce in DPoP proofs',
      clause: verifier === 'resource-server' ? 'RFC 9449 §9' : 'RFC 9449 §8',
      fix: 'retry once with a new proof whose nonce claim is the value of the DPoP-Nonce response header',
    });
  }
  // RFC 9449 §4.3 check 10: the nonce is one the server provided (and still current).
  if (!nonces.isValid(nonce)) {
    throw reject({
      description: `DPoP proof nonce ${quote(nonce, 50)} is not current`,
      clause: 'RFC 9449 §4.3 check 10, §8',
      fix: 'retry once with a new proof carrying the nonce from the latest DPoP-Nonce header',
    });
  }
}

/**
 * The error answer per verifier: 400 at the AS (RFC 9449 §5, §8); at a resource server 401 with
 * `WWW-Authenticate: DPoP error=…, algs=…` (§7.1, §9). A nonce challenge carries `DPoP-Nonce`.
 */
function dpopReject(
  verifier: DpopVerifier,
  error: string,
  algs: readonly FapiSigningAlg[],
  nonce?: string,
): (violation: Violation) => Error {
  const nonceHeader: Record<string, string> = nonce === undefined ? {} : { 'DPoP-Nonce': nonce };
  if (verifier === 'authorization-server') return rejectAs(error, 400, () => nonceHeader);
  return rejectAs(error, 401, (violation) => ({
    'WWW-Authenticate': `DPoP error="${error}", error_description="${oauthSafeText(composeDescription(violation))}", algs="${algs.join(' ')}"`,
    ...nonceHeader,
  }));
}
