// What outlives a request: clients and grants survive a restart (SQLite adapter), refresh tokens can be
// introspected and revoked (JWT access tokens are self-contained, RFC 9068), certificates in forwarded
// headers are never taken from a client, and the flow trace records what happened.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pageOf } from '@fapi-sandbox/fapi-client/customer';
import { decodeJwt } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './support/expect-error.js';
import { authorizeFapi2 } from './support/flows.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { json, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
});
afterAll(async () => {
  await sandbox?.close();
});

describe('storage', () => {
  it('keeps clients and grants across a restart of bank-op', async () => {
    const client = await tpp.register();
    const authorized = await authorizeFapi2(tpp, client);
    const issued = await tpp.redeem(client, authorized.code, authorized.pkce);
    expect(issued.status).toBe(200);

    await sandbox.restartBankOp();

    const refreshed = await tpp.token(client, {
      grant_type: 'refresh_token',
      refresh_token: String(issued.body.refresh_token),
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    const again = await authorizeFapi2(tpp, client);
    expect((await tpp.redeem(client, again.code, again.pkce)).status).toBe(200);
  });
});

describe('introspection and revocation', () => {
  it('introspects a refresh token for its own client, and revokes it', async () => {
    const client = await tpp.register();
    const authorized = await authorizeFapi2(tpp, client);
    const issued = await tpp.redeem(client, authorized.code, authorized.pkce);
    const refreshToken = String(issued.body.refresh_token);

    const active = await tpp.post(client, tpp.endpoint(client, '/token/introspect'), async () => ({
      token: refreshToken,
      ...(await tpp.clientAuth(client)),
    }));
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({ active: true, client_id: client.clientId, sub: 'cust-alice' });

    const revoked = await tpp.post(client, tpp.endpoint(client, '/token/revoke'), async () => ({
      token: refreshToken,
      ...(await tpp.clientAuth(client)),
    }));
    expect(revoked.status).toBe(200);

    const after = await tpp.post(client, tpp.endpoint(client, '/token/introspect'), async () => ({
      token: refreshToken,
      ...(await tpp.clientAuth(client)),
    }));
    expect(after.body).toEqual({ active: false });
    const refresh = await tpp.token(client, { grant_type: 'refresh_token', refresh_token: refreshToken });
    expectOAuthError(refresh, { status: 400, error: 'invalid_grant' });
  });

  it('does not show one client the refresh token of another', async () => {
    const client = await tpp.register();
    const nosy = await tpp.register();
    const authorized = await authorizeFapi2(tpp, client);
    const issued = await tpp.redeem(client, authorized.code, authorized.pkce);
    const res = await tpp.post(nosy, tpp.endpoint(nosy, '/token/introspect'), async () => ({
      token: String(issued.body.refresh_token),
      ...(await tpp.clientAuth(nosy)),
    }));
    expect(res.body).toEqual({ active: false });
  });

  it("refuses to revoke another client's refresh token", async () => {
    const client = await tpp.register();
    const other = await tpp.register();
    const authorized = await authorizeFapi2(tpp, client);
    const issued = await tpp.redeem(client, authorized.code, authorized.pkce);
    const res = await tpp.post(other, tpp.endpoint(other, '/token/revoke'), async () => ({
      token: String(issued.body.refresh_token),
      ...(await tpp.clientAuth(other)),
    }));
    expectOAuthError(res, { status: 400, error: 'invalid_request', clause: /RFC 7009/ });
    const refresh = await tpp.token(client, {
      grant_type: 'refresh_token',
      refresh_token: String(issued.body.refresh_token),
    });
    expect(refresh.status).toBe(200);
  });

  it('refuses to introspect a JWT access token (self-contained, RFC 9068)', async () => {
    const client = await tpp.register();
    const authorized = await authorizeFapi2(tpp, client);
    const issued = await tpp.redeem(client, authorized.code, authorized.pkce);
    const res = await tpp.post(client, tpp.endpoint(client, '/token/introspect'), async () => ({
      token: String(issued.body.access_token),
      ...(await tpp.clientAuth(client)),
    }));
    expectOAuthError(res, { status: 400, error: 'unsupported_token_type', clause: /RFC 9068 section 4/ });
    expect(res.body.error_description).toMatch(/Fix: send the refresh token/);
  });

  it('explains an introspection request without a token (RFC 7662 section 2.1)', async () => {
    const client = await tpp.register();
    const res = await tpp.post(client, tpp.endpoint(client, '/token/introspect'), async () => ({
      ...(await tpp.clientAuth(client)),
    }));
    expectOAuthError(res, { status: 400, error: 'invalid_request', clause: /RFC 7662 section 2\.1/ });
  });

  it('explains that userinfo does not take access tokens meant for bank-api', async () => {
    const client = await tpp.register();
    const authorized = await authorizeFapi2(tpp, client);
    const issued = await tpp.redeem(client, authorized.code, authorized.pkce);
    const res = await json(
      await fetch(`${sandbox.config.bankOp.mtls.origin}/userinfo`, {
        dispatcher: tpp.transport,
        headers: { authorization: `Bearer ${String(issued.body.access_token)}` },
      }),
    );
    expectOAuthError(res, { status: 401, error: 'invalid_token', clause: /RFC 8707/ });
    // RFC 6750 section 3: the challenge carries the same explained description as the body.
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(
      /^Bearer realm="[^"]+", error="invalid_token", error_description="[^"]*RFC 8707/,
    );
    expect(challenge).toContain(`error_description="${String(res.body.error_description)}"`);
  });
});

describe('forwarded client certificates', () => {
  it('refuses a certificate header sent by a client directly', async () => {
    const client = await tpp.register({ authMethod: 'tls_client_auth' });
    const pem = readFileSync(tpp.participant.transportCert, 'utf8');
    const res = await json(
      await fetch(`${sandbox.config.bankOp.mtls.origin}/par`, {
        method: 'POST',
        dispatcher: sandbox.plain,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-ssl-client-cert': encodeURIComponent(pem),
        },
        body: new URLSearchParams({ client_id: client.clientId, response_type: 'code' }).toString(),
      }),
    );
    expectOAuthError(res, {
      status: 400,
      error: 'invalid_request',
      clause: /RFC 8705/,
      mentions: /x-ssl-client-cert/,
    });
  });
});

describe('conformance edge cases', () => {
  it('returns a 1000-character state and a 64-character nonce unchanged', async () => {
    const client = await tpp.register();
    const pkce = tpp.pkce();
    const params = {
      ...tpp.authorizationParams(client, await tpp.accountConsent(client), pkce),
      state: 'S'.repeat(1000),
      nonce: 'N'.repeat(64),
    };
    const par = await tpp.par(client, params);
    const landing = await tpp.customerAuthorizes(tpp.authorizationUrl(client, String(par.body.request_uri)));
    expect(landing.searchParams.get('state')).toBe(params.state);
    const token = await tpp.redeem(client, landing.searchParams.get('code')!, pkce);
    expect(decodeJwt(String(token.body.id_token)).nonce).toBe(params.nonce);
  });

  it('works without state, and with the scope in another order', async () => {
    const client = await tpp.register();
    const pkce = tpp.pkce();
    const params: Record<string, string> = {
      ...tpp.authorizationParams(client, await tpp.accountConsent(client), pkce),
      scope: 'accounts openid',
    };
    delete params.state;
    const par = await tpp.par(client, params);
    expect(par.status).toBe(201);
    const landing = await tpp.customerAuthorizes(tpp.authorizationUrl(client, String(par.body.request_uri)));
    expect(landing.searchParams.has('state')).toBe(false);
    expect((await tpp.redeem(client, landing.searchParams.get('code')!, pkce)).status).toBe(200);
  });

  it('keeps the query of a registered redirect URI', async () => {
    const client = await tpp.register();
    const pkce = tpp.pkce();
    const redirectUri = tpp.participant.redirectUris[1]!;
    expect(redirectUri).toContain('?dummy1=lorem&dummy2=ipsum');
    const par = await tpp.par(client, {
      ...tpp.authorizationParams(client, await tpp.accountConsent(client), pkce),
      redirect_uri: redirectUri,
    });
    const landing = await tpp.customerAuthorizes(tpp.authorizationUrl(client, String(par.body.request_uri)));
    expect(landing.searchParams.get('dummy1')).toBe('lorem');
    expect(landing.searchParams.get('dummy2')).toBe('ipsum');
    expect(landing.searchParams.get('code')).toBeTruthy();
  });

  it('lets the customer open the same request_uri twice before completing', async () => {
    const client = await tpp.register();
    const pkce = tpp.pkce();
    const par = await tpp.par(
      client,
      tpp.authorizationParams(client, await tpp.accountConsent(client), pkce),
    );
    const url = tpp.authorizationUrl(client, String(par.body.request_uri));
    const first = pageOf(await tpp.newBrowser().open(url));
    expect(first.status).toBe(200);
    const landing = await tpp.customerAuthorizes(url);
    expect((await tpp.redeem(client, landing.searchParams.get('code')!, pkce)).status).toBe(200);
  });

  it('records each request in the flow trace by x-fapi-interaction-id', async () => {
    const client = await tpp.register();
    const interactionId = randomUUID();
    const res = await fetch(tpp.endpoint(client, '/token'), {
      method: 'POST',
      dispatcher: tpp.transport,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-fapi-interaction-id': interactionId,
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'accounts',
        ...(await tpp.clientAuth(client)),
      }).toString(),
    });
    expect(res.status).toBe(200);
    await res.body?.cancel();
    const trace = await json(
      await fetch(`${sandbox.config.bankOp.mtls.origin}/trace?interaction_id=${interactionId}`, {
        dispatcher: sandbox.transport(tpp.participant),
      }),
    );
    const events = trace.body.events as Record<string, unknown>[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      party: 'bank-op',
      step: 'Token request',
      status: 200,
      channel: 'back',
    });
    expect((events[0]!.certificate as { subject: string }).subject).toContain(tpp.participant.softwareId);
    expect(events[0]!.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "The client's software is active in the directory", passed: true }),
        expect.objectContaining({
          name: 'The client certificate is not revoked or expired in the directory',
          passed: true,
        }),
      ]),
    );
  });

  it('records the rule a refused request broke', async () => {
    const client = await tpp.register({ senderConstraint: 'mtls' });
    const interactionId = randomUUID();
    const res = await fetch(`${tpp.issuer}/par`, {
      method: 'POST',
      dispatcher: sandbox.plain,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-fapi-interaction-id': interactionId,
      },
      body: new URLSearchParams({
        ...tpp.authorizationParams(client, await tpp.accountConsent(client), tpp.pkce()),
        code_challenge_method: 'plain',
        ...(await tpp.clientAuth(client)),
      }).toString(),
    });
    expect(res.status).toBe(400);
    await res.body?.cancel();
    const trace = await json(
      await fetch(`${sandbox.config.bankOp.mtls.origin}/trace?interaction_id=${interactionId}`, {
        dispatcher: sandbox.transport(tpp.participant),
      }),
    );
    const [event] = trace.body.events as { checks: { passed: boolean; clause: string; detail: string }[] }[];
    expect(event!.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ passed: false, clause: 'FAPI 2.0 SP §5.3.2.2-5, RFC 7636' }),
      ]),
    );
  });
});
