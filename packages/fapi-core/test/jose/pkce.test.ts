import { describe, expect, it } from 'vitest';
// The client's side of PKCE (RFC 7636, S256 only): what the TPP creates. The bank's side is
// oidc-provider's, tested against real requests in apps/bank-op.
import { createCodeVerifier, createPkcePair, s256CodeChallenge } from '../../src/jose/pkce.js';

describe('PKCE (RFC 7636) with S256 only', () => {
  it('creates 43-character verifiers of 256 random bits from the unreserved set', () => {
    const verifier = createCodeVerifier();
    expect(verifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
    expect(createCodeVerifier(96)).toHaveLength(128);
    expect(createCodeVerifier()).not.toBe(verifier);
    expect(() => createCodeVerifier(31)).toThrow(RangeError);
    expect(() => createCodeVerifier(97)).toThrow(RangeError);
  });

  it('computes the S256 challenge of RFC 7636 Appendix B', () => {
    expect(s256CodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('creates a verifier with its matching challenge', () => {
    const pair = createPkcePair();
    expect(pair.codeChallengeMethod).toBe('S256');
    expect(pair.codeVerifier).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
    expect(pair.codeChallenge).toBe(s256CodeChallenge(pair.codeVerifier));
    expect(createPkcePair().codeVerifier).not.toBe(pair.codeVerifier);
  });
});
