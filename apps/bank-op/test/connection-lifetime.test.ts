// A connection lives as long as its consent (issue #10): the refresh token of an account-access grant
// is not tied to the customer's browser session at the bank, so it outlives another customer signing in
// in the same browser, a payment's fresh sign-in, the end of the bank session, a restart of bank-op and
// a long idle afternoon. It ends when the consent is withdrawn or expires, or when the refresh token is
// revoked, and each of those refusals names the clause and the fix.
import {
  type BankPage,
  type CustomerBrowser,
  pageOf,
  redirectOf,
  signInForm,
} from '@fapi-sandbox/fapi-client/customer';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectOAuthError } from './support/expect-error.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { type RegisteredClient, TestTpp } from './support/tpp.js';

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
afterEach(async () => {
  vi.useRealTimers();
});

const HOUR = 60 * 60 * 1000;
const ALICE = { username: 'alice', password: 'wonderland' };
const BOB = { username: 'bob', password: 'builder' };

/** One authorization in `browser`: PAR, the customer (signing in if the bank asks), the code redeemed. */
async function connect(
  browser: CustomerBrowser,
  customer: { username: string; password: string },
  options: { consentId?: string } = {},
) {
  const pkce = tpp.pkce();
  const consentId = options.consentId ?? (await tpp.accountConsent(client));
  const par = await tpp.par(client, tpp.authorizationParams(client, consentId, pkce));
  expect(par.status, JSON.stringify(par.body)).toBe(201);
  const landing = await tpp.customerAuthorizes(tpp.authorizationUrl(client, String(par.body.request_uri)), {
    ...customer,
    browser,
  });
  const code = landing.searchParams.get('code');
  expect(code, landing.href).toBeTruthy();
  const issued = await tpp.redeem(client, code!, pkce);
  expect(issued.status, JSON.stringify(issued.body)).toBe(200);
  return { consentId, refreshToken: String(issued.body.refresh_token) };
}

function refresh(refreshToken: string) {
  return tpp.token(client, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

async function expectRefreshes(refreshToken: string) {
  const refreshed = await refresh(refreshToken);
  expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
  expect(refreshed.body.access_token).toEqual(expect.any(String));
}

/** A payment consent of this client, authorised in `browser` with the fresh sign-in every payment needs. */
async function payInSameBrowser(browser: CustomerBrowser) {
  const consentId = (
    await sandbox.bank.consents.createDomesticPayment({
      clientId: client.clientId,
      initiation: {
        instructionIdentification: `INSTR-${crypto.randomUUID().slice(0, 8)}`,
        endToEndIdentification: `E2E-${crypto.randomUUID().slice(0, 8)}`,
        instructedAmount: { amountMinor: 500, currency: 'GBP' },
        creditorAccount: {
          schemeName: 'UK.OBIE.SortCodeAccountNumber',
          identification: '20000055779911',
          name: 'Corner Bakery',
        },
      },
      risk: {},
    })
  ).consentId;
  const pkce = tpp.pkce();
  const par = await tpp.par(client, tpp.authorizationParams(client, consentId, pkce, 'openid payments'));
  expect(par.status, JSON.stringify(par.body)).toBe(201);
  const login = pageOf(await browser.open(tpp.authorizationUrl(client, String(par.body.request_uri))));
  const consent = pageOf(await browser.signIn(login, ALICE, { passcode: signInForm(login).passcode }));
  const params = redirectOf(await browser.allow(consent, 'first')).params;
  expect(params.get('code')).toBeTruthy();
}

/**
 * Another customer signs in where alice has a session: oidc-provider ends alice's session first, with
 * an auto-submitted form (a browser's script posts it; this browser posts it by hand), then goes on.
 */
async function anotherCustomerSignsIn(browser: CustomerBrowser, customer: typeof BOB) {
  const consentId = await tpp.accountConsent(client);
  const pkce = tpp.pkce();
  const par = await tpp.par(client, { ...tpp.authorizationParams(client, consentId, pkce), prompt: 'login' });
  expect(par.status, JSON.stringify(par.body)).toBe(201);
  const login = pageOf(await browser.open(tpp.authorizationUrl(client, String(par.body.request_uri))));
  const logout = pageOf(await browser.signIn(login, customer));
  const consent = pageOf(await browser.submit(...autoSubmittedForm(logout)));
  const code = redirectOf(await browser.allow(consent, 'first')).params.get('code');
  expect(code).toBeTruthy();
  expect((await tpp.redeem(client, code!, pkce)).status).toBe(200);
  expect((await sandbox.bank.consents.get(consentId))?.customerId).toBe('cust-bob');
}

function autoSubmittedForm(page: BankPage): [URL, Record<string, string>] {
  const action = /<form[^>]*action="([^"]+)"/.exec(page.html)?.[1];
  expect(action, page.html).toBeTruthy();
  const fields = Object.fromEntries(
    [...page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
      m[1]!,
      m[2]!,
    ]),
  );
  return [new URL(action!, page.url), fields];
}

