// Decoupled authentication (FAPI-CIBA) against a real bank-op: a FAPI 1.0 Advanced client registers the
// CIBA grant, names the customer in a signed authentication request, the customer answers on the bank
// app page, and the client polls the token endpoint. Each negative case is named after what it stops.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  bankAppRequests,
  CIBA_GRANT_TYPE,
  createExchange,
  endOfWait,
  hiddenInputs,
  pageOf,
  pingChecks,
  pollForTokens,
} from '@fapi-sandbox/fapi-client';
import { createRequestObject } from '@fapi-sandbox/fapi-core/jose/request-object';
import { close, createWebServer, listen } from '@fapi-sandbox/fapi-core/tls';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { type JsonResponse, type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let client: RegisteredClient;

const CIBA_METADATA = {
  grant_types: [CIBA_GRANT_TYPE, 'refresh_token', 'client_credentials'],
  response_types: [],
  backchannel_token_delivery_mode: 'poll',
  backchannel_authentication_request_signing_alg: 'PS256',
};

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  client = await tpp.register({ profile: 'fapi1-advanced', extra: CIBA_METADATA });
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
});

const backchannelUrl = () => `${sandbox.config.bankOp.mtls.origin}/backchannel`;

/** The authentication request parameters for Alice and a new account-access consent. */
async function cibaParams(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const consentId = await tpp.accountConsent(client);
  return {
    scope: 'openid accounts',
    login_hint: 'alice',
    binding_message: `Moneywise ${Math.floor(1000 + Math.random() * 9000)}`,
    claims: {
      id_token: {
        openbanking_intent_id: { value: consentId, essential: true },
        acr: { essential: true, values: ['urn:openbanking:psd2:sca'] },
      },
    },
    ...overrides,
  };
}

async function signed(params: Record<string, unknown>, now?: () => number): Promise<string> {
  const { client_id: _clientId, ...rest } = params;
  return createRequestObject({
    clientId: client.clientId,
    issuer: tpp.issuer,
    signingKey: (await tpp.signingKeys()).forAlg('PS256'),
    params: rest,
    ...(now ? { now } : {}),
  });
}

function authenticate(form: Record<string, string>): Promise<JsonResponse> {
  return tpp.post(client, backchannelUrl(), async () => ({ ...form, ...(await tpp.clientAuth(client)) }));
}

async function startRequest(params: Record<string, unknown>): Promise<string> {
  const response = await authenticate({ request: await signed(params) });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return String(response.body.auth_req_id);
}

const poll = (authReqId: string) =>
  tpp.token(client, { grant_type: CIBA_GRANT_TYPE, auth_req_id: authReqId });

function answerOnBankApp(bindingMessage: string, decision: 'approve' | 'deny' = 'approve') {
  return tpp
    .newBrowser()
    .answerOnBankApp(
      `${sandbox.config.bankOp.issuer}/bank-app`,
      { username: 'alice', password: 'wonderland' },
      { bindingMessage, decision },
    );
}

