// Moneywise against the real directory, bank-op and bank-api: onboard, connect with each profile and
// client authentication, read accounts, pay, disconnect, and read every step in the inspector.
import { startBankApi } from '@fapi-sandbox/bank-api';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AccountView,
  ApiError,
  BalanceView,
  ConnectionView,
  OnboardingView,
  PaymentView,
  StartConnectionResponse,
  StartPaymentResponse,
  TransactionView,
} from '../../src/shared/api.js';
import type { ConnectionTrace } from '../../src/shared/timeline.js';
import { visitBank } from './bank-browser.js';
import { forgetMetadataVersions, readRegistration, storedRegistrations } from './bank-registrations.js';
import { type Sandbox, startSandbox } from './harness.js';

const ALICE = { username: 'alice', password: 'wonderland' };

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    bank: async (config) => {
      const op = await startBankOp({ config });
      const api = await startBankApi({ config });
      return [api, op];
    },
  });
});
afterAll(async () => {
  await sandbox?.close();
});

async function connect(profile: string, clientAuth: string) {
  const started = await sandbox.browser.api('/connections', { json: { profile, clientAuth } });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const { connection, authorizationUrl } = started.body as StartConnectionResponse;
  const visit = await visitBank(sandbox.browser, authorizationUrl, ALICE);
  expect(visit.landing.pathname).toBe(`/connections/${connection.id}`);
  const view = (await sandbox.browser.api(`/connections/${connection.id}`)).body as ConnectionView;
  return { connection: view, visit, authorizationUrl };
}

describe('onboarding', () => {
  it('fetches the SSA, finds the bank and registers one client per way of connecting', async () => {
    const response = await sandbox.browser.api('/onboarding', { method: 'POST' });
    const view = response.body as OnboardingView;
    expect(view.steps.map((s) => [s.id, s.status, s.error?.error_description])).toEqual([
      ['ssa', 'done', undefined],
      ['ssa-verify', 'done', undefined],
      ['participants', 'done', undefined],
      ['discovery', 'done', undefined],
      ['register', 'done', undefined],
    ]);
    expect(view.status).toBe('done');
    expect(view.registrations).toHaveLength(10);
    expect(new Set(view.registrations.map((r) => r.clientId)).size).toBe(10);
    expect(view.registrations.every((r) => r.outcome === 'registered')).toBe(true);
  });

  it('reuses the registrations the bank still knows when onboarding runs again', async () => {
    const view = (await sandbox.browser.api('/onboarding', { method: 'POST' })).body as OnboardingView;
    expect(view.status).toBe('done');
    expect(view.registrations.map((r) => r.outcome)).toEqual(Array(10).fill('reused'));
  });

  it('registers each client under its own FAPI profile and sender constraint, as the bank reads it back (RFC 7592)', async () => {
    const rows = await storedRegistrations(sandbox.config);
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      const read = await readRegistration(sandbox.config, row);
      expect(read.status, JSON.stringify(read.body)).toBe(200);
      expect(read.body.client_id).toBe(row.client_id);
      expect(read.body.token_endpoint_auth_method).toBe(row.client_auth);
      if (row.profile === 'fapi1-advanced') {
        expect(read.body, row.registration_key).toMatchObject({
          fapi_profile: 'fapi1-advanced',
          require_signed_request_object: true,
          request_object_signing_alg: 'PS256',
          authorization_signed_response_alg: 'PS256',
          tls_client_certificate_bound_access_tokens: true,
          require_pushed_authorization_requests: true,
        });
        expect(read.body.dpop_bound_access_tokens ?? false).toBe(false);
      } else if (row.profile === 'fapi1-baseline') {
        // FAPI 1.0 Part 1: bearer tokens, bound to nothing.
        expect(read.body, row.registration_key).toMatchObject({ fapi_profile: 'fapi1-baseline' });
        expect(read.body.dpop_bound_access_tokens ?? false).toBe(false);
        expect(read.body.tls_client_certificate_bound_access_tokens ?? false).toBe(false);
      } else {
        const dpop = row.profile === 'fapi2-dpop' || row.profile === 'fapi2-dpop-opaque';
        expect(read.body, row.registration_key).toMatchObject({ fapi_profile: 'fapi2' });
        expect(read.body.access_token_format).toBe(
          row.profile === 'fapi2-dpop-opaque' ? 'opaque' : undefined,
        );
        expect(read.body.dpop_bound_access_tokens ?? false).toBe(dpop);
        expect(read.body.tls_client_certificate_bound_access_tokens ?? false).toBe(!dpop);
      }
    }
  });

  it('the bank holds the FAPI 1.0 Advanced clients to it: an unsigned pushed request is refused', async () => {
    const row = (await storedRegistrations(sandbox.config)).find(
      (r) => r.registration_key === 'fapi1-advanced+tls_client_auth',
    )!;
    const agent = transportAgentFor(sandbox.config.participants.demo, sandbox.config);
    try {
      const discovery = (await (
        await fetch(`${sandbox.config.bankOp.issuer}/.well-known/openid-configuration`, { dispatcher: agent })
      ).json()) as { mtls_endpoint_aliases: Record<string, string> };
      const response = await fetch(discovery.mtls_endpoint_aliases.pushed_authorization_request_endpoint!, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: row.client_id,
          response_type: 'code',
          response_mode: 'jwt',
          redirect_uri: sandbox.config.participants.demo.redirectUris[0]!,
          scope: 'openid accounts',
          state: 'unsigned-state-0123456789',
          nonce: 'unsigned-nonce-0123456789',
          code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
          code_challenge_method: 'S256',
        }),
      });
      const body = (await response.json()) as ApiError;
      expect(response.status).toBe(400);
      expect(body.error).toBe('invalid_request');
      // FAPI 1.0 Adv §5.2.2-1: the bank names the rule; a FAPI 2.0 client would have been accepted.
      expect(body.error_description).toMatch(/Request Object must be used/);
      expect(body.error_description).toMatch(/FAPI 1\.0 Adv/);
    } finally {
      await agent.close();
    }
  });
});

