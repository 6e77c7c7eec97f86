// The userinfo endpoint (OIDC Core §5.3) tells the truth: discovery advertises it, and it answers a token
// meant for it — one the client gets by refreshing with scope=openid alone — while the access tokens for
// bank-api are refused there, and the userinfo token is no key to bank-api.
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './support/expect-error.js';
import { authorizeFapi2 } from './support/flows.js';
import { introspectAsBankApi } from './support/introspect-as-bank-api.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { json, type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let client: RegisteredClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  client = await tpp.register();
});
afterAll(async () => {
  await sandbox?.close();
});

async function userinfoToken() {
  const authorized = await authorizeFapi2(tpp, client);
  const issued = await tpp.redeem(client, authorized.code, authorized.pkce);
  expect(issued.status, JSON.stringify(issued.body)).toBe(200);
  const refreshed = await tpp.token(client, {
    grant_type: 'refresh_token',
    refresh_token: String(issued.body.refresh_token),
    scope: 'openid',
  });
  expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
  return { token: String(refreshed.body.access_token), consentId: authorized.consentId };
}

function userinfo(token: string) {
  return fetch(`${sandbox.config.bankOp.mtls.origin}/userinfo`, {
    dispatcher: tpp.transport,
    headers: { authorization: `Bearer ${token}` },
  });
}

describe('the userinfo endpoint', () => {
  it('is advertised, on the mTLS listener too', async () => {
    const discovery = (await (
      await fetch(`${tpp.issuer}/.well-known/openid-configuration`, { dispatcher: sandbox.plain })
    ).json()) as Record<string, unknown>;
    expect(discovery.userinfo_endpoint).toBe(`${tpp.issuer}/userinfo`);
    expect(discovery.mtls_endpoint_aliases).toMatchObject({
      userinfo_endpoint: `${sandbox.config.bankOp.mtls.origin}/userinfo`,
    });
  });

  it('answers a token meant for it (a refresh with scope=openid alone): the customer and the consent', async () => {
    const { token, consentId } = await userinfoToken();
    const response = await userinfo(token);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      sub: expect.any(String),
      openbanking_intent_id: consentId,
    });
  });

  it('refuses an access token meant for bank-api', async () => {
    const authorized = await authorizeFapi2(tpp, client);
    const issued = await tpp.redeem(client, authorized.code, authorized.pkce);
    expectOAuthError(await json(await userinfo(String(issued.body.access_token))), {
      status: 401,
      error: 'invalid_token',
    });
  });

  it('gives a token bank-api cannot use: introspected by bank-api, it is not active', async () => {
    const { token } = await userinfoToken();
    expect(await (await introspectAsBankApi(sandbox, token)).json()).toEqual({ active: false });
  });
});
