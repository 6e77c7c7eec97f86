import { describe, expect, it } from 'vitest';
import {
  assertCodeChallenge,
  createCodeVerifier,
  createPkcePair,
  s256CodeChallenge,
  verifyCodeVerifier,
} from '../../src/jose/pkce.js';
import { oauthError } from './helpers.js';

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
    expect(pair.codeChallenge).toBe(s256CodeChallenge(pair.codeVerifier));
    expect(() =>
      verifyCodeVerifier({ codeVerifier: pair.codeVerifier, codeChallenge: pair.codeChallenge }),
    ).not.toThrow();
  });

  describe('authorization request', () => {
    const challenge = createPkcePair().codeChallenge;

    it('accepts an S256 challenge', () => {
      expect(() =>
        assertCodeChallenge({ code_challenge: challenge, code_challenge_method: 'S256' }),
      ).not.toThrow();
    });

    it('refuses plain, naming FAPI 2.0 §5.3.2.2-5', async () => {
      const err = await oauthError(() =>
        assertCodeChallenge({ code_challenge: challenge, code_challenge_method: 'plain' }),
      );
      expect(err.status).toBe(400);
      expect(err.error).toBe('invalid_request');
      expect(err.message).toContain("'plain' is not allowed");
      expect(err.message).toContain('FAPI 2.0 SP §5.3.2.2-5');
    });

    it('refuses a missing challenge, a missing method (= plain) and a malformed challenge', async () => {
      expect(
        (await oauthError(() => assertCodeChallenge({ code_challenge_method: 'S256' }))).message,
      ).toContain('no code_challenge');
      expect((await oauthError(() => assertCodeChallenge({ code_challenge: challenge }))).message).toContain(
        'which means plain',
      );
      expect(
        (
          await oauthError(() =>
            assertCodeChallenge({ code_challenge: 'short', code_challenge_method: 'S256' }),
          )
        ).message,
      ).toContain('not a base64url SHA-256 hash');
    });
  });

  describe('token request', () => {
    const { codeVerifier, codeChallenge } = createPkcePair();

    it('refuses a verifier that does not match (invalid_grant)', async () => {
      const err = await oauthError(() =>
        verifyCodeVerifier({ codeVerifier: createCodeVerifier(), codeChallenge }),
      );
      expect(err.error).toBe('invalid_grant');
      expect(err.status).toBe(400);
      expect(err.message).toContain('does not match the code_challenge');
      expect(err.message).toContain('RFC 7636 §4.6');
    });

    it('refuses a missing verifier', async () => {
      const err = await oauthError(() => verifyCodeVerifier({ codeVerifier: undefined, codeChallenge }));
      expect(err.error).toBe('invalid_grant');
      expect(err.message).toContain('no code_verifier');
    });

    it('refuses a verifier that is too short or uses characters outside the unreserved set', async () => {
      for (const bad of ['abc', `${codeVerifier.slice(0, 42)}!`, 'a'.repeat(129)]) {
        const err = await oauthError(() => verifyCodeVerifier({ codeVerifier: bad, codeChallenge }));
        expect(err.message).toContain('RFC 7636 §4.1');
      }
    });

    it('refuses to verify against the challenge itself (what plain would accept)', async () => {
      const err = await oauthError(() => verifyCodeVerifier({ codeVerifier: codeChallenge, codeChallenge }));
      expect(err.error).toBe('invalid_grant');
    });

    it('refuses a code bound with a method other than S256', async () => {
      const err = await oauthError(() =>
        verifyCodeVerifier({ codeVerifier, codeChallenge: codeVerifier, codeChallengeMethod: 'plain' }),
      );
      expect(err.message).toContain("code_challenge_method 'plain'");
    });
  });
});
