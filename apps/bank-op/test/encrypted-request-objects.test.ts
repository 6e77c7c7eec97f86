// Encrypted request objects (RFC 9101 §6.1) and the encryption metadata a client registers (OIDC
// Registration §2), against the real bank: what the bank advertises, a nested JWT (signed, then
// encrypted) accepted at PAR with either key management algorithm, and each refusal with its clause.
import { randomUUID } from 'node:crypto';
import { encryptionKeyFor, encryptNestedJwt } from '@fapi-sandbox/fapi-core/jose/encryption';
import { CompactEncrypt, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT, UnsecuredJWT } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { json, type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let bankKeys: { keys: JWK[] };
let fapi1: RegisteredClient;
let fapi1Encrypting: RegisteredClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  bankKeys = (await json(await fetch(`${tpp.issuer}/jwks`, { dispatcher: sandbox.plain }))).body as never;
  fapi1 = await tpp.register({ profile: 'fapi1-advanced' });
  fapi1Encrypting = await tpp.register({
    profile: 'fapi1-advanced',
    extra: { request_object_encryption_alg: 'RSA-OAEP-256', request_object_encryption_enc: 'A256GCM' },
  });
});
afterAll(async () => {
  await sandbox?.close();
});

const bankKey = (alg: 'RSA-OAEP-256' | 'ECDH-ES') => encryptionKeyFor(bankKeys, alg)!;

async function signedRequest(client: RegisteredClient) {
  const params = {
    ...tpp.authorizationParams(client, await tpp.accountConsent(client), tpp.pkce()),
    response_type: 'code id_token',
  };
  return tpp.requestObject(client, params);
}

/** The signed request object of `fapi1`, encrypted to the bank's key with the algorithms given. */
async function encryptAs(key: JWK, alg: string, enc: string) {
  return new CompactEncrypt(new TextEncoder().encode(await signedRequest(fapi1)))
    .setProtectedHeader({ alg, enc, kid: key.kid, cty: 'JWT' })
    .encrypt(await importJWK({ ...key, alg }, alg));
}

async function push(client: RegisteredClient, request: string, interactionId = randomUUID()) {
  return tpp.par(client, { request }, { headers: { 'x-fapi-interaction-id': interactionId } });
}

function expectRefusal(response: { status: number; body: Record<string, unknown> }, clause: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(400);
  expect(response.body.error).toBe('invalid_request_object');
  expect(String(response.body.error_description)).toContain(clause);
  expect(String(response.body.error_description)).toContain('Fix: ');
}

describe('what the bank advertises', () => {
  it('lists exactly RSA-OAEP-256 and ECDH-ES with A256GCM, and publishes an enc key for each', async () => {
    const discovery = (
      await json(await fetch(`${tpp.issuer}/.well-known/openid-configuration`, { dispatcher: sandbox.plain }))
    ).body;
    expect(discovery.request_object_encryption_alg_values_supported).toEqual(['RSA-OAEP-256', 'ECDH-ES']);
    expect(discovery.request_object_encryption_enc_values_supported).toEqual(['A256GCM']);
    expect(discovery.id_token_encryption_alg_values_supported).toEqual(['RSA-OAEP-256', 'ECDH-ES']);
    expect(discovery.id_token_encryption_enc_values_supported).toEqual(['A256GCM']);
    const enc = bankKeys.keys.filter((key) => key.use === 'enc');
    expect(enc.map((key) => key.alg)).toEqual(['RSA-OAEP-256', 'ECDH-ES']);
    // Only public halves leave the bank.
    expect(enc.every((key) => key.d === undefined)).toBe(true);
  });
});

