// FAPI 1.0 Part 1 (Baseline) as its own profile: what Baseline allows that Advanced and FAPI 2.0 forbid
// (a plain authorization request in the browser, the code in the query, bearer tokens), and what it
// still demands (PKCE S256, nonce, confidential clients), each refused with its clause and fix.
import { randomUUID } from 'node:crypto';
import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { decodeJwt } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError, expectRedirectError } from './support/expect-error.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let baseline: RegisteredClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  baseline = await tpp.register({ profile: 'fapi1-baseline' });
});
afterAll(async () => {
  await sandbox?.close();
});

/** RFC 6749 §4.1.1: every parameter in the query of the authorization endpoint, nothing pushed or signed. */
async function plainRequest(client: RegisteredClient, change: Record<string, string | undefined> = {}) {
  const pkce = tpp.pkce();
  const params = { ...tpp.authorizationParams(client, await tpp.accountConsent(client), pkce), ...change };
  const url = new URL(`${tpp.issuer}/authorize`);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return { url, pkce };
}

/** The bank's first answer to the browser: a redirect (to the sign-in, or back with an error) or a page. */
async function firstAnswer(url: URL): Promise<{ status: number; location: URL | undefined }> {
  const response = await fetch(url, { dispatcher: sandbox.plain, redirect: 'manual' });
  await response.body?.cancel();
  const location = response.headers.get('location');
  return { status: response.status, location: location ? new URL(location, url) : undefined };
}

describe('registration with fapi_profile fapi1-baseline', () => {
  it('registers a confidential client with bearer tokens, no PAR and no request object required', async () => {
    expect(baseline.metadata).toMatchObject({
      fapi_profile: 'fapi1-baseline',
      token_endpoint_auth_method: 'private_key_jwt',
      require_pushed_authorization_requests: false,
      require_signed_request_object: false,
      response_types: ['code'],
    });
    expect(baseline.metadata.tls_client_certificate_bound_access_tokens).not.toBe(true);
    expect(baseline.metadata.dpop_bound_access_tokens).not.toBe(true);
  });

  it('refuses a Baseline client asking for certificate-bound tokens, and names the profiles that bind them', async () => {
    const response = await tpp.registerRaw({
      software_statement: await tpp.ssa(),
      fapi_profile: 'fapi1-baseline',
      redirect_uris: tpp.participant.redirectUris,
      tls_client_certificate_bound_access_tokens: true,
    });
    expectOAuthError(response, {
      status: 400,
      error: 'invalid_client_metadata',
      clause: /FAPI 1\.0 Part 1 section 6\.2\.1-2/,
      mentions: /fapi1-advanced/,
    });
  });

  it('refuses a public client (token_endpoint_auth_method none)', async () => {
    const response = await tpp.registerRaw({
      software_statement: await tpp.ssa(),
      fapi_profile: 'fapi1-baseline',
      redirect_uris: tpp.participant.redirectUris,
      token_endpoint_auth_method: 'none',
    });
    expectOAuthError(response, { status: 400, error: 'invalid_client_metadata', mentions: /none/ });
  });
});

/** The browser's first visit to bank-op's /authorize with this URL, and bank-op's trace event of it. */
async function authorizeVisit(url: URL) {
  const since = new Date(Date.now() - 1).toISOString();
  const answer = await firstAnswer(url);
  const visit = sandbox.bankOp.trace
    .list({ since })
    .find((event) => event.channel === 'front' && event.url?.endsWith('/authorize'));
  return { answer, visit };
}

describe('bank-op’s trace of a plain authorization request', () => {
  it('records what it checked on the visit, with clauses: plain request, response_type, redirect_uri, PKCE, nonce, bearer', async () => {
    const { answer, visit } = await authorizeVisit((await plainRequest(baseline)).url);
    expect(answer.status).toBe(303);
    expect(visit).toMatchObject({
      channel: 'front',
      step: 'Authorization request (front channel)',
      explanation: expect.stringMatching(/plain query parameters \(FAPI 1\.0 Baseline\)/),
      participant: sandbox.config.participants.demo.softwareId,
    });
    expect(visit!.checks.map((check) => [check.name, check.passed, check.clause])).toEqual([
      ["The client's software is active in the directory", true, expect.any(String)],
      [
        'Plain authorization request in the browser (no PAR, no request object), as Baseline allows',
        true,
        'FAPI 1.0 Part 1 §5.2.2, RFC 6749 §4.1.1',
      ],
      ['response_type is code (answered in the query)', true, 'FAPI 1.0 Part 1 §5.2.2, RFC 6749 §4.1.2'],
      ['redirect_uri registered for this client (exact match)', true, expect.stringMatching(/§5\.2\.2-8/)],
      ['PKCE challenge present, method S256', true, 'FAPI 1.0 Part 1 §5.2.2-7, RFC 7636'],
      ['nonce present (scope has openid)', true, expect.stringMatching(/§5\.2\.2\.2-1/)],
      ['Bearer tokens, as Baseline allows (no sender constraint)', true, expect.stringMatching(/§6\.2\.1-2/)],
    ]);
    // Nothing here claims a request object or a pushed request the browser never brought.
    expect(JSON.stringify(visit!.checks)).not.toMatch(/request object signed|request_uri|mTLS/);
  });

  it('records a refused visit (state but no nonce) as refused, naming the nonce rule', async () => {
    const { visit } = await authorizeVisit((await plainRequest(baseline, { nonce: undefined })).url);
    expect(visit?.step).toBe('Error response (redirect to the client)');
    expect(visit?.checks.at(-1)).toMatchObject({
      name: 'Authorization request accepted',
      passed: false,
      detail: expect.stringMatching(/nonce/),
    });
  });
});

