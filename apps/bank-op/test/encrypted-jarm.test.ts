// Encrypted JARM responses (JARM §2.2, §3) against the real bank: a client that registered
// authorization_encrypted_response_alg gets its authorization response signed by the bank, then encrypted
// to its own key (use enc) from the software JWKS. The bank's trace shows the JWE header only: it holds
// no key to read the response back. Registration refuses what the bank cannot honour.
import { randomUUID } from 'node:crypto';
import { participantDecryptionKeys } from '@fapi-sandbox/fapi-client';
import {
  contentEncryptionAlgs,
  decryptNestedJwt,
  keyManagementAlgs,
} from '@fapi-sandbox/fapi-core/jose/encryption';
import { createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryption } from '../src/registration/metadata-checks/encryption.js';
import { bankJwks } from './support/flows.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { json, type RegisteredClient, TestTpp } from './support/tpp.js';

// The refusals of bad JARM encryption metadata at registration run with the ID token ones, in
// encrypted-request-objects.test.ts.

let sandbox: Sandbox;
let tpp: TestTpp;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
});
afterAll(async () => {
  await sandbox?.close();
});

/** A FAPI 1.0 Advanced authorization with response_mode=jwt; the `response` parameter the client gets. */
async function jarmResponse(client: RegisteredClient, interactionId = randomUUID()) {
  const params: Record<string, string> = {
    ...tpp.authorizationParams(client, await tpp.accountConsent(client), tpp.pkce()),
    response_type: 'code',
    response_mode: 'jwt',
  };
  const par = await tpp.par(
    client,
    { request: await tpp.requestObject(client, params) },
    { headers: { 'x-fapi-interaction-id': interactionId } },
  );
  expect(par.status, JSON.stringify(par.body)).toBe(201);
  const landing = await tpp.customerAuthorizes(tpp.authorizationUrl(client, String(par.body.request_uri)));
  return { response: landing.searchParams.get('response')!, state: params.state! };
}

describe('what the bank advertises', () => {
  it('lists exactly fapi-core’s algorithms for JARM encryption (RSA-OAEP-256, ECDH-ES; A256GCM)', async () => {
    const discovery = (
      await json(await fetch(`${tpp.issuer}/.well-known/openid-configuration`, { dispatcher: sandbox.plain }))
    ).body;
    expect(discovery.authorization_encryption_alg_values_supported).toEqual([...keyManagementAlgs]);
    expect(discovery.authorization_encryption_enc_values_supported).toEqual([...contentEncryptionAlgs]);
  });
});

describe('a JARM response signed by the bank, then encrypted to the client', () => {
  it.each(keyManagementAlgs)(
    'arrives as a JWE (%s, A256GCM) that the client decrypts and verifies',
    async (alg) => {
      const client = await tpp.register({
        profile: 'fapi1-advanced',
        extra: { authorization_encrypted_response_alg: alg },
      });
      expect(client.metadata).toMatchObject({
        authorization_encrypted_response_alg: alg,
        authorization_encrypted_response_enc: 'A256GCM',
      });
      const interactionId = randomUUID();
      const { response, state } = await jarmResponse(client, interactionId);

      // RFC 7516 §7.1: five parts; the header names the client's key of that alg, and a JWT inside.
      expect(response.split('.')).toHaveLength(5);
      const keys = participantDecryptionKeys(sandbox.config.participants.demo);
      const key = keys.keys.find((candidate) => candidate.alg === alg)!;
      expect(decodeProtectedHeader(response)).toMatchObject({
        alg,
        enc: 'A256GCM',
        kid: key.kid,
        cty: 'JWT',
      });
      // JARM §2.2: decrypted, it is the signed JWT of JARM §4.4.
      const { jws } = await decryptNestedJwt(response, keys);
      const { payload, protectedHeader } = await jwtVerify(jws, createLocalJWKSet(await bankJwks(tpp)), {
        issuer: tpp.issuer,
        audience: client.clientId,
      });
      expect(protectedHeader.alg).toBe('PS256');
      expect(payload).toMatchObject({ state, code: expect.any(String) });

      // The bank's trace of the redirect: the JWE header, no claims, and never the response itself.
      const [redirect] = sandbox.bankOp.trace
        .list({ interactionId })
        .filter((event) => event.step === 'Authorization response (redirect to the client)');
      expect(redirect?.clause).toBe('JARM §4.1, JARM §2.2');
      expect(redirect?.jwts).toEqual([
        {
          where: 'redirect query.response (JWE protected header; only the client can decrypt it)',
          header: expect.objectContaining({ alg, enc: 'A256GCM', kid: key.kid, cty: 'JWT' }),
          claims: {},
        },
      ]);
      expect(redirect?.checks).toContainEqual(
        expect.objectContaining({
          name: "JARM response signed by the bank, then encrypted to the client's key",
          passed: true,
          detail: expect.stringContaining(`JWE alg ${alg}, enc A256GCM`),
        }),
      );
      expect(JSON.stringify(redirect)).not.toContain(response);
      expect(JSON.stringify(redirect)).not.toContain(String(payload.code));
    },
  );

  it('stays a JWS in clear for a client that did not register encryption', async () => {
    const client = await tpp.register({ profile: 'fapi1-advanced' });
    const { response } = await jarmResponse(client);
    expect(response.split('.')).toHaveLength(3);
  });
});

describe('registration', () => {
  it('refuses authorization_encrypted_response_alg when the software JWKS has no key to encrypt to', async () => {
    // The check itself, with a software JWKS that holds a signing key only (the directory's fixtures all
    // carry encryption keys, so no registered participant lacks one).
    const signingOnly = await exportJWK((await generateKeyPair('PS256')).publicKey);
    const run = () =>
      encryption.run({
        request: { authorization_encrypted_response_alg: 'ECDH-ES' },
        softwareJwks: { keys: [{ ...signingOnly, use: 'sig', alg: 'PS256' }] },
        metadata: {},
      } as never);
    expect(run).toThrow(
      expect.objectContaining({
        error: 'invalid_client_metadata',
        description: expect.stringContaining(
          'authorization_encrypted_response_alg ECDH-ES needs a key with alg ECDH-ES and use enc',
        ),
        clause: 'OIDC Core §10.2, RFC 7517 §4.2',
      }),
    );
  });
});
