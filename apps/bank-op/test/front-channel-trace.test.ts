// The front channel in the flow trace: the customer's browser sends no x-fapi-interaction-id, so bank-op
// files each step (authorization request, sign-in, consent, the redirect back) under the id the pushed
// authorization request carried. GET /trace?interaction_id=<that id> returns the whole flow in order,
// with what each step proves and its checks, and never a password, a passcode or a whole code.
import { randomUUID } from 'node:crypto';
import {
  type BankPage,
  type CustomerBrowser,
  consentForm,
  pageOf,
  redirectOf,
  signInForm,
} from '@fapi-sandbox/fapi-client/customer';
import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { type DpopSession, json, type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
});
afterAll(async () => {
  await sandbox?.close();
});

async function traceOf(interactionId: string): Promise<TraceEvent[]> {
  const response = await json(
    // The TPP reads its own trace on the mTLS listener with its transport certificate.
    await fetch(`${sandbox.config.bankOp.mtls.origin}/trace?interaction_id=${interactionId}`, {
      dispatcher: sandbox.transport(sandbox.config.participants.demo),
    }),
  );
  expect(response.status).toBe(200);
  return response.body.events as TraceEvent[];
}

/** PAR with the flow's x-fapi-interaction-id; returns the authorization URL. */
async function pushWithInteractionId(
  client: RegisteredClient,
  interactionId: string,
  options: { consentId?: string; params?: Record<string, string>; dpop?: DpopSession } = {},
) {
  const pkce = tpp.pkce();
  const params =
    options.params ??
    tpp.authorizationParams(client, options.consentId ?? (await tpp.accountConsent(client)), pkce);
  const par = await tpp.par(client, params, {
    headers: { 'x-fapi-interaction-id': interactionId },
    ...(options.dpop ? { dpop: options.dpop } : {}),
  });
  expect(par.status, JSON.stringify(par.body)).toBe(201);
  return { url: tpp.authorizationUrl(client, String(par.body.request_uri)), pkce, state: params.state };
}

async function signIn(browser: CustomerBrowser, login: BankPage) {
  const next = await browser.signIn(login, { username: 'alice', password: 'wonderland' });
  return { passcode: signInForm(login).passcode, next };
}

const checkNamed = (event: TraceEvent | undefined, name: string) =>
  event?.checks.find((check) => check.name === name);

