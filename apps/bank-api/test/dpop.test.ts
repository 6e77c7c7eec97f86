// DPoP proofs at the resource server (RFC 9449 §4.3, §7, §9): each broken proof is refused with 401
// and a DPoP challenge; a replayed proof too; the server's nonce is required and handed out.
import { randomUUID } from 'node:crypto';
import { FapiFlowClient, FLOW_VARIANTS } from '@fapi-sandbox/fapi-client';
import { createDpopProof, generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiResponse, TestClient } from './support/clients.js';
import { accountAccess, type Sandbox, startSandbox } from './support/sandbox.js';

let sb: Sandbox;
let client: TestClient;
let token: string;
beforeAll(async () => {
  sb = await startSandbox();
  client = sb.clients.moneywiseDpop;
  ({ token } = await accountAccess(sb, client));
});
afterAll(async () => {
  await sb?.stop();
});

const path = '/aisp/accounts';
const url = () => `${sb.config.bankApi.baseUrl}${path}`;
const proof = (overrides: Partial<Parameters<typeof createDpopProof>[0]> = {}) =>
  createDpopProof({
    key: client.dpopKey!,
    method: 'GET',
    url: url(),
    accessToken: token,
    nonce: client.nonce!,
    ...overrides,
  });

function expectInvalidProof(response: ApiResponse, message: RegExp) {
  expect(response.status).toBe(401);
  expect(response.body.error).toBe('invalid_dpop_proof');
  expect(response.body.error_description).toMatch(message);
  expect(response.headers.get('www-authenticate')).toMatch(
    /^DPoP error="invalid_dpop_proof", error_description=".*", algs="PS256 ES256 EdDSA Ed25519"$/,
  );
}

describe('a DPoP proof', () => {
  beforeEach(async () => {
    // Each test starts with a current server nonce (the caller picks it up from every response).
    const ok = await sb.call(client, 'GET', path, { token });
    expect(ok.status).toBe(200);
  });

  it('is accepted once, and refused when replayed (RFC 9449 §11.1)', async () => {
    const once = await proof();
    expect((await sb.call(client, 'GET', path, { token, proof: once })).status).toBe(200);
    expectInvalidProof(await sb.call(client, 'GET', path, { token, proof: once }), /jti .* was already used/);
  });

  it('is refused for another URL (htu)', async () => {
    const other = await proof({ url: `${sb.config.bankApi.baseUrl}/aisp/accounts/${'70000101'}/balances` });
    expectInvalidProof(
      await sb.call(client, 'GET', path, { token, proof: other }),
      /htu .* does not match the request URI.*check 9/,
    );
  });

  it('is accepted with a query string or fragment on htu, which are ignored', async () => {
    const withQuery = await proof({ url: `${url()}?page=1#top` });
    expect((await sb.call(client, 'GET', path, { token, proof: withQuery })).status).toBe(200);
  });

  it('is refused for another method (htm)', async () => {
    expectInvalidProof(
      await sb.call(client, 'GET', path, { token, proof: await proof({ method: 'PUT' }) }),
      /htm 'PUT' does not match the request method 'GET'/,
    );
  });

  it('is refused without ath when it accompanies an access token', async () => {
    const { accessToken: _omitted, ...rest } = {
      key: client.dpopKey!,
      method: 'GET',
      url: url(),
      accessToken: token,
      nonce: client.nonce!,
    };
    expectInvalidProof(
      await sb.call(client, 'GET', path, { token, proof: await createDpopProof(rest) }),
      /no ath claim/,
    );
  });

  it('is refused with the ath of another token', async () => {
    const other = await sb.tokens.clientCredentials(client, 'accounts');
    expectInvalidProof(
      await sb.call(client, 'GET', path, { token, proof: await proof({ accessToken: other }) }),
      /ath .* is not the hash of the access token/,
    );
  });

  it('is refused when iat is stale or in the future', async () => {
    const stale = await proof({ now: () => Date.now() - 5 * 60_000 });
    expectInvalidProof(await sb.call(client, 'GET', path, { token, proof: stale }), /iat is 5 min old/);
    const future = await proof({ now: () => Date.now() + 60 * 60_000 });
    expectInvalidProof(await sb.call(client, 'GET', path, { token, proof: future }), /in the future/);
  });

  it('is refused when signed by another key than the token is bound to', async () => {
    const otherKey = await generateDpopKey('ES256');
    const response = await sb.call(client, 'GET', path, { token, proof: await proof({ key: otherKey }) });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_token');
    expect(response.body.error_description).toMatch(/signed by key .* but the token is bound to key/);
  });

  it('is refused with a wrong typ, or when it is no JWS at all', async () => {
    const [, payload, signature] = (await proof()).split('.');
    const header = Buffer.from(
      JSON.stringify({ typ: 'JWT', alg: 'ES256', jwk: client.dpopKey!.publicJwk }),
    ).toString('base64url');
    expectInvalidProof(
      await sb.call(client, 'GET', path, { token, proof: `${header}.${payload}.${signature}` }),
      /typ 'JWT' is not 'dpop\+jwt'/,
    );
    expectInvalidProof(
      await sb.call(client, 'GET', path, { token, proof: 'not-a-jwt' }),
      /compact serialization/,
    );
  });

  it('is refused when two proofs are sent', async () => {
    const two = `${await proof()}, ${await proof()}`;
    expectInvalidProof(
      await sb.call(client, 'GET', path, { token, proof: two }),
      /more than one DPoP header/,
    );
  });
});