describe('a plain authorization request (no PAR, no request object)', () => {
  it('is accepted for a Baseline client: the code comes back in the query and buys a bearer token', async () => {
    const { url, pkce } = await plainRequest(baseline);
    const landing = await tpp.customerAuthorizes(url);
    const code = landing.searchParams.get('code');
    expect(code, landing.href).toBeTruthy();
    expect(landing.searchParams.get('response')).toBeNull();
    const redeemed = await tpp.redeem(baseline, code!, pkce);
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    expect(redeemed.body.token_type).toBe('Bearer');
    const claims = decodeJwt(String(redeemed.body.access_token));
    expect(claims.cnf).toBeUndefined();
    expect(claims.fapi_profile).toBe('fapi1-baseline');
    // FAPI 1.0 Part 1 §5.2.2-21: an unbound token lives under 10 minutes.
    expect(claims.exp! - claims.iat!).toBeLessThan(600);
  });

  it("files the browser's steps under the client's x-fapi-interaction-id once it redeems the code", async () => {
    const { url, pkce } = await plainRequest(baseline);
    const since = new Date(Date.now() - 1).toISOString();
    const landing = await tpp.customerAuthorizes(url);
    const visit = sandbox.bankOp.trace
      .list({ since })
      .find((event) => event.step === 'Authorization request (front channel)')!;
    const browserFlow = visit.interactionId;
    // The client's own flow id, sent on its back-channel calls (FAPI 1.0 Part 1 §6.2.1-11).
    const clientFlow = randomUUID();
    const redeemed = await tpp.post(
      baseline,
      tpp.endpoint(baseline, '/token'),
      async () => ({
        grant_type: 'authorization_code',
        code: landing.searchParams.get('code')!,
        redirect_uri: sandbox.config.participants.demo.redirectUris[0]!,
        code_verifier: pkce.codeVerifier,
        client_id: baseline.clientId,
        ...(await tpp.clientAuth(baseline)),
      }),
      { headers: { 'x-fapi-interaction-id': clientFlow } },
    );
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
    // The client reads its whole flow under its own id, on the mTLS listener with its certificate.
    const read = await fetch(`${sandbox.config.bankOp.mtls.origin}/trace?interaction_id=${clientFlow}`, {
      dispatcher: sandbox.transport(sandbox.config.participants.demo),
    });
    const { events } = (await read.json()) as { events: TraceEvent[] };
    expect(events.map((event) => event.step)).toEqual([
      'Authorization request (front channel)',
      'Sign-in page',
      'Sign-in (password and passcode)',
      'Authorization resumed',
      'Consent page',
      'Consent decision',
      'Authorization response (redirect to the client)',
      expect.stringMatching(/token/i),
    ]);
    expect(
      events.at(-1)!.checks.find((check) => check.name === "The browser's steps joined to this flow"),
    ).toMatchObject({
      passed: true,
      clause: 'FAPI 1.0 Part 1 §6.2.1-11',
      detail: expect.stringMatching(/filed its 7 steps under an id of its own/),
    });
    expect(sandbox.bankOp.trace.list({ interactionId: browserFlow })).toEqual([]);
  });

  it('is refused for a FAPI 1.0 Advanced client (a signed request object is required)', async () => {
    const advanced = await tpp.register({ profile: 'fapi1-advanced' });
    const { location } = await firstAnswer(
      (await plainRequest(advanced, { response_type: 'code id_token' })).url,
    );
    expect(location?.href).toBeDefined();
    expectRedirectError(new URLSearchParams(location!.hash.slice(1) || location!.search), {
      error: 'invalid_request',
      clause: /FAPI 1\.0 Adv section 5\.2\.2-1/,
    });
  });

  it('is refused for a FAPI 2.0 client (PAR is required)', async () => {
    const fapi2 = await tpp.register({ profile: 'fapi2' });
    const answer = await firstAnswer((await plainRequest(fapi2)).url);
    expect(answer.location?.searchParams.get('error'), answer.location?.href).toBe('invalid_request');
    expect(answer.location?.searchParams.get('error_description')).toMatch(
      /FAPI 2\.0 SP section 5\.3\.2\.2-3/,
    );
  });

  it('still requires PKCE with S256 from a Baseline client', async () => {
    const { location } = await firstAnswer(
      (await plainRequest(baseline, { code_challenge: undefined, code_challenge_method: undefined })).url,
    );
    expectRedirectError(location!.searchParams, {
      error: 'invalid_request',
      clause: /FAPI 1\.0 Part 1 section 5\.2\.2-7/,
      issuer: tpp.issuer,
    });
  });

  it('still requires nonce when scope has openid (oidc-provider does not, outside its FAPI mode)', async () => {
    const { location } = await firstAnswer((await plainRequest(baseline, { nonce: undefined })).url);
    expectRedirectError(location!.searchParams, {
      error: 'invalid_request',
      clause: /FAPI 1\.0 Part 1 section 5\.2\.2\.2-1/,
    });
  });

  it('refuses the code a second time (Part 1 §5.2.2-13)', async () => {
    const { url, pkce } = await plainRequest(baseline);
    const code = (await tpp.customerAuthorizes(url)).searchParams.get('code')!;
    expect((await tpp.redeem(baseline, code, pkce)).status).toBe(200);
    expectOAuthError(await tpp.redeem(baseline, code, pkce), {
      status: 400,
      error: 'invalid_grant',
      clause: /FAPI 1\.0 Part 1 section 5\.2\.2-13/,
    });
  });
});