describe('a nested JWT: signed by the client, then encrypted to the bank', () => {
  it.each(['RSA-OAEP-256', 'ECDH-ES'] as const)('is accepted at PAR when encrypted with %s', async (alg) => {
    const interactionId = randomUUID();
    const request = await encryptNestedJwt(await signedRequest(fapi1), bankKey(alg));
    const par = await push(fapi1, request, interactionId);
    expect(par.status, JSON.stringify(par.body)).toBe(201);
    const [event] = sandbox.bankOp.trace.list({ interactionId });
    const check = event?.checks.find((c) => c.name.startsWith('Request object decrypted'));
    expect(check?.name).toBe(
      `Request object decrypted with the bank's key ${bankKey(alg).kid}, then its signature verified`,
    );
    expect(check?.detail).toContain(`JWE alg ${alg}, enc A256GCM`);
    // The trace shows the decrypted request object, which the bank verified.
    const decrypted = event?.jwts.find((jwt) => jwt.where.startsWith('request object (decrypted'));
    expect(decrypted?.verified).toBe(true);
    expect(decrypted?.claims.iss).toBe(fapi1.clientId);
  });

  it('is accepted from a client that registered request object encryption', async () => {
    const request = await encryptNestedJwt(await signedRequest(fapi1Encrypting), bankKey('RSA-OAEP-256'));
    const par = await push(fapi1Encrypting, request);
    expect(par.status, JSON.stringify(par.body)).toBe(201);
  });
});

describe('refusals', () => {
  it('refuses a request object encrypted to a key that is not the bank’s (wrong key)', async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP-256');
    const attacker = {
      ...(await exportJWK(publicKey)),
      alg: 'RSA-OAEP-256',
      kid: bankKey('RSA-OAEP-256').kid,
    };
    const par = await push(fapi1, await encryptNestedJwt(await signedRequest(fapi1), attacker));
    expectRefusal(par, 'RFC 9101 section 6.1');
    expect(String(par.body.error_description)).toContain("not one of the bank's encryption keys");
  });

  it('refuses a key management algorithm the bank does not accept (RSA-OAEP)', async () => {
    const request = await encryptAs(bankKey('RSA-OAEP-256'), 'RSA-OAEP', 'A256GCM');
    const par = await push(fapi1, request);
    expectRefusal(par, 'RFC 9101 section 6.1');
    expect(String(par.body.error_description)).toContain('this bank accepts alg RSA-OAEP-256, ECDH-ES');
  });

  it('refuses a content encryption algorithm the bank does not accept (A128CBC-HS256)', async () => {
    const request = await encryptAs(bankKey('ECDH-ES'), 'ECDH-ES', 'A128CBC-HS256');
    const par = await push(fapi1, request);
    expectRefusal(par, 'RFC 9101 section 6.1');
    expect(String(par.body.error_description)).toContain('enc A256GCM');
  });

  it('refuses an encrypted request object that is not signed inside (alg none)', async () => {
    const params = {
      ...tpp.authorizationParams(fapi1, await tpp.accountConsent(fapi1), tpp.pkce()),
      response_type: 'code id_token',
    };
    const { client_id: _ignored, ...claims } = params as Record<string, string>;
    const now = Math.floor(Date.now() / 1000);
    const unsigned = new UnsecuredJWT({ ...claims, client_id: fapi1.clientId, nbf: now })
      .setIssuer(fapi1.clientId)
      .setAudience(tpp.issuer)
      .setExpirationTime(now + 300)
      .encode();
    const par = await push(fapi1, await encryptNestedJwt(unsigned, bankKey('RSA-OAEP-256')));
    expectRefusal(par, 'OIDC Core section 10.2');
    expect(String(par.body.error_description)).toContain('unsigned JWT (alg none)');
  });

  it('refuses an encrypted request object signed with a key the directory does not publish', async () => {
    const { privateKey } = await generateKeyPair('PS256');
    const now = Math.floor(Date.now() / 1000);
    const { client_id: _ignored, ...params } = tpp.authorizationParams(
      fapi1,
      await tpp.accountConsent(fapi1),
      tpp.pkce(),
    ) as Record<string, string>;
    const forged = await new SignJWT({ ...params, response_type: 'code id_token', client_id: fapi1.clientId })
      .setProtectedHeader({ alg: 'PS256', kid: 'not-published', typ: 'oauth-authz-req+jwt' })
      .setIssuer(fapi1.clientId)
      .setAudience(tpp.issuer)
      .setNotBefore(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    const par = await push(fapi1, await encryptNestedJwt(forged, bankKey('RSA-OAEP-256')));
    expectRefusal(par, 'RFC 7515 section 4.1.4');
    expect(String(par.body.error_description)).toContain(
      'not-published, which the directory does not publish',
    );
  });

  it('refuses a request object in clear from a client that registered encryption', async () => {
    const par = await push(fapi1Encrypting, await signedRequest(fapi1Encrypting));
    expectRefusal(par, 'OIDC Registration section 2');
    expect(String(par.body.error_description)).toContain('sent the request object in clear');
  });

  it('refuses a request object encrypted with another alg than the client registered', async () => {
    const request = await encryptNestedJwt(await signedRequest(fapi1Encrypting), bankKey('ECDH-ES'));
    const par = await push(fapi1Encrypting, request);
    expectRefusal(par, 'OIDC Registration section 2');
    expect(String(par.body.error_description)).toContain("encrypted with alg 'ECDH-ES' and enc 'A256GCM'");
  });
});

