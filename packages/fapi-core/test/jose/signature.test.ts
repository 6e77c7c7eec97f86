import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { OAuthError } from '../../src/errors.js';
import { decodeCompactJws, verifyCompactJws, verifyDecodedJws } from '../../src/jose/signature.js';
import { oauthError, signJwt } from './helpers.js';

const reject = (violation: { description: string; clause: string; fix: string }) =>
  new OAuthError({ status: 401, error: 'invalid_token', ...violation });
const options = { what: 'access token', reject };

async function signed(claims: Record<string, unknown>) {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const token = await signJwt({ alg: 'ES256', typ: 'at+jwt' }, claims, privateKey);
  return { token, publicJwk: await exportJWK(publicKey) };
}

describe('verifyDecodedJws: a token decoded once, then verified', () => {
  it('verifies the decoded token and returns the claims it decoded, as verifyCompactJws does', async () => {
    const { token, publicJwk } = await signed({ sub: 'alice' });
    const once = await verifyDecodedJws(decodeCompactJws(token, 'access token', reject), publicJwk, options);
    expect(once).toEqual(await verifyCompactJws(token, publicJwk, options));
    expect(once.claims.sub).toBe('alice');
    expect(once.alg).toBe('ES256');
  });

  it('refuses a token whose claims were changed after signing, though it decodes', async () => {
    const { token, publicJwk } = await signed({ sub: 'alice' });
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'mallory' })).toString('base64url')}.${signature}`;
    const error = await oauthError(
      verifyDecodedJws(decodeCompactJws(forged, 'access token', reject), publicJwk, options),
    );
    expect(error.errorDescription).toMatch(/signature that does not verify/);
    expect(error.clause).toBe('RFC 7515 §5.2');
  });

  it('takes only what decodeCompactJws returned, so claims cannot be paired with another token', async () => {
    const { token, publicJwk } = await signed({ sub: 'alice' });
    const decoded = decodeCompactJws(token, 'access token', reject);
    const swapped = { ...decoded, claims: { sub: 'mallory' } };
    await expect(verifyDecodedJws(swapped, publicJwk, options)).rejects.toThrow(TypeError);
  });
});
