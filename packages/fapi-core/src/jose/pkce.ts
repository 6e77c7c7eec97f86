// Proof Key for Code Exchange, RFC 7636, as FAPI profiles it: S256 only (FAPI 2.0 SP §5.3.2.2-5,
// FAPI 1.0 Adv §5.2.2-18). The client keeps a random verifier and sends its SHA-256 challenge; the
// authorization server only issues tokens to whoever presents the verifier.
import { createHash, randomBytes } from 'node:crypto';
import { OAuthError } from '../errors.js';
import { constantTimeEqual } from './compare.js';
import { quote } from './reject.js';

export type CodeChallengeMethod = 'S256';

export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: CodeChallengeMethod;
}

// RFC 7636 §4.1: 43-128 characters from the unreserved set [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
// RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is always 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/**
 * A fresh code verifier: `byteLength` random octets (default 32, i.e. 256 bits, RFC 7636 §7.1) base64url
 * encoded, giving 43 characters for 32 octets and at most 128 for 96.
 */
export function createCodeVerifier(byteLength = 32): string {
  if (!Number.isInteger(byteLength) || byteLength < 32 || byteLength > 96) {
    throw new RangeError(`byteLength must be 32-96 (RFC 7636 §4.1, §7.1), got ${byteLength}`);
  }
  return randomBytes(byteLength).toString('base64url');
}

/** RFC 7636 §4.2: code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier))). */
export function s256CodeChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'ascii').digest('base64url');
}

/** A verifier and its S256 challenge, for one authorization request (FAPI 2.0 SP §5.3.3.2-4). */
export function createPkcePair(): PkcePair {
  const codeVerifier = createCodeVerifier();
  return { codeVerifier, codeChallenge: s256CodeChallenge(codeVerifier), codeChallengeMethod: 'S256' };
}

/**
 * Authorization-request side (PAR or authorization endpoint): a challenge must be present, use S256 and be
 * well-formed. Throws 400 invalid_request otherwise.
 */
export function assertCodeChallenge(params: {
  code_challenge?: unknown;
  code_challenge_method?: unknown;
}): void {
  const challenge = params.code_challenge;
  const method = params.code_challenge_method;
  // FAPI 2.0 SP §5.3.2.2-5 / FAPI 1.0 Adv §5.2.2-18: PKCE is required.
  if (challenge === undefined || challenge === '') {
    throw invalidRequest(
      'The authorization request has no code_challenge',
      'FAPI 2.0 SP §5.3.2.2-5, RFC 7636 §4.3',
      'send code_challenge=BASE64URL(SHA256(code_verifier)) and code_challenge_method=S256',
    );
  }
  // FAPI 2.0 SP §5.3.2.2-5: S256 only; `plain` sends the verifier itself through the browser.
  if (method === 'plain') {
    throw invalidRequest(
      "code_challenge_method 'plain' is not allowed: the challenge would be the secret verifier itself",
      'FAPI 2.0 SP §5.3.2.2-5, RFC 7636 §7.2',
      'send code_challenge_method=S256 with code_challenge=BASE64URL(SHA256(code_verifier))',
    );
  }
  // RFC 7636 §4.3: a missing method means `plain`, which FAPI forbids.
  if (method !== 'S256') {
    throw invalidRequest(
      method === undefined
        ? 'The authorization request has no code_challenge_method, which means plain'
        : `code_challenge_method ${quote(method, 20)} is not supported`,
      'FAPI 2.0 SP §5.3.2.2-5, RFC 7636 §4.3',
      'send code_challenge_method=S256',
    );
  }
  // RFC 7636 §4.2: an S256 challenge is 43 base64url characters.
  if (typeof challenge !== 'string' || !S256_CHALLENGE.test(challenge)) {
    throw invalidRequest(
      `code_challenge ${quote(challenge, 60)} is not a base64url SHA-256 hash (43 characters)`,
      'RFC 7636 §4.2',
      'send code_challenge=BASE64URL(SHA256(code_verifier)) without padding',
    );
  }
}

/**
 * Token-request side: the verifier must be present, well-formed and hash to the stored challenge (compared
 * in constant time). Throws 400 invalid_grant otherwise.
 */
export function verifyCodeVerifier(input: {
  codeVerifier: unknown;
  codeChallenge: string;
  codeChallengeMethod?: string;
}): void {
  const { codeVerifier, codeChallenge } = input;
  // FAPI 2.0 SP §5.3.2.2-5: only S256 challenges are ever stored.
  if ((input.codeChallengeMethod ?? 'S256') !== 'S256') {
    throw invalidGrant(
      `The authorization code was bound with code_challenge_method ${quote(input.codeChallengeMethod, 20)}`,
      'FAPI 2.0 SP §5.3.2.2-5',
      'start a new authorization with code_challenge_method=S256',
    );
  }
  // RFC 7636 §4.5: the token request carries the verifier.
  if (codeVerifier === undefined || codeVerifier === '') {
    throw invalidGrant(
      'The token request has no code_verifier for an authorization code bound to a PKCE challenge',
      'RFC 7636 §4.5, FAPI 2.0 SP §5.3.2.2-5',
      'send the code_verifier you created for this authorization request',
    );
  }
  // RFC 7636 §4.1: 43-128 unreserved characters.
  if (typeof codeVerifier !== 'string' || !VERIFIER.test(codeVerifier)) {
    throw invalidGrant(
      'code_verifier is not 43-128 characters of [A-Za-z0-9-._~]',
      'RFC 7636 §4.1',
      'send the verifier exactly as created: 32 random octets, base64url-encoded',
    );
  }
  // RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) must equal the stored code_challenge.
  if (!constantTimeEqual(s256CodeChallenge(codeVerifier), codeChallenge)) {
    throw invalidGrant(
      'code_verifier does not match the code_challenge sent with the authorization request',
      'RFC 7636 §4.6',
      'send the code_verifier that belongs to this authorization request (the one whose S256 hash you sent)',
    );
  }
}

function invalidRequest(description: string, clause: string, fix: string): OAuthError {
  return new OAuthError({ status: 400, error: 'invalid_request', description, clause, fix });
}

function invalidGrant(description: string, clause: string, fix: string): OAuthError {
  return new OAuthError({ status: 400, error: 'invalid_grant', description, clause, fix });
}
