// JWS algorithms as current clients send them: `Ed25519`, the fully-specified name RFC 9864 gives EdDSA
// on Ed25519 (openid-client 6 puts it in DPoP proofs), is accepted wherever `EdDSA` is and advertised;
// a refused algorithm is named in the refusal with what the client must use instead.
import { randomUUID } from 'node:crypto';
import { clientAssertionParams, createClientAssertion } from '@fapi-sandbox/fapi-core/jose/client-assertion';
import { generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { createRequestObject } from '@fapi-sandbox/fapi-core/jose/request-object';
import { type CryptoKey, decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { Adapter } from 'oidc-provider';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './support/expect-error.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { DpopSession, json, type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
});
afterAll(async () => {
  await sandbox?.close();
});

/**
 * A registered client whose key set is one Ed25519 key. The directory certifies only RSA and P-256 keys,
 * so the test replaces the stored client's jwks_uri with an inline JWKS, as a client whose software
 * publishes an Ed25519 key would have.
 */
async function clientWithEd25519Key(): Promise<{ client: RegisteredClient; key: CryptoKey; kid: string }> {
  const client = await tpp.register({ senderConstraint: 'dpop' });
  const { privateKey, publicKey } = await generateKeyPair('Ed25519');
  const kid = `ed25519-${randomUUID()}`;
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, use: 'sig' };
  // oidc-provider's models expose their storage adapter (Client.adapter), untyped in @types/oidc-provider.
  const adapter = (sandbox.bankOp.provider.Client as unknown as { adapter: Adapter }).adapter;
  const { jwks_uri: _jwksUri, ...stored } = (await adapter.find(client.clientId)) as Record<string, unknown>;
  await adapter.upsert(client.clientId, { ...stored, jwks: { keys: [publicJwk] } } as never, 0);
  return { client, key: privateKey, kid };
}

async function ed25519Assertion(client: RegisteredClient, key: CryptoKey, kid: string) {
  return clientAssertionParams(
    await createClientAssertion({
      clientId: client.clientId,
      issuer: tpp.issuer,
      signingKey: { alg: 'Ed25519', key, kid },
    }),
  );
}

describe('Ed25519 (RFC 9864), accepted wherever EdDSA is', () => {
  it('is advertised for client assertions, request objects and DPoP proofs', async () => {
    const response = await fetch(`${tpp.issuer}/.well-known/openid-configuration`, {
      dispatcher: sandbox.plain,
    });
    const metadata = (await response.json()) as Record<string, string[]>;
    for (const name of [
      'token_endpoint_auth_signing_alg_values_supported',
      'request_object_signing_alg_values_supported',
      'dpop_signing_alg_values_supported',
    ]) {
      expect(metadata[name], name).toEqual(expect.arrayContaining(['EdDSA', 'Ed25519']));
    }
  });

  it('accepts a DPoP proof signed Ed25519 at the token endpoint and binds the token to its key', async () => {
    const client = await tpp.register({ senderConstraint: 'dpop' });
    const dpop = new DpopSession(await generateDpopKey('Ed25519'));
    const token = await tpp.token(client, { grant_type: 'client_credentials', scope: 'accounts' }, { dpop });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    expect(token.body.token_type).toBe('DPoP');
    expect(decodeJwt(String(token.body.access_token)).cnf).toEqual({ jkt: dpop.key.jkt });
  });

  it('accepts a client assertion signed Ed25519', async () => {
    const { client, key, kid } = await clientWithEd25519Key();
    const dpop = await DpopSession.create();
    const token = await tpp.token(
      client,
      { grant_type: 'client_credentials', scope: 'accounts' },
      { dpop, auth: () => ed25519Assertion(client, key, kid) },
    );
    expect(token.status, JSON.stringify(token.body)).toBe(200);
  });

  it('accepts a request object signed Ed25519 at the PAR endpoint', async () => {
    const { client, key, kid } = await clientWithEd25519Key();
    const { client_id: _clientId, ...params } = tpp.authorizationParams(
      client,
      await tpp.accountConsent(client),
      tpp.pkce(),
    );
    const request = await createRequestObject({
      clientId: client.clientId,
      issuer: tpp.issuer,
      signingKey: { alg: 'Ed25519', key, kid },
      params,
    });
    const dpop = await DpopSession.create();
    // A nonce retry needs a fresh assertion (each jti is used once), so the form is built per attempt.
    const res = await tpp.post(
      client,
      tpp.endpoint(client, '/par'),
      async () => ({ client_id: client.clientId, request, ...(await ed25519Assertion(client, key, kid)) }),
      { dpop },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.request_uri).toMatch(/^urn:ietf:params:oauth:request_uri:/);
  });
});