describe('server nonces (RFC 9449 §9)', () => {
  it('are demanded with use_dpop_nonce and a DPoP-Nonce header, then accepted', async () => {
    const fresh = { ...client, nonce: undefined } as TestClient;
    const withoutNonce = await createDpopProof({
      key: client.dpopKey!,
      method: 'GET',
      url: url(),
      accessToken: token,
    });
    const challenged = await sb.call(fresh, 'GET', path, { token, proof: withoutNonce });
    expect(challenged.status).toBe(401);
    expect(challenged.body.error).toBe('use_dpop_nonce');
    const nonce = challenged.headers.get('dpop-nonce');
    expect(nonce).toBeTruthy();
    expect(challenged.headers.get('www-authenticate')).toMatch(/^DPoP error="use_dpop_nonce"/);
    const retried = await createDpopProof({
      key: client.dpopKey!,
      method: 'GET',
      url: url(),
      accessToken: token,
      nonce: nonce!,
    });
    expect((await sb.call(fresh, 'GET', path, { token, proof: retried })).status).toBe(200);
  });

  it('refuse a nonce the server never issued', async () => {
    const response = await sb.call(client, 'GET', path, {
      token,
      proof: await proof({ nonce: randomUUID() }),
    });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('use_dpop_nonce');
    expect(response.body.error_description).toMatch(/is not current/);
  });
});

describe('a DPoP proof signed Ed25519 (the fully-specified name of RFC 9864 that openid-client 6 sends)', () => {
  it('gets a token at bank-op and is accepted by the API, like EdDSA', async () => {
    const dpopKey = await generateDpopKey('Ed25519');
    const flow = await FapiFlowClient.connect({
      config: sb.config,
      variant: FLOW_VARIANTS.find((v) => v.id === 'fapi2-dpop')!,
      participant: client.participant,
      dpopKey,
    });
    const edClient: TestClient = {
      ...client,
      name: 'Moneywise (DPoP, Ed25519)',
      flow,
      clientId: flow.clientId,
      dpopKey,
      nonce: undefined,
    };
    try {
      const { token: edToken } = await accountAccess(sb, edClient);
      expect(decodeJwt(edToken).cnf).toEqual({ jkt: dpopKey.jkt });
      const response = await sb.call(edClient, 'GET', path, { token: edToken });
      expect(response.status, JSON.stringify(response.body)).toBe(200);
    } finally {
      await flow.close();
    }
  });
});
