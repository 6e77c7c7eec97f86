// The client's side of private_key_jwt (RFC 7523 §2.2, FAPI 2.0 SP §5.3.3.1-5): what the TPP signs. The
// bank's side is oidc-provider's, tested against real requests in apps/bank-op.
import { type CryptoKey, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_ASSERTION_TYPE,
  clientAssertionParams,
  createClientAssertion,
} from '../../src/jose/client-assertion.js';
import { clock, NOW, weakRsaKey } from './helpers.js';

const ISSUER = 'https://bank.localhost:9443';
const CLIENT = 'moneywise-client';

let ps256: { privateKey: CryptoKey };

beforeAll(async () => {
  ps256 = await generateKeyPair('PS256');
});

describe('createClientAssertion', () => {
  it('signs iss = sub = client_id, aud = issuer as a string, a fresh jti, iat, nbf and exp = iat + 60', async () => {
    const assertion = await createClientAssertion({
      clientId: CLIENT,
      issuer: ISSUER,
      signingKey: { key: ps256.privateKey, alg: 'PS256', kid: 'mw-ps256' },
      now: clock(),
    });
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: 'PS256', kid: 'mw-ps256' });
    const body = decodeJwt(assertion);
    expect(body).toMatchObject({ iss: CLIENT, sub: CLIENT, aud: ISSUER, iat: NOW, nbf: NOW, exp: NOW + 60 });
    expect(body.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(clientAssertionParams(assertion)).toEqual({
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: assertion,
    });
  });

  it('refuses to sign with a key FAPI does not allow', async () => {
    const weak = weakRsaKey();
    await expect(
      createClientAssertion({
        clientId: CLIENT,
        issuer: ISSUER,
        signingKey: { key: weak.privateKey, alg: 'PS256' },
      }),
    ).rejects.toThrow(/1024-bit RSA key/);
  });
});