describe.each([
  ['fapi2-dpop', 'private_key_jwt'],
  ['fapi2-dpop', 'tls_client_auth'],
  ['fapi2-mtls', 'private_key_jwt'],
  ['fapi2-mtls', 'tls_client_auth'],
  ['fapi1-advanced', 'private_key_jwt'],
  ['fapi1-advanced', 'tls_client_auth'],
  ['fapi2-dpop-opaque', 'private_key_jwt'],
])('connecting with %s and %s', (profile, clientAuth) => {
  let connection: ConnectionView;

  beforeAll(async () => {
    ({ connection } = await connect(profile, clientAuth));
  });

  it('ends active, with the consent authorised and a bound token', () => {
    expect(connection.status, JSON.stringify(connection.error)).toBe('active');
    expect(connection.consentId).toBeTruthy();
    expect(connection.accessTokenExpiresAt).toBeTruthy();
  });

  it('reads accounts, balances and transactions', async () => {
    const accounts = (await sandbox.browser.api(`/connections/${connection.id}/accounts`)).body as {
      accounts: AccountView[];
    };
    expect(accounts.accounts.length).toBeGreaterThan(0);
    const accountId = accounts.accounts[0]!.accountId;
    const balances = await sandbox.browser.api(
      `/connections/${connection.id}/accounts/${accountId}/balances`,
    );
    expect(balances.status, JSON.stringify(balances.body)).toBe(200);
    expect((balances.body as { balances: BalanceView[] }).balances[0]?.currency).toBe('GBP');
    const transactions = await sandbox.browser.api(
      `/connections/${connection.id}/accounts/${accountId}/transactions`,
    );
    expect(transactions.status, JSON.stringify(transactions.body)).toBe(200);
    expect((transactions.body as { transactions: TransactionView[] }).transactions.length).toBeGreaterThan(0);
  });
});

