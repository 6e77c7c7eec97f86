// bank-api's introspection client (src/introspection.ts) against answers bank-op would never give: each
// is refused as a bad gateway (502) with the reason, never taken as an answer about the token.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { type CryptoKey, createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { MockAgent } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createIntrospectionClient } from '../src/introspection.js';

const ISSUER = 'https://bank.example';
const ENDPOINT = `${ISSUER}/token/introspect`;
let bankKey: CryptoKey;
let foreignKey: CryptoKey;
let keys: Awaited<ReturnType<typeof localKeys>>;
let agent: MockAgent;

async function localKeys(publicKey: CryptoKey) {
  return createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'bank', alg: 'PS256' }] });
}

beforeAll(async () => {
  const bank = await generateKeyPair('PS256', { modulusLength: 2048 });
  const foreign = await generateKeyPair('PS256', { modulusLength: 2048 });
  bankKey = bank.privateKey;
  foreignKey = foreign.privateKey;
  keys = await localKeys(bank.publicKey);
});
afterEach(async () => {
  await agent?.close();
});

function signed(claims: Record<string, unknown>, options: { key?: CryptoKey; typ?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'PS256', kid: 'bank', typ: options.typ ?? 'token-introspection+jwt' })
    .sign(options.key ?? bankKey);
}

/** The client with bank-op answering `status` and `body` once. */
function clientAnswering(status: number, body: string, type = 'application/token-introspection+jwt') {
  agent = new MockAgent();
  agent.disableNetConnect();
  agent
    .get(ISSUER)
    .intercept({ path: '/token/introspect', method: 'POST' })
    .reply(status, body, {
      headers: { 'content-type': type },
    });
  return createIntrospectionClient({ endpoint: ENDPOINT, dispatcher: agent, keys, issuer: ISSUER });
}

async function refusal(promise: Promise<unknown>): Promise<OAuthError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(OAuthError);
  return err as OAuthError;
}

const ACTIVE = { iss: ISSUER, aud: 'bank-api', token_introspection: { active: true, client_id: 'c' } };

describe("bank-api's introspection client", () => {
  it('takes a signed answer from bank-op for bank-api', async () => {
    const answer = await clientAnswering(200, await signed(ACTIVE))('opaque');
    expect(answer.response).toEqual({ active: true, client_id: 'c' });
  });

  it('refuses an answer signed by another key (502)', async () => {
    const err = await refusal(clientAnswering(200, await signed(ACTIVE, { key: foreignKey }))('opaque'));
    expect(err).toMatchObject({ status: 502, error: 'temporarily_unavailable' });
    expect(err.errorDescription).toMatch(/introspection response was refused/);
  });

  it('refuses an answer meant for another resource server or of another type (502)', async () => {
    for (const jwt of [await signed({ ...ACTIVE, aud: 'other-api' }), await signed(ACTIVE, { typ: 'JWT' })]) {
      const err = await refusal(clientAnswering(200, jwt)('opaque'));
      expect(err).toMatchObject({ status: 502 });
      expect(err.errorDescription).toMatch(/RFC 9701 section 5/);
    }
  });

  it('refuses an unsigned JSON answer or an error from bank-op (502), naming the status', async () => {
    const plain = await refusal(clientAnswering(200, '{"active":true}', 'application/json')('opaque'));
    expect(plain).toMatchObject({ status: 502 });
    const failed = await refusal(clientAnswering(401, '{"error":"invalid_client"}', 'application/json')('x'));
    expect(failed.errorDescription).toMatch(/answered 401/);
  });
});
