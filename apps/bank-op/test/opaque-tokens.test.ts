// Opaque access tokens and introspection: a client chooses at registration between JWT access tokens
// (RFC 9068) and opaque ones (bank-op sandbox extension access_token_format); bank-api, a resource-server
// client authenticating with its own transport certificate (RFC 8705 §2.1), introspects any access
// token addressed to it (RFC 7662 §2.1), signed on request (RFC 9701); a TPP introspects only its own
// refresh tokens.
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './support/expect-error.js';
import { authorizeFapi2, bankJwks } from './support/flows.js';
import { introspectAsBankApi as introspect } from './support/introspect-as-bank-api.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { type JsonResponse, json, type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let moneywise: TestTpp;
let budgetly: TestTpp;
let opaque: RegisteredClient;
let budgetlyOpaque: RegisteredClient;

const OPAQUE = { extra: { access_token_format: 'opaque' } };

beforeAll(async () => {
  sandbox = await startSandbox();
  moneywise = new TestTpp(sandbox, sandbox.config.participants.demo);
  budgetly = new TestTpp(sandbox, sandbox.config.participants.second);
  opaque = await moneywise.register(OPAQUE);
  budgetlyOpaque = await budgetly.register(OPAQUE);
});
afterAll(async () => {
  await sandbox?.close();
});

async function tokensOf(tpp: TestTpp, client: RegisteredClient) {
  const authorized = await authorizeFapi2(tpp, client);
  const tokens = await tpp.redeem(client, authorized.code, authorized.pkce);
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  return { accessToken: String(tokens.body.access_token), refreshToken: String(tokens.body.refresh_token) };
}

const introspectAsBankApi = (token: string, options?: Parameters<typeof introspect>[2]) =>
  introspect(sandbox, token, options);

function introspectAsTpp(tpp: TestTpp, client: RegisteredClient, token: string): Promise<JsonResponse> {
  return tpp.post(client, tpp.endpoint(client, '/token/introspect'), async () => ({
    token,
    ...(await tpp.clientAuth(client)),
  }));
}

describe('registering for opaque access tokens', () => {
  it('keeps the choice in the client record', () => {
    expect(opaque.metadata.access_token_format).toBe('opaque');
  });

  it('refuses a format the bank does not issue, naming the two it does', async () => {
    const response = await moneywise.registerRaw({
      software_statement: await moneywise.ssa(),
      token_endpoint_auth_method: 'private_key_jwt',
      redirect_uris: moneywise.participant.redirectUris,
      tls_client_certificate_bound_access_tokens: true,
      access_token_format: 'reference',
    });
    expectOAuthError(response, {
      status: 400,
      error: 'invalid_client_metadata',
      clause: /RFC 9068/,
      mentions: /'jwt'.*'opaque'/,
    });
  });

  it('issues an access token that is not a JWT', async () => {
    const { accessToken } = await tokensOf(moneywise, opaque);
    expect(() => decodeJwt(accessToken)).toThrow();
  });
});

describe('bank-api introspects the access tokens addressed to it (RFC 7662 §2.1)', () => {
  it("answers with the token's binding, scope, client and consent", async () => {
    const { accessToken } = await tokensOf(moneywise, opaque);
    const response = await introspectAsBankApi(accessToken);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      active: true,
      client_id: opaque.clientId,
      aud: sandbox.config.bankApi.web.origin,
      iss: sandbox.config.bankOp.issuer,
      software_id: sandbox.config.participants.demo.softwareId,
      token_type: 'Bearer',
      cnf: { 'x5t#S256': expect.any(String) },
      grant_id: expect.any(String),
      openbanking_intent_id: expect.any(String),
    });
    expect(String(body.scope).split(' ')).toContain('accounts');
  });

  it("introspects another participant's token too: the audience decides, not the client", async () => {
    const { accessToken } = await tokensOf(budgetly, budgetlyOpaque);
    const body = (await (await introspectAsBankApi(accessToken)).json()) as Record<string, unknown>;
    expect(body).toMatchObject({ active: true, client_id: budgetlyOpaque.clientId });
  });

  it('learns nothing about a refresh token, which is not addressed to it', async () => {
    const { refreshToken } = await tokensOf(moneywise, opaque);
    expect(await (await introspectAsBankApi(refreshToken)).json()).toEqual({ active: false });
  });

  it('signs the answer when bank-api asks for a JWT (RFC 9701)', async () => {
    const { accessToken } = await tokensOf(moneywise, opaque);
    const response = await introspectAsBankApi(accessToken, {
      accept: 'application/token-introspection+jwt',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/token-introspection\+jwt/);
    const jwt = await response.text();
    expect(decodeProtectedHeader(jwt)).toMatchObject({ typ: 'token-introspection+jwt', alg: 'PS256' });
    const verified = await compactVerify(jwt, createLocalJWKSet(await bankJwks(moneywise)));
    const claims = JSON.parse(new TextDecoder().decode(verified.payload));
    expect(claims).toMatchObject({
      iss: sandbox.config.bankOp.issuer,
      aud: 'bank-api',
      token_introspection: { active: true, client_id: opaque.clientId },
    });
  });

  it("refuses a caller claiming to be bank-api with a TPP's certificate", async () => {
    const { accessToken } = await tokensOf(moneywise, opaque);
    const { transportCert, transportKey } = sandbox.config.participants.demo;
    const response = await json(
      await introspectAsBankApi(accessToken, {
        certificate: { certFile: transportCert, keyFile: transportKey },
      }),
    );
    expectOAuthError(response, { status: 401, error: 'invalid_client' });
  });
});

describe('a TPP introspects only its own refresh tokens', () => {
  it('its own refresh token is active', async () => {
    const { refreshToken } = await tokensOf(moneywise, opaque);
    const response = await introspectAsTpp(moneywise, opaque, refreshToken);
    expect(response.body).toMatchObject({ active: true, client_id: opaque.clientId });
  });

  it('its own opaque access token tells it nothing: only bank-api may read it', async () => {
    const { accessToken } = await tokensOf(moneywise, opaque);
    expect((await introspectAsTpp(moneywise, opaque, accessToken)).body).toEqual({ active: false });
  });

  it("another client's refresh token tells it nothing", async () => {
    const { refreshToken } = await tokensOf(budgetly, budgetlyOpaque);
    expect((await introspectAsTpp(moneywise, opaque, refreshToken)).body).toEqual({ active: false });
  });

  it('a revoked grant makes its access tokens inactive at once', async () => {
    const { accessToken, refreshToken } = await tokensOf(moneywise, opaque);
    const revoked = await moneywise.post(opaque, moneywise.endpoint(opaque, '/token/revoke'), async () => ({
      token: refreshToken,
      ...(await moneywise.clientAuth(opaque)),
    }));
    expect(revoked.status).toBe(200);
    expect(await (await introspectAsBankApi(accessToken)).json()).toEqual({ active: false });
  });
});