describe('FAPI-CIBA: the decoupled flow, polled', () => {
  it('acknowledges a signed request with an interval, paces polls, and issues a certificate-bound token once Alice approves in the bank app', async () => {
    const params = await cibaParams();
    const started = await authenticate({ request: await signed(params) });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body).toMatchObject({ auth_req_id: expect.any(String), expires_in: 600, interval: 5 });
    const authReqId = String(started.body.auth_req_id);

    const pending = await poll(authReqId);
    expect(pending.status).toBe(400);
    expect(pending.body.error).toBe('authorization_pending');
    // CIBA §11: polling again at once, sooner than the interval, is answered slow_down.
    const tooFast = await poll(authReqId);
    expect(tooFast.status).toBe(400);
    expect(tooFast.body.error).toBe('slow_down');
    expect(String(tooFast.body.error_description)).toMatch(
      /CIBA section 7\.3, section 11.*wait at least 10 s/,
    );

    const app = await answerOnBankApp(String(params.binding_message));
    expect(app.html).toContain('Request approved.');

    const tokens = await poll(authReqId);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    expect(tokens.body.refresh_token).toEqual(expect.any(String));
    const claims = decodeJwt(String(tokens.body.access_token));
    expect(claims).toMatchObject({
      sub: 'cust-alice',
      client_id: client.clientId,
      aud: sandbox.config.bankApi.web.origin,
      scope: 'accounts',
      cnf: { 'x5t#S256': expect.any(String) },
      openbanking_intent_id: (params.claims as { id_token: { openbanking_intent_id: { value: string } } })
        .id_token.openbanking_intent_id.value,
    });
    expect(decodeJwt(String(tokens.body.id_token))).toMatchObject({
      sub: 'cust-alice',
      acr: 'urn:openbanking:psd2:sca',
    });
    // The request is used once (CIBA §10.1.1).
    const again = await poll(authReqId);
    expect(again.body.error).toBe('invalid_grant');
  });

  it('answers access_denied at the next poll when Alice denies the request in the bank app', async () => {
    const params = await cibaParams();
    const authReqId = await startRequest(params);
    await answerOnBankApp(String(params.binding_message), 'deny');
    const denied = await poll(authReqId);
    expect(denied.status).toBe(400);
    expect(denied.body.error).toBe('access_denied');
  });

  it('answers expired_token for an auth_req_id polled after its requested_expiry', async () => {
    const authReqId = await startRequest(await cibaParams({ requested_expiry: 1 }));
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const expired = await poll(authReqId);
    expect(expired.status).toBe(400);
    expect(expired.body.error).toBe('expired_token');
  });

  it('stops a stolen auth_req_id redeemed without the certificate the token would be bound to', async () => {
    const params = await cibaParams();
    const authReqId = await startRequest(params);
    await answerOnBankApp(String(params.binding_message));
    const withoutCertificate = await tpp.token(
      client,
      { grant_type: CIBA_GRANT_TYPE, auth_req_id: authReqId },
      { agent: sandbox.plain, url: `${sandbox.config.bankOp.issuer}/token` },
    );
    expect(withoutCertificate.status).toBe(400);
    expect(withoutCertificate.body.error).toBe('invalid_grant');
    expect(String(withoutCertificate.body.error_description)).toMatch(/certificate/i);
  });
});