describe('registration', () => {
  it('refuses request_object_encryption_alg RSA1_5 (RFC 8725 §3.2)', async () => {
    const response = await tpp.registerRaw({
      software_statement: await tpp.ssa(),
      fapi_profile: 'fapi1-advanced',
      token_endpoint_auth_method: 'private_key_jwt',
      tls_client_certificate_bound_access_tokens: true,
      redirect_uris: sandbox.config.participants.demo.redirectUris,
      request_object_encryption_alg: 'RSA1_5',
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_client_metadata');
    expect(String(response.body.error_description)).toContain('OIDC Registration section 2');
  });

  it.each([
    [
      { id_token_encrypted_response_alg: 'RSA1_5' },
      'id_token_encrypted_response_alg RSA1_5 is not an algorithm',
    ],
    [{ id_token_encrypted_response_enc: 'A256GCM' }, 'id_token_encrypted_response_enc is set without'],
    [
      { id_token_encrypted_response_alg: 'ECDH-ES', id_token_encrypted_response_enc: 'A128GCM' },
      'id_token_encrypted_response_enc A128GCM is not an algorithm',
    ],
    [
      { authorization_encrypted_response_alg: 'RSA1_5' },
      'authorization_encrypted_response_alg RSA1_5 is not an algorithm',
    ],
    [
      { authorization_encrypted_response_enc: 'A256GCM' },
      'authorization_encrypted_response_enc is set without',
    ],
    [
      {
        authorization_encrypted_response_alg: 'ECDH-ES',
        authorization_encrypted_response_enc: 'A128CBC-HS256',
      },
      'authorization_encrypted_response_enc A128CBC-HS256 is not an algorithm',
    ],
  ])(
    'refuses ID token and JARM encryption metadata the bank cannot honour: %j',
    async (metadata, message) => {
      const response = await tpp.registerRaw({
        software_statement: await tpp.ssa(),
        fapi_profile: 'fapi2',
        token_endpoint_auth_method: 'private_key_jwt',
        tls_client_certificate_bound_access_tokens: true,
        redirect_uris: sandbox.config.participants.demo.redirectUris,
        ...metadata,
      });
      expect(response.status).toBe(400);
      expect(response.body.error).toBe('invalid_client_metadata');
      expect(String(response.body.error_description)).toContain(message);
    },
  );

  it('registers ID token encryption when the software JWKS has a key of that alg with use enc', async () => {
    const client = await tpp.register({ extra: { id_token_encrypted_response_alg: 'ECDH-ES' } });
    expect(client.metadata).toMatchObject({
      id_token_encrypted_response_alg: 'ECDH-ES',
      id_token_encrypted_response_enc: 'A256GCM',
    });
  });

  it('defaults request_object_encryption_enc to A256GCM, the one the bank accepts', () => {
    expect(fapi1Encrypting.metadata.request_object_encryption_enc).toBe('A256GCM');
  });
});
