// The engine's encrypted ID tokens (OIDC Core §10.2), without the parties: a client that registered
// id_token_encrypted_response_alg decrypts the ID token with its own key before the usual checks, and
// refuses one that arrives in clear or encrypted to a key it does not hold.
import { IdTokenRejected, verifyIdToken } from '@fapi-sandbox/fapi-client';
import { encryptNestedJwt } from '@fapi-sandbox/fapi-core/jose/encryption';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';

const ISSUER = 'https://bank.localhost:9443';
const CLIENT_ID = 'client-1';
let bankJwks: ReturnType<typeof createLocalJWKSet>;
let idToken: string;
let clientKeys: { keys: JWK[] };
let clientPublicKey: JWK;

async function encryptionKeyPair(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('RSA-OAEP-256', { extractable: true });
  const header = { kid, alg: 'RSA-OAEP-256', use: 'enc' };
  return {
    publicJwk: { ...(await exportJWK(publicKey)), ...header },
    privateJwk: { ...(await exportJWK(privateKey)), ...header },
  };
}

beforeAll(async () => {
  const signing = await generateKeyPair('PS256', { extractable: true });
  bankJwks = createLocalJWKSet({
    keys: [{ ...(await exportJWK(signing.publicKey)), kid: 'bank', alg: 'PS256' }],
  });
  idToken = await new SignJWT({ nonce: 'n-1', openbanking_intent_id: 'consent-1' })
    .setProtectedHeader({ alg: 'PS256', kid: 'bank' })
    .setIssuer(ISSUER)
    .setAudience(CLIENT_ID)
    .setSubject('alice')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(signing.privateKey);
  const client = await encryptionKeyPair('client-enc');
  clientKeys = { keys: [client.privateJwk] };
  clientPublicKey = client.publicJwk;
});

const verify = (token: string) =>
  verifyIdToken({
    idToken: token,
    issuer: ISSUER,
    clientId: CLIENT_ID,
    bankKeys: bankJwks,
    nonce: 'n-1',
    consentId: 'consent-1',
    decryptionKeys: clientKeys,
  });

describe('encrypted ID tokens', () => {
  it('decrypts with the client key, then runs the signature, nonce and consent checks', async () => {
    const claims = await verify(await encryptNestedJwt(idToken, clientPublicKey));
    expect(claims).toMatchObject({ sub: 'alice', openbanking_intent_id: 'consent-1' });
  });

  it('refuses an ID token in clear when the client registered encryption', async () => {
    const refusal = await verify(idToken).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(IdTokenRejected);
    expect((refusal as IdTokenRejected).check).toMatchObject({
      passed: false,
      clause: 'OIDC Core §10.2',
      detail: 'the ID token arrived in clear (a JWS)',
    });
  });

  it('refuses an ID token encrypted to a key the client does not hold', async () => {
    const other = await encryptionKeyPair('someone-else');
    const refusal = await verify(await encryptNestedJwt(idToken, other.publicJwk)).catch(
      (err: unknown) => err,
    );
    expect(refusal).toBeInstanceOf(IdTokenRejected);
    expect((refusal as IdTokenRejected).check.detail).toContain('no private key with use enc');
  });
});