describe('FAPI-CIBA: what the bank refuses at the backchannel authentication endpoint', () => {
  it('refuses an unsigned authentication request (FAPI-CIBA §5.2.2-6)', async () => {
    const params = await cibaParams();
    const form = Object.fromEntries(
      Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
    const response = await authenticate(form);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
    expect(String(response.body.error_description)).toMatch(
      /Request Object must be used.*FAPI-CIBA section 5\.2\.2-6\/-9.*Fix: sign every parameter/,
    );
  });

  it('refuses an expired signed authentication request', async () => {
    const hourAgo = () => Date.now() - 3_600_000;
    const response = await authenticate({ request: await signed(await cibaParams(), hourAgo) });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
  });

  it('refuses a request without a binding_message (FAPI-CIBA §5.2.2-2)', async () => {
    const { binding_message: _none, ...params } = await cibaParams();
    const response = await authenticate({ request: await signed(params) });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_binding_message');
    expect(String(response.body.error_description)).toMatch(/FAPI-CIBA section 5\.2\.2-2/);
  });

  it.each([
    ['too long to display', 'Moneywise wants to read your accounts for budgeting 4821'],
    ['markup, not plain text', '<b>4821</b>'],
  ])('refuses a binding_message that is %s (CIBA §7.1)', async (_what, message) => {
    const response = await authenticate({
      request: await signed(await cibaParams({ binding_message: message })),
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_binding_message');
  });

  it('refuses a login_hint that names no customer with unknown_user_id', async () => {
    const response = await authenticate({
      request: await signed(await cibaParams({ login_hint: 'mallory' })),
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('unknown_user_id');
    expect(String(response.body.error_description)).toMatch(/mallory/);
  });

  it('refuses a request that names no consent of this client', async () => {
    const params = await cibaParams({ claims: { id_token: { openbanking_intent_id: { value: 'nope' } } } });
    const response = await authenticate({ request: await signed(params) });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
  });
});

describe('FAPI-CIBA: registration', () => {
  const register = (extra: Record<string, unknown>, profile: 'fapi1-advanced' | 'fapi2' = 'fapi1-advanced') =>
    tpp.register({ profile, extra: { ...CIBA_METADATA, ...extra } }).then(
      () => undefined,
      (err: Error) => err.message,
    );

  it('refuses the push mode (FAPI-CIBA §5.2.2-3)', async () => {
    expect(await register({ backchannel_token_delivery_mode: 'push' })).toMatch(
      /FAPI-CIBA section 5\.2\.2-3/,
    );
  });

  it('refuses a CIBA client with no signing alg for its authentication requests (FAPI-CIBA §5.2.2-6)', async () => {
    expect(await register({ backchannel_authentication_request_signing_alg: undefined })).toMatch(
      /FAPI-CIBA section 5\.2\.2-6/,
    );
  });

  it('refuses ping to a notification endpoint off the software’s own origin', async () => {
    expect(
      await register({
        backchannel_token_delivery_mode: 'ping',
        backchannel_client_notification_endpoint: 'https://attacker.example/ping',
      }),
    ).toMatch(/invalid_client_metadata.*own origin/);
  });

  it('offers the CIBA grant with FAPI 1.0 Advanced only', async () => {
    expect(await register({}, 'fapi2')).toMatch(/FAPI-CIBA section 5\.2\.2/);
  });

  it('registers ping to the software’s own origin', async () => {
    const origin = new URL(tpp.participant.redirectUris[0]!).origin;
    expect(
      await register({
        backchannel_token_delivery_mode: 'ping',
        backchannel_client_notification_endpoint: `${origin}/ciba/ping`,
      }),
    ).toBeUndefined();
  });
});

describe('FAPI-CIBA: what the bank app refuses', () => {
  const appUrl = () => `${sandbox.config.bankOp.issuer}/bank-app`;

  /** Alice signed in to the bank app, and the request showing `bindingMessage` as her app lists it. */
  async function aliceSeesRequest(bindingMessage: string) {
    const browser = tpp.newBrowser();
    const signIn = pageOf(await browser.open(appUrl()));
    const fields = { ...hiddenInputs(signIn), username: 'alice', password: 'wonderland' };
    const app = pageOf(await browser.submit(`${appUrl()}/sign-in`, fields));
    const request = bankAppRequests(app).find((r) => r.bindingMessage === bindingMessage);
    if (!request) throw new Error(`no request showing ${bindingMessage} in ${app.html.slice(0, 200)}`);
    return { browser, request };
  }

  it('refuses a sign-in to the app posted from another site (W3C Fetch Metadata §2.4)', async () => {
    const browser = tpp.newBrowser();
    const signIn = pageOf(await browser.open(appUrl()));
    const fields = { ...hiddenInputs(signIn), username: 'alice', password: 'wonderland' };
    const page = pageOf(await browser.submit(`${appUrl()}/sign-in`, fields, 'https://attacker.example'));
    expect(page.status).toBe(403);
    expect(page.html).toMatch(/Cross-site request refused/);
  });

  it('refuses an approval posted from another site, and the request stays waiting for Alice', async () => {
    const params = await cibaParams();
    const authReqId = await startRequest(params);
    const { browser, request } = await aliceSeesRequest(String(params.binding_message));
    const answer = { csrf: request.csrf, decision: 'approve', accounts: request.accounts.slice(0, 1) };
    const page = pageOf(await browser.submit(request.action, answer, 'https://attacker.example'));
    expect(page.status).toBe(403);
    expect(page.html).toMatch(/Cross-site request refused/);
    expect((await poll(authReqId)).body.error).toBe('authorization_pending');
  });

  it('refuses an approval without the form token of the page that listed it (a forged form)', async () => {
    const params = await cibaParams();
    const authReqId = await startRequest(params);
    const { browser, request } = await aliceSeesRequest(String(params.binding_message));
    const forged = { csrf: 'forged', decision: 'approve', accounts: request.accounts.slice(0, 1) };
    const page = pageOf(await browser.submit(request.action, forged));
    expect(page.status).toBe(403);
    expect(page.html).toMatch(/not submitted from the page the bank served/);
    expect((await poll(authReqId)).body.error).toBe('authorization_pending');
  });
});

describe('FAPI-CIBA: ping mode (CIBA §10.2)', () => {
  /** What the client's notification endpoint received, and how it answers (204, or a failure). */
  const pings: { authorization: string | undefined; body: unknown }[] = [];
  let answerStatus = 204;
  let pingClient: RegisteredClient;
  let stopEndpoint: () => Promise<void>;

  beforeAll(async () => {
    // The client's own https origin (the SSA's redirect URIs' origin), with the sandbox's server certificate.
    const endpoint = createWebServer(sandbox.config.tpp, (req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        pings.push({ authorization: req.headers.authorization, body: JSON.parse(body || 'null') });
        res.writeHead(answerStatus).end();
      });
    });
    await listen(endpoint, sandbox.config.tpp.web);
    stopEndpoint = () => close(endpoint);
    const origin = new URL(tpp.participant.redirectUris[0]!).origin;
    pingClient = await tpp.register({
      profile: 'fapi1-advanced',
      extra: {
        ...CIBA_METADATA,
        backchannel_token_delivery_mode: 'ping',
        backchannel_client_notification_endpoint: `${origin}/ciba/ping`,
      },
    });
  }, 60_000);
  afterAll(async () => {
    await stopEndpoint?.();
  });

  async function startPingRequest(notificationToken: string) {
    const consentId = await tpp.accountConsent(pingClient);
    const bindingMessage = `Moneywise ${Math.floor(1000 + Math.random() * 9000)}`;
    const request = await createRequestObject({
      clientId: pingClient.clientId,
      issuer: tpp.issuer,
      signingKey: (await tpp.signingKeys()).forAlg('PS256'),
      params: {
        scope: 'openid accounts',
        login_hint: 'alice',
        binding_message: bindingMessage,
        client_notification_token: notificationToken,
        claims: { id_token: { openbanking_intent_id: { value: consentId, essential: true } } },
      },
    });
    const started = await tpp.post(pingClient, backchannelUrl(), async () => ({
      request,
      ...(await tpp.clientAuth(pingClient)),
    }));
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    return { authReqId: String(started.body.auth_req_id), bindingMessage };
  }

  it('pings the client’s endpoint with its notification token once Alice approves, and the client then collects the tokens', async () => {
    answerStatus = 204;
    const token = `ping-${Math.random().toString(36).slice(2)}`;
    const { authReqId, bindingMessage } = await startPingRequest(token);
    pings.length = 0;
    const app = await answerOnBankApp(bindingMessage);
    expect(app.html).toContain('Request approved.');
    expect(pings).toHaveLength(1);
    const checks = pingChecks(pings[0]!, { clientNotificationToken: token, authReqId });
    expect(
      checks.every((check) => check.passed),
      JSON.stringify(checks),
    ).toBe(true);
    const tokens = await tpp.token(pingClient, { grant_type: CIBA_GRANT_TYPE, auth_req_id: authReqId });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  });

  it('keeps Alice’s approval when the client’s endpoint fails the ping: the client still collects by polling', async () => {
    answerStatus = 500;
    const { authReqId, bindingMessage } = await startPingRequest('ping-token-500');
    pings.length = 0;
    const app = await answerOnBankApp(bindingMessage);
    expect(app.status).toBe(200);
    expect(app.html).toContain('Request approved.');
    expect(pings).toHaveLength(1);
    const tokens = await tpp.token(pingClient, { grant_type: CIBA_GRANT_TYPE, auth_req_id: authReqId });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  });
});

describe('FAPI-CIBA: the client engine’s pollForTokens against the bank', () => {
  const engine = { exchange: createExchange() };
  const step = { step: 'ciba-poll', clause: 'CIBA §7.3, §11' };

  it('waits 5 s longer after slow_down (a client that ignored the interval is told to slow down)', async () => {
    const authReqId = await startRequest(await cibaParams());
    expect((await poll(authReqId)).body.error).toBe('authorization_pending');
    const waits: number[] = [];
    const stop = new AbortController();
    // intervalSeconds 0: polls again at once, sooner than the bank's 5 s, so the bank answers slow_down.
    const polling = pollForTokens(engine, await tpp.engineClient(client), step, authReqId, {
      intervalSeconds: 0,
      signal: stop.signal,
      onWait: (seconds) => {
        waits.push(seconds);
        if (waits.length === 2) stop.abort();
      },
    });
    await expect(polling).rejects.toThrow(/abort/i);
    expect(waits).toEqual([0, 5]);
  });

  it('ends the wait with access_denied, said in words, when Alice denies on the bank app', async () => {
    const params = await cibaParams();
    const authReqId = await startRequest(params);
    await answerOnBankApp(String(params.binding_message), 'deny');
    const answer = await pollForTokens(engine, await tpp.engineClient(client), step, authReqId, {
      intervalSeconds: 0,
    });
    expect(endOfWait(answer)).toMatchObject({
      error: 'access_denied',
      description: 'The customer denied the request on their bank app',
      clause: 'CIBA §11',
    });
  });

  it('ends the wait with expired_token, said in words, when Alice does not answer in time', async () => {
    const authReqId = await startRequest(await cibaParams({ requested_expiry: 1 }));
    const answer = await pollForTokens(engine, await tpp.engineClient(client), step, authReqId, {
      intervalSeconds: 2,
    });
    expect(endOfWait(answer)).toMatchObject({
      error: 'expired_token',
      description: expect.stringMatching(/did not answer .* before the request expired/),
      fix: expect.stringMatching(/new backchannel authentication request/),
    });
  });

  it('returns the tokens (and no end of wait) once Alice approves while it waits', async () => {
    const params = await cibaParams();
    const authReqId = await startRequest(params);
    const polling = pollForTokens(engine, await tpp.engineClient(client), step, authReqId, {
      intervalSeconds: 1,
    });
    await answerOnBankApp(String(params.binding_message));
    const answer = await polling;
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(endOfWait(answer)).toBeUndefined();
  });
});