describe('the inspector on an opaque access token (fapi2-dpop-opaque)', () => {
  /** The explanation of a connection's "Read accounts" step, after reading them once. */
  async function readAccountsStep(profile: string) {
    const { connection } = await connect(profile, 'private_key_jwt');
    expect((await sandbox.browser.api(`/connections/${connection.id}/accounts`)).status).toBe(200);
    const trace = (await sandbox.browser.api(`/connections/${connection.id}/trace`)).body as ConnectionTrace;
    const read = trace.entries.find((e) => e.title === 'Read accounts' && e.status === 200);
    expect(read, 'Read accounts in the timeline').toBeTruthy();
    return read!;
  }

  it('says what bank-api learns, what each call costs and when a revocation bites; a JWT connection does not', async () => {
    const opaque = await readAccountsStep('fapi2-dpop-opaque');
    expect(opaque.explanation).toMatch(
      /learns nothing from the token itself and everything from bank-op’s answer/,
    );
    expect(opaque.explanation).toMatch(/one mTLS round trip to bank-op on every API call/);
    expect(opaque.explanation).toMatch(/revoked token is refused at its very next call/);
    expect(opaque.clause).toContain('RFC 7662 §2');
    // bank-api's own record of the call says it asked bank-op, and how long that took.
    expect(opaque.checks.some((c) => c.by === 'bank-api' && /introspected at bank-op/.test(c.name))).toBe(
      true,
    );

    const jwt = await readAccountsStep('fapi2-dpop');
    expect(jwt.explanation).not.toMatch(/This access token is opaque/);
  });
});

describe('FAPI 1.0 Advanced end to end', () => {
  it('pushes a signed request object, gets a JARM response back and ends active', async () => {
    const { connection, visit } = await connect('fapi1-advanced', 'private_key_jwt');
    expect(connection.status, JSON.stringify(connection.error)).toBe('active');
    // JARM §2.3.4: the browser brings back one signed response, not a bare code.
    expect(visit.callback.searchParams.get('response')).toMatch(/^eyJ/);
    expect(visit.callback.searchParams.has('code')).toBe(false);

    const trace = (await sandbox.browser.api(`/connections/${connection.id}/trace`)).body as ConnectionTrace;
    const entry = (title: string) => {
      const found = trace.entries.find((e) => e.title === title);
      expect(found, `${title} in the timeline`).toBeTruthy();
      return found!;
    };
    const par = entry('Push the authorization request (PAR)');
    expect(par).toMatchObject({ status: 201, from: 'tpp', to: 'bank-op', channel: 'back' });
    expect(par.reportedBy).toEqual(['tpp', 'bank-op']);
    // FAPI 1.0 Adv §5.2.2-1 / RFC 9101 §4: the form carries the request object and client authentication only.
    expect(Object.keys(par.requestBody as object).sort()).toEqual(
      ['client_assertion', 'client_assertion_type', 'client_id', 'request'].sort(),
    );
    const requestObject = par.jwts.find((j) => j.where === 'request object (JAR)')!;
    expect(requestObject.header.alg).toBe('PS256');
    expect(requestObject.claims).toMatchObject({
      iss: connection.clientId,
      aud: sandbox.config.bankOp.issuer,
      response_type: 'code',
      response_mode: 'jwt',
      code_challenge_method: 'S256',
    });
    expect(typeof requestObject.claims.nonce).toBe('string');
    expect(typeof requestObject.claims.exp).toBe('number');
    expect(typeof requestObject.claims.nbf).toBe('number');

    const callback = entry('Customer returns to Moneywise');
    const jarm = callback.jwts.find((j) => j.where === 'authorization response (JARM)')!;
    expect(jarm.claims).toMatchObject({ iss: sandbox.config.bankOp.issuer, aud: connection.clientId });
    const responseChecks = entry('Check the authorization response').checks;
    expect(responseChecks.length).toBeGreaterThan(0);
    expect(responseChecks.every((c) => c.passed)).toBe(true);
    expect(responseChecks.some((c) => /JARM response signed by the bank/.test(c.name))).toBe(true);
    expect(entry('Exchange the code for tokens').status).toBe(200);
    expect(
      entry('Verify the ID token').checks.find((c) => c.name === 'nonce matches the request')?.passed,
    ).toBe(true);
  });
});