describe('a refused algorithm is named, with what to use instead', () => {
  it('refuses an RS256 client assertion naming RS256 and the algorithms accepted', async () => {
    const client = await tpp.register({ senderConstraint: 'dpop' });
    // oidc-provider checks the alg before the signature, so any RSA key shows the refusal.
    const { privateKey } = await generateKeyPair('RS256');
    const now = Math.floor(Date.now() / 1000);
    const assertion = await new SignJWT({
      iss: client.clientId,
      sub: client.clientId,
      aud: tpp.issuer,
      jti: randomUUID(),
      iat: now,
      exp: now + 60,
    })
      .setProtectedHeader({ alg: 'RS256' })
      .sign(privateKey);
    const res = await tpp.token(
      client,
      { grant_type: 'client_credentials', scope: 'accounts' },
      { dpop: await DpopSession.create(), auth: async () => clientAssertionParams(assertion) },
    );
    expectOAuthError(res, {
      status: 401,
      error: 'invalid_client',
      clause: /FAPI 2\.0 SP section 5\.4\.1-1/,
      mentions: /signed with 'RS256'.*PS256, ES256, EdDSA, Ed25519/,
    });
  });

  it('tells a client that registered PS256 and signs ES256 to use PS256, not that ES256 is refused', async () => {
    const client = await tpp.register({
      senderConstraint: 'dpop',
      extra: { token_endpoint_auth_signing_alg: 'PS256' },
    });
    expect(client.metadata.token_endpoint_auth_signing_alg).toBe('PS256');
    const res = await tpp.token(
      client,
      { grant_type: 'client_credentials', scope: 'accounts' },
      { dpop: await DpopSession.create(), auth: () => tpp.clientAuth(client, { alg: 'ES256' }) },
    );
    const description = expectOAuthError(res, {
      status: 401,
      error: 'invalid_client',
      clause: /RFC 7591 section 2/,
      mentions: /signed with 'ES256', but this client registered token_endpoint_auth_signing_alg PS256/,
    });
    expect(description).toMatch(/Fix: sign the client assertion with PS256/);
    expect(description).not.toMatch(/does not accept/);
  });

  it('refuses an ES384 DPoP proof naming ES384 and the algorithms accepted', async () => {
    const client = await tpp.register({ senderConstraint: 'dpop' });
    const { privateKey, publicKey } = await generateKeyPair('ES384');
    const url = tpp.endpoint(client, '/token');
    const proof = async () =>
      new SignJWT({ htm: 'POST', htu: url, jti: randomUUID(), iat: Math.floor(Date.now() / 1000) })
        .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES384', jwk: await exportJWK(publicKey) })
        .sign(privateKey);
    const res = json(
      await fetch(url, {
        method: 'POST',
        dispatcher: sandbox.plain,
        headers: { 'content-type': 'application/x-www-form-urlencoded', dpop: await proof() },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: 'accounts',
          ...(await tpp.clientAuth(client)),
        }).toString(),
      }),
    );
    expectOAuthError(await res, {
      status: 400,
      error: 'invalid_dpop_proof',
      clause: /FAPI 2\.0 SP section 5\.4\.1-1/,
      mentions: /DPoP proof is signed with 'ES384'.*PS256, ES256, EdDSA, Ed25519/,
    });
  });
});
