// Proof Key for Code Exchange, RFC 7636, as FAPI profiles it: S256 only (FAPI 2.0 SP §5.3.2.2-5,
// FAPI 1.0 Adv §5.2.2-18). The client keeps a random verifier and sends its SHA-256 challenge; the
// authorization server (oidc-provider, in apps/bank-op) only issues tokens to whoever presents the verifier.
import { createHash, randomBytes } from 'node:crypto';

export type CodeChallengeMethod = 'S256';

export interface PkcePair {
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: CodeChallengeMethod;
}

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