describe('channels on the web listener', () => {
  it('files a TPP server call there (discovery) as back channel, not as the browser', async () => {
    const interactionId = randomUUID();
    const response = await fetch(`${sandbox.config.bankOp.issuer}/.well-known/openid-configuration`, {
      dispatcher: sandbox.plain,
      headers: { 'x-fapi-interaction-id': interactionId },
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
    // Anonymous (no client, no certificate): recorded, and readable by no participant.
    const events = sandbox.bankOp.trace.list({ interactionId });
    expect(events.map((event) => [event.channel, event.method, event.participant])).toEqual([
      ['back', 'GET', undefined],
    ]);
    expect(await traceOf(interactionId)).toEqual([]);
  });
});

describe('front-channel steps under the interaction id of the pushed request', () => {
  it('records authorize, sign-in, consent and the redirect back in order, with checks and no secrets', async () => {
    const client = await tpp.register();
    const interactionId = randomUUID();
    const consentId = await tpp.accountConsent(client);
    const { url } = await pushWithInteractionId(client, interactionId, { consentId });

    const browser = tpp.newBrowser();
    const login = pageOf(await browser.open(url));
    const { passcode, next } = await signIn(browser, login);
    const consent = pageOf(next);
    const accounts = consentForm(consent).accounts.slice(0, 2);
    const code = redirectOf(await browser.allow(consent, accounts)).params.get('code')!;
    expect(code).toBeTruthy();

    const events = await traceOf(interactionId);
    expect(events.map((event) => [event.channel, event.method, event.step])).toEqual([
      ['back', 'POST', 'Pushed authorization request'],
      ['front', 'GET', 'Authorization request (front channel)'],
      ['front', 'GET', 'Sign-in page'],
      ['front', 'POST', 'Sign-in (password and passcode)'],
      ['front', 'GET', 'Authorization resumed'],
      ['front', 'GET', 'Consent page'],
      ['front', 'POST', 'Consent decision'],
      ['front', 'GET', 'Authorization response (redirect to the client)'],
    ]);
    const front = events.filter((event) => event.channel === 'front');
    for (const event of front) {
      expect(event).toMatchObject({ party: 'bank-op', direction: 'inbound', interactionId });
      expect(event.explanation?.length, event.step).toBeGreaterThan(40);
    }
    const [par, authorize, signInPage, signInPost, , consentPage, decision, response] = events;

    expect(checkNamed(par, 'request_uri issued for this client, for one authorization')).toMatchObject({
      passed: true,
      clause: 'RFC 9126 §2.2',
    });
    expect(authorize!.status).toBe(303);
    expect(checkNamed(authorize, 'request_uri bound to this client and unexpired')).toMatchObject({
      passed: true,
      clause: 'RFC 9126 §4',
    });
    expect(checkNamed(authorize, 'PKCE carried from the pushed request')).toMatchObject({ passed: true });
    expect(checkNamed(authorize, 'Sender constraint carried from the pushed request (mTLS)')).toMatchObject({
      passed: true,
    });
    expect(authorize!.explanation).toMatch(/no session at the bank/);
    expect(signInPage!.status).toBe(200);
    expect(signInPost!.status).toBe(303);
    expect(
      checkNamed(signInPost, 'Customer authenticated with two factors (acr urn:openbanking:psd2:sca)'),
    ).toMatchObject({ passed: true, detail: expect.stringContaining('cust-alice') });
    expect(
      checkNamed(signInPost, "Form submitted from the bank's page for this interaction (CSRF token)"),
    ).toMatchObject({
      passed: true,
    });
    expect(checkNamed(consentPage, 'Consent exists for this client and awaits authorisation')).toMatchObject({
      passed: true,
      detail: expect.stringContaining(consentId),
    });
    const authorised = checkNamed(decision, 'Consent authorised by the customer');
    expect(authorised).toMatchObject({ passed: true });
    for (const account of accounts) expect(authorised!.detail).toContain(account);

    expect(response!.status).toBe(303);
    const location = new URL(response!.responseHeaders!.location!);
    expect(location.href.startsWith(tpp.participant.redirectUris[0]!)).toBe(true);
    expect(location.searchParams.get('iss')).toBe(tpp.issuer);
    expect(location.searchParams.get('code')).toBe(`${code.slice(0, 8)}…`);
    expect(response!.clause).toBe('RFC 9207 §2');

    // Secrets: no password, no passcode, no whole code; cookies redacted.
    const text = JSON.stringify(events);
    expect(text).not.toContain('wonderland');
    expect(text).not.toMatch(new RegExp(`(?<![A-Za-z0-9])${passcode}(?![A-Za-z0-9])`));
    expect(text).not.toContain(code);
    for (const event of front) {
      if (event.requestHeaders?.cookie) expect(event.requestHeaders.cookie).toBe('[redacted]');
    }
  });

  it('records a payment sign-in with its linked passcode and the fresh-SCA reason, even within a session', async () => {
    const client = await tpp.register();
    const browser = tpp.newBrowser();
    // The customer shares accounts first, so has a session at the bank.
    await tpp.customerAuthorizes((await pushWithInteractionId(client, randomUUID())).url, { browser });

    const interactionId = randomUUID();
    const payment = await sandbox.bank.consents.createDomesticPayment({
      clientId: client.clientId,
      initiation: {
        instructionIdentification: 'INSTR-T',
        endToEndIdentification: 'E2E-T',
        instructedAmount: { amountMinor: 1_234, currency: 'GBP' },
        creditorAccount: {
          schemeName: 'UK.OBIE.SortCodeAccountNumber',
          identification: '20000055779911',
          name: 'Corner Bakery',
        },
      },
      risk: {},
    });
    const { url } = await pushWithInteractionId(client, interactionId, {
      params: tpp.authorizationParams(client, payment.consentId, tpp.pkce(), 'openid payments'),
    });
    const login = pageOf(await browser.open(url));
    const { passcode } = await signIn(browser, login);

    const events = await traceOf(interactionId);
    const authorize = events.find((event) => event.step === 'Authorization request (front channel)');
    expect(checkNamed(authorize, 'Fresh strong customer authentication for this payment')).toMatchObject({
      passed: true,
      clause: 'PSD2 RTS Art. 4, Art. 5',
    });
    const page = events.find((event) => event.step === 'Sign-in page');
    expect(checkNamed(page, 'Passcode linked to the amount and payee (dynamic linking)')).toMatchObject({
      passed: true,
      detail: expect.stringContaining('GBP 12.34 and Corner Bakery'),
    });
    expect(JSON.stringify(events)).not.toMatch(new RegExp(`(?<![A-Za-z0-9])${passcode}(?![A-Za-z0-9])`));
  });

  it('records a refused sign-in without saying which factor was wrong', async () => {
    const client = await tpp.register();
    const interactionId = randomUUID();
    const { url } = await pushWithInteractionId(client, interactionId);
    const browser = tpp.newBrowser();
    const login = pageOf(await browser.open(url));
    const refused = pageOf(await browser.signIn(login, { username: 'alice', password: 'not-her-password' }));
    expect(refused.status).toBe(401);

    const post = (await traceOf(interactionId)).find(
      (event) => event.channel === 'front' && event.method === 'POST',
    );
    expect(post).toMatchObject({ channel: 'front', status: 401, step: 'Sign-in (password and passcode)' });
    expect(
      checkNamed(post, 'Customer authenticated with two factors (acr urn:openbanking:psd2:sca)'),
    ).toMatchObject({ passed: false, detail: 'The username, password or passcode is not right' });
    expect(JSON.stringify(post)).not.toContain('not-her-password');
  });

  it('records the error redirect when the customer denies', async () => {
    const client = await tpp.register();
    const interactionId = randomUUID();
    const { url } = await pushWithInteractionId(client, interactionId);
    const landing = await tpp.customerAuthorizes(url, { decision: 'deny' });
    expect(landing.searchParams.get('error')).toBe('access_denied');

    const events = await traceOf(interactionId);
    const decision = events.find((event) => event.step === 'Consent decision');
    expect(checkNamed(decision, 'Consent authorised by the customer')).toMatchObject({ passed: false });
    const last = events.at(-1)!;
    expect(last).toMatchObject({ step: 'Error response (redirect to the client)', status: 303 });
    expect(checkNamed(last, 'Authorization request accepted')).toMatchObject({
      passed: false,
      detail: expect.stringMatching(/^access_denied: /),
    });
    const location = new URL(last.responseHeaders!.location!);
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('iss')).toBe(tpp.issuer);
  });

  it('files a request_uri used again in the same flow, as the error page it gets', async () => {
    const client = await tpp.register();
    const interactionId = randomUUID();
    const { url } = await pushWithInteractionId(client, interactionId);
    await tpp.customerAuthorizes(url);
    const again = pageOf(await tpp.newBrowser().open(url));
    expect(again.status).toBe(400);

    const last = (await traceOf(interactionId)).at(-1)!;
    expect(last).toMatchObject({ channel: 'front', step: 'Error page', status: 400 });
    expect(checkNamed(last, 'Authorization request accepted')).toMatchObject({
      passed: false,
      detail: expect.stringMatching(/^invalid_request_uri: /),
    });
  });

  it('decodes a JARM response for display, its code shortened (FAPI 1.0 Advanced)', async () => {
    const client = await tpp.register({ profile: 'fapi1-advanced' });
    const interactionId = randomUUID();
    const pkce = tpp.pkce();
    const params: Record<string, string> = {
      ...tpp.authorizationParams(client, await tpp.accountConsent(client), pkce),
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
    const jarm = landing.searchParams.get('response')!;

    const response = (await traceOf(interactionId)).at(-1)!;
    expect(response).toMatchObject({
      step: 'Authorization response (redirect to the client)',
      clause: 'JARM §4.1',
    });
    expect(response.jwts).toHaveLength(1);
    const [decoded] = response.jwts;
    expect(decoded!.claims).toMatchObject({ iss: tpp.issuer, aud: client.clientId, state: params.state });
    expect(String(decoded!.claims.code)).toMatch(/^.{8}…$/);
    expect(JSON.stringify(response)).not.toContain(jarm);
  });

  it('keeps an authorization without PAR together under an id of its own (request object by value)', async () => {
    const client = await tpp.register({ profile: 'fapi1-advanced' });
    const params: Record<string, string> = {
      ...tpp.authorizationParams(client, await tpp.accountConsent(client), tpp.pkce()),
      response_type: 'code id_token',
    };
    const url = new URL(`${tpp.issuer}/authorize`);
    url.search = new URLSearchParams({
      client_id: client.clientId,
      response_type: params.response_type!,
      scope: params.scope!,
      request: await tpp.requestObject(client, params),
    }).toString();
    await tpp.customerAuthorizes(url);

    const start = sandbox.bankOp.trace
      .list()
      .filter((event) => event.step === 'Authorization request (front channel)')
      .at(-1)!;
    expect(checkNamed(start, 'Request object signed by the client and verified')).toMatchObject({
      passed: true,
    });
    const steps = (await traceOf(start.interactionId)).map((event) => event.step);
    expect(steps).toEqual([
      'Authorization request (front channel)',
      'Sign-in page',
      'Sign-in (password and passcode)',
      'Authorization resumed',
      'Consent page',
      'Consent decision',
      'Authorization response (redirect to the client)',
    ]);
  });
});