describe('payment, inspector and disconnect on a FAPI 2.0 + DPoP connection', () => {
  let connection: ConnectionView;
  let accountId: string;

  beforeAll(async () => {
    ({ connection } = await connect('fapi2-dpop', 'private_key_jwt'));
    const accounts = (await sandbox.browser.api(`/connections/${connection.id}/accounts`)).body as {
      accounts: AccountView[];
    };
    accountId = accounts.accounts[0]!.accountId;
  });

  it('refuses a payment with a malformed sort code before anything reaches the bank', async () => {
    const response = await sandbox.browser.api(`/connections/${connection.id}/payments`, {
      json: {
        payeeName: 'Bob',
        sortCode: '12',
        accountNumber: '12345678',
        amount: '5.00',
        reference: 'Lunch',
      },
    });
    expect(response.status).toBe(400);
    expect((response.body as ApiError).error_description).toMatch(/sortCode: a sort code is six digits/);
  });

  it('makes a domestic payment: consent, authorisation at the bank, submission, status', async () => {
    const balanceBefore = (
      (await sandbox.browser.api(`/connections/${connection.id}/accounts/${accountId}/balances`)).body as {
        balances: BalanceView[];
      }
    ).balances;
    const started = await sandbox.browser.api(`/connections/${connection.id}/payments`, {
      json: {
        payeeName: 'Bob Builder',
        sortCode: '20-00-00',
        accountNumber: '55779911',
        amount: '12.50',
        reference: 'Lunch',
      },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const { payment, authorizationUrl } = started.body as StartPaymentResponse;
    const visit = await visitBank(sandbox.browser, authorizationUrl, ALICE);
    expect(visit.landing.pathname).toBe(`/connections/${connection.id}/pay`);
    expect(visit.landing.searchParams.get('payment')).toBe(payment.id);
    const result = (await sandbox.browser.api(`/connections/${connection.id}/payments/${payment.id}`))
      .body as PaymentView;
    expect(result.status, JSON.stringify(result.error)).toBe('submitted');
    expect(result.domesticPaymentId).toBeTruthy();
    expect(result.bankStatus).toMatch(/^Accepted|^Pending/);
    const balanceAfter = (
      (await sandbox.browser.api(`/connections/${connection.id}/accounts/${accountId}/balances`)).body as {
        balances: BalanceView[];
      }
    ).balances;
    expect(balanceAfter).not.toEqual(balanceBefore);
  });

  it('shows every party’s messages in one timeline, with decoded JWTs, checks and the DPoP binding', async () => {
    const trace = (await sandbox.browser.api(`/connections/${connection.id}/trace`)).body as ConnectionTrace;
    expect(trace.unavailable).toEqual([]);
    expect(trace.interactionId).toBe(connection.interactionId);
    const titles = trace.entries.map((e) => e.title);
    for (const step of [
      'Client-credentials token',
      'Create the account-access consent',
      'Push the authorization request (PAR)',
      'Send the customer to the bank',
      'Customer returns to Moneywise',
      'Check the authorization response',
      'Exchange the code for tokens',
      'Verify the ID token',
      'Read accounts',
      'Submit the payment',
    ]) {
      expect(
        titles.some((t) => t.includes(step)),
        `${step} in ${titles.join(' | ')}`,
      ).toBe(true);
    }
    const reporters = new Set(trace.entries.flatMap((e) => e.reportedBy));
    expect(reporters).toContain('bank-op');
    expect(reporters).toContain('bank-api');
    const accounts = trace.entries.find((e) => e.title === 'Read accounts' && e.status === 200)!;
    expect(accounts.binding).toMatchObject({ kind: 'dpop', matches: true });
    expect(accounts.jwts.some((j) => j.header.typ === 'dpop+jwt')).toBe(true);
    const checks = trace.entries.find((e) => e.title === 'Check the authorization response')!.checks;
    expect(checks.find((c) => c.name.startsWith('iss is the bank'))?.passed).toBe(true);
    // No usable token reaches the browser: every Authorization header and token field is masked.
    const text = JSON.stringify(trace);
    expect(text).not.toMatch(/"authorization":"(DPoP|Bearer) eyJ[\w-]+\.[\w-]+\.[\w-]+"/i);
    expect(text).not.toMatch(/"access_token":"eyJ[\w-]+\.[\w-]+\.[\w-]+"/);
  });

  it('exports the trace as a JSON download', async () => {
    const response = await sandbox.browser.api(`/connections/${connection.id}/trace/export`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="?moneywise-trace-/);
    expect((response.body as ConnectionTrace).entries.length).toBeGreaterThan(5);
  });

  it('disconnects: tokens revoked, consent deleted, and the API refuses the old token', async () => {
    const response = await sandbox.browser.api(`/connections/${connection.id}/disconnect`, {
      method: 'POST',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const outcome = response.body as { connection: ConnectionView; oldTokenStatus?: number };
    expect(outcome.connection.status).toBe('disconnected');
    expect([401, 403]).toContain(outcome.oldTokenStatus);
    const accounts = await sandbox.browser.api(`/connections/${connection.id}/accounts`);
    expect(accounts.status).toBe(409);
    expect((accounts.body as ApiError).error).toBe('connection_not_active');
  });
});

describe('attacks the callback checks stop', () => {
  it('mix-up: a response whose iss is another issuer is discarded and the code never redeemed', async () => {
    const started = (
      await sandbox.browser.api('/connections', {
        json: { profile: 'fapi2-mtls', clientAuth: 'private_key_jwt' },
      })
    ).body as StartConnectionResponse;
    const visit = await visitBank(sandbox.browser, started.authorizationUrl, {
      ...ALICE,
      tamperCallback: (callback) => {
        const forged = new URL(callback);
        forged.searchParams.set('iss', 'https://attacker.localhost');
        return forged;
      },
    });
    expect(visit.landing.pathname).toBe(`/connections/${started.connection.id}`);
    const view = (await sandbox.browser.api(`/connections/${started.connection.id}`)).body as ConnectionView;
    expect(view.status).toBe('failed');
    expect(view.error).toMatchObject({ error: 'invalid_issuer' });
    expect(view.error?.error_description).toMatch(/RFC 9207 section 2\.4/);
    const trace = (await sandbox.browser.api(`/connections/${started.connection.id}/trace`))
      .body as ConnectionTrace;
    expect(trace.entries.some((e) => e.title === 'Exchange the code for tokens')).toBe(false);
  });

  it('CSRF: a callback arriving in another browser session is refused', async () => {
    const started = (
      await sandbox.browser.api('/connections', {
        json: { profile: 'fapi2-dpop', clientAuth: 'private_key_jwt' },
      })
    ).body as StartConnectionResponse;
    let stolen: URL | undefined;
    await visitBank(sandbox.browser, started.authorizationUrl, {
      ...ALICE,
      tamperCallback: (callback) => {
        stolen = callback;
        return new URL('/callback?state=swallowed', callback);
      },
    });
    const { Browser } = await import('./harness.js');
    const victim = new Browser(sandbox.config);
    await victim.api('/connections');
    const landed = await victim.request(stolen!.toString());
    await victim.close();
    expect(landed.status).toBe(303);
    // The browser that brought it is shown the refusal, and nothing of the connection it names.
    const landing = new URL(landed.headers.get('location')!, sandbox.config.tpp.web.origin);
    expect(`${landing.pathname} ${landing.searchParams.get('error')}`).toBe('/ invalid_state');
    const view = (await sandbox.browser.api(`/connections/${started.connection.id}`)).body as ConnectionView;
    expect(view.status).toBe('failed');
    expect(view.error?.error_description).toMatch(/another browser/);
    // Its code may be in other hands: the response is spent, even for the browser that started the flow.
    const late = await sandbox.browser.request(stolen!.toString());
    expect(late.headers.get('location')).toBe(`/connections/${started.connection.id}`);
    const after = (await sandbox.browser.api(`/connections/${started.connection.id}`)).body as ConnectionView;
    expect(after.status).toBe('failed');
    const trace = (await sandbox.browser.api(`/connections/${started.connection.id}/trace`))
      .body as ConnectionTrace;
    expect(trace.entries.some((e) => e.title === 'Exchange the code for tokens')).toBe(false);
  });

  it('JARM: a tampered signed response is refused (FAPI 1.0 Advanced)', async () => {
    const started = (
      await sandbox.browser.api('/connections', {
        json: { profile: 'fapi1-advanced', clientAuth: 'tls_client_auth' },
      })
    ).body as StartConnectionResponse;
    await visitBank(sandbox.browser, started.authorizationUrl, {
      ...ALICE,
      tamperCallback: (callback) => {
        const forged = new URL(callback);
        const [header, payload, signature] = forged.searchParams.get('response')!.split('.');
        const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
        claims.code = `${claims.code}x`;
        forged.searchParams.set(
          'response',
          [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.'),
        );
        return forged;
      },
    });
    const view = (await sandbox.browser.api(`/connections/${started.connection.id}`)).body as ConnectionView;
    expect(view.status).toBe('failed');
    expect(view.error?.error_description).toMatch(/signature/);
  });

  it('a customer who denies the consent sees the bank’s access_denied with its explanation', async () => {
    const started = (
      await sandbox.browser.api('/connections', {
        json: { profile: 'fapi2-dpop', clientAuth: 'tls_client_auth' },
      })
    ).body as StartConnectionResponse;
    await visitBank(sandbox.browser, started.authorizationUrl, { ...ALICE, decision: 'deny' });
    const view = (await sandbox.browser.api(`/connections/${started.connection.id}`)).body as ConnectionView;
    expect(view.status).toBe('failed');
    expect(view.error?.error).toBe('access_denied');
  });
});

describe('a registration the bank no longer knows', () => {
  it('is noticed on the next onboarding and registered again, and a new connection uses the new client', async () => {
    const { transportAgentFor } = await import('@fapi-sandbox/fapi-core/tls');
    const stored = (await storedRegistrations(sandbox.config)).find(
      (row) => row.registration_key === 'fapi2-mtls+tls_client_auth',
    )!;
    // RFC 7592 §2.3: the client's registration is deleted at the bank (as an administrator might).
    const agent = transportAgentFor(sandbox.config.participants.demo, sandbox.config);
    const { fetch } = await import('undici');
    const deleted = await fetch(stored.registration_client_uri, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${stored.registration_access_token}` },
      dispatcher: agent,
    });
    await agent.close();
    expect(deleted.status).toBe(204);

    const view = (await sandbox.browser.api('/onboarding', { method: 'POST' })).body as OnboardingView;
    expect(view.status).toBe('done');
    const again = view.registrations.find(
      (r) => r.profile === 'fapi2-mtls' && r.clientAuth === 'tls_client_auth',
    )!;
    expect(again.outcome).toBe('reregistered');
    expect(again.clientId).not.toBe(stored.client_id);
    const { connection } = await connect('fapi2-mtls', 'tls_client_auth');
    expect(connection.status).toBe('active');
    expect(connection.clientId).toBe(again.clientId);
  });

  it('made before the profile metadata was versioned, is registered again under its profile at the next onboarding', async () => {
    const before = await storedRegistrations(sandbox.config);
    expect(await forgetMetadataVersions(sandbox.config, 'fapi1-advanced')).toBe(2);
    const view = (await sandbox.browser.api('/onboarding', { method: 'POST' })).body as OnboardingView;
    expect(view.status).toBe('done');
    for (const registration of view.registrations) {
      const old = before.find(
        (r) => r.profile === registration.profile && r.client_auth === registration.clientAuth,
      )!;
      if (registration.profile === 'fapi1-advanced') {
        expect(registration.outcome).toBe('reregistered');
        expect(registration.clientId).not.toBe(old.client_id);
      } else {
        expect(registration.outcome).toBe('reused');
        expect(registration.clientId).toBe(old.client_id);
      }
    }
    for (const row of (await storedRegistrations(sandbox.config)).filter(
      (r) => r.profile === 'fapi1-advanced',
    )) {
      expect(row.metadata_version).toMatch(/^[\w-]{22}$/);
      expect((await readRegistration(sandbox.config, row)).body.fapi_profile).toBe('fapi1-advanced');
    }
    // The learner sees why: the version check failed for exactly those two clients.
    const trace = (await sandbox.browser.api('/onboarding/trace')).body as ConnectionTrace;
    const versionChecks = trace.entries
      .filter((e) => e.title === 'Check the stored registration is current')
      .flatMap((e) => e.checks);
    expect(versionChecks).toHaveLength(10);
    expect(versionChecks.filter((c) => !c.passed).map((c) => c.detail)).toEqual([
      expect.stringMatching(/registered before versions were kept/),
      expect.stringMatching(/registered before versions were kept/),
    ]);
  });

  it('made with other metadata, is registered again when a connection starts', async () => {
    const old = (await storedRegistrations(sandbox.config)).find(
      (r) => r.registration_key === 'fapi2-dpop+tls_client_auth',
    )!;
    await forgetMetadataVersions(sandbox.config, 'fapi2-dpop');
    const { connection } = await connect('fapi2-dpop', 'tls_client_auth');
    expect(connection.status, JSON.stringify(connection.error)).toBe('active');
    expect(connection.clientId).not.toBe(old.client_id);
    const row = (await storedRegistrations(sandbox.config)).find(
      (r) => r.registration_key === 'fapi2-dpop+tls_client_auth',
    )!;
    expect(row.client_id).toBe(connection.clientId);
    expect((await readRegistration(sandbox.config, row)).body).toMatchObject({
      fapi_profile: 'fapi2',
      dpop_bound_access_tokens: true,
    });
  });
});