/** The bank session ends (its 60 minutes are over, or the customer signs out): bank-op forgets it. */
const endBankSessions = () => sandbox.bankOp.store.endSessions();

describe('a connection outlives the bank session', () => {
  it('refreshes after another customer signs in in the same bank browser', async () => {
    const browser = tpp.newBrowser();
    const alice = await connect(browser, ALICE);
    await anotherCustomerSignsIn(browser, BOB);
    await expectRefreshes(alice.refreshToken);
  });

  it("refreshes after the same customer's payment signs in again in the same browser", async () => {
    const browser = tpp.newBrowser();
    const alice = await connect(browser, ALICE);
    await payInSameBrowser(browser);
    await expectRefreshes(alice.refreshToken);
  });

  it('refreshes after the bank session has ended', async () => {
    const alice = await connect(tpp.newBrowser(), ALICE);
    expect(await endBankSessions()).toBeGreaterThan(0);
    await expectRefreshes(alice.refreshToken);
  });

  it('refreshes after bank-op restarts on the same data, with the session gone', async () => {
    const alice = await connect(tpp.newBrowser(), ALICE);
    await endBankSessions();
    await sandbox.restartBankOp();
    await expectRefreshes(alice.refreshToken);
  });

  it('refreshes after a workshop afternoon of idling (five hours, the bank session long expired)', async () => {
    const alice = await connect(tpp.newBrowser(), ALICE);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 5 * HOUR });
    await expectRefreshes(alice.refreshToken);
  });
});

describe('a connection ends with its consent', () => {
  it('stops refreshing once the customer withdraws the consent, and says how to reconnect', async () => {
    const alice = await connect(tpp.newBrowser(), ALICE);
    await sandbox.bank.consents.revoke(alice.consentId, { by: 'customer', customerId: 'cust-alice' });
    expectOAuthError(await refresh(alice.refreshToken), {
      status: 400,
      error: 'invalid_grant',
      clause: /OB Read\/Write API v3\.1/,
      mentions: /revoked by the customer.*Fix: .*new consent/,
    });
  });

  it('stops refreshing once the consent has expired, and says so', async () => {
    const consentId = (
      await sandbox.bank.consents.createAccountAccess({
        clientId: client.clientId,
        permissions: ['ReadAccountsBasic'],
        expirationDateTime: new Date(Date.now() + 2 * HOUR).toISOString(),
      })
    ).consentId;
    const alice = await connect(tpp.newBrowser(), ALICE, { consentId });
    await expectRefreshes(alice.refreshToken);
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 3 * HOUR });
    expectOAuthError(await refresh(alice.refreshToken), {
      status: 400,
      error: 'invalid_grant',
      clause: /OB Read\/Write API v3\.1/,
      mentions: /expired at/,
    });
  });

  it('explains a refresh with a revoked refresh token: the clause and how to reconnect', async () => {
    const alice = await connect(tpp.newBrowser(), ALICE);
    const revoked = await tpp.post(client, tpp.endpoint(client, '/token/revoke'), async () => ({
      token: alice.refreshToken,
      ...(await tpp.clientAuth(client)),
    }));
    expect(revoked.status).toBe(200);
    expectOAuthError(await refresh(alice.refreshToken), {
      status: 400,
      error: 'invalid_grant',
      clause: /RFC 7009 section 2.1/,
      mentions: /Fix: .*(authori[sz]e|connect) again/,
    });
  });
});
