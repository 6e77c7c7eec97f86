// The customer's side: the sign-in page (strong customer authentication, demo customers shown), the
// consent page (who asks, for what, from which accounts), and the bank's intents: authorising or
// rejecting writes the consent, and a request naming someone else's or a used consent is refused.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountIdsOn,
  errorOn,
  formAction,
  inputValue,
  isPage,
  type Page,
  passcodeOn,
} from './support/browser.js';
import { expectRedirectError } from './support/expect-error.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let other: TestTpp;
let client: RegisteredClient;
let otherClient: RegisteredClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  other = new TestTpp(sandbox, sandbox.config.participants.second);
  client = await tpp.register();
  otherClient = await other.register();
});
afterAll(async () => {
  await sandbox?.close();
});

async function pushedUrl(
  options: { consentId?: string | null; scope?: string; state?: string } = {},
): Promise<{ url: URL; state: string; pkce: ReturnType<TestTpp['pkce']> }> {
  const pkce = tpp.pkce();
  const consentId = options.consentId === undefined ? tpp.accountConsent(client) : options.consentId;
  const params = tpp.authorizationParams(client, consentId ?? undefined, pkce, options.scope);
  if (options.state) params.state = options.state;
  const par = await tpp.par(client, params);
  expect(par.status, JSON.stringify(par.body)).toBe(201);
  return { url: tpp.authorizationUrl(client, String(par.body.request_uri)), state: params.state!, pkce };
}

async function signIn(browser = tpp.newBrowser(), url: URL) {
  const login = (await browser.open(url)) as Page;
  expect(login.status).toBe(200);
  const consent = await browser.submit(formAction(login.html, login.url), {
    csrf: inputValue(login.html, 'csrf'),
    username: 'alice',
    password: 'wonderland',
    otp: passcodeOn(login.html),
    action: 'login',
  });
  return { browser, consent };
}

describe('sign-in page', () => {
  it('is labelled, shows the demo customers and their passwords, and allows no scripts', async () => {
    const { url } = await pushedUrl();
    const page = (await tpp.newBrowser().open(url)) as Page;
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="en">');
    expect(page.html).toMatch(/<h1>Sign in to continue<\/h1>/);
    for (const id of ['username', 'password', 'otp']) expect(page.html).toContain(`<label for="${id}">`);
    for (const credential of sandbox.bank.customers.demoCredentials()) {
      expect(page.html).toContain(`<code>${credential.username}</code>`);
      expect(page.html).toContain(`<code>${credential.password}</code>`);
    }
    expect(page.html).toContain('Moneywise');
    expect(page.html).not.toContain('<script');
  });

  it('refuses a wrong password or passcode and says so to assistive technology', async () => {
    const { url } = await pushedUrl();
    const browser = tpp.newBrowser();
    const login = (await browser.open(url)) as Page;
    for (const fields of [
      { password: 'not-the-password', otp: passcodeOn(login.html) },
      { password: 'wonderland', otp: '000000' === passcodeOn(login.html) ? '111111' : '000000' },
    ]) {
      const again = (await browser.submit(formAction(login.html, login.url), {
        csrf: inputValue(login.html, 'csrf'),
        username: 'alice',
        action: 'login',
        ...fields,
      })) as Page;
      expect(again.status).toBe(401);
      expect(again.html).toMatch(/role="alert">The username, password or passcode is not right/);
      expect(again.html).toContain('aria-describedby="sign-in-error"');
    }
  });

  it('refuses a form without the page token (CSRF)', async () => {
    const { url } = await pushedUrl();
    const browser = tpp.newBrowser();
    const login = (await browser.open(url)) as Page;
    const res = (await browser.submit(formAction(login.html, login.url), {
      csrf: 'forged',
      username: 'alice',
      password: 'wonderland',
      otp: passcodeOn(login.html),
      action: 'login',
    })) as Page;
    expect(res.status).toBe(403);
  });

  it('refuses a sign-in posted from another browser (no interaction cookie)', async () => {
    const { url } = await pushedUrl();
    const login = (await tpp.newBrowser().open(url)) as Page;
    const res = (await tpp.newBrowser().submit(formAction(login.html, login.url), {
      csrf: inputValue(login.html, 'csrf'),
      username: 'alice',
      password: 'wonderland',
      otp: passcodeOn(login.html),
      action: 'login',
    })) as Page;
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(errorOn(res.html)).toMatch(/invalid_request/);
  });

  it('sends access_denied back when the customer cancels, and rejects the consent', async () => {
    const consentId = tpp.accountConsent(client);
    const { url, state } = await pushedUrl({ consentId });
    const browser = tpp.newBrowser();
    const login = (await browser.open(url)) as Page;
    const landing = await browser.submit(formAction(login.html, login.url), {
      csrf: inputValue(login.html, 'csrf'),
      action: 'cancel',
    });
    expect(isPage(landing)).toBe(false);
    const params = (landing as { url: URL }).url.searchParams;
    expectRedirectError(params, { error: 'access_denied', issuer: tpp.issuer });
    expect(params.get('state')).toBe(state);
    expect(sandbox.bank.consents.get(consentId)?.status).toBe('Rejected');
  });
});

describe('consent page', () => {
  it('shows the TPP from the directory and the permissions in plain words', async () => {
    const { url } = await pushedUrl();
    const { consent } = await signIn(undefined, url);
    const page = consent as Page;
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1>Moneywise wants to see your account information</h1>');
    expect(page.html).toContain('Moneywise Ltd, registered with the open banking directory');
    expect(page.html).toContain('Your account balances');
    expect(page.html).toContain('Your account numbers and sort codes');
    expect(accountIdsOn(page.html).length).toBeGreaterThan(0);
    expect(page.html).toMatch(/<legend>Accounts to share<\/legend>/);
  });

  it('authorises the consent with the accounts the customer chose', async () => {
    const consentId = tpp.accountConsent(client);
    const { url, state } = await pushedUrl({ consentId });
    const { browser, consent } = await signIn(undefined, url);
    const page = consent as Page;
    const accounts = accountIdsOn(page.html);
    const landing = await browser.submit(formAction(page.html, page.url), {
      csrf: inputValue(page.html, 'csrf'),
      decision: 'allow',
      accounts,
    });
    const params = (landing as { url: URL }).url.searchParams;
    expect(params.get('code')).toBeTruthy();
    expect(params.get('state')).toBe(state);
    expect(sandbox.bank.consents.get(consentId)).toMatchObject({
      status: 'Authorised',
      customerId: 'cust-alice',
      accountIds: expect.arrayContaining(accounts),
    });
  });

  it('asks again when no account is chosen, leaving the consent awaiting authorisation', async () => {
    const consentId = tpp.accountConsent(client);
    const { url } = await pushedUrl({ consentId });
    const { browser, consent } = await signIn(undefined, url);
    const page = consent as Page;
    const again = (await browser.submit(formAction(page.html, page.url), {
      csrf: inputValue(page.html, 'csrf'),
      decision: 'allow',
    })) as Page;
    expect(again.status).toBe(400);
    expect(again.html).toMatch(/role="alert">Choose at least one account/);
    expect(sandbox.bank.consents.get(consentId)?.status).toBe('AwaitingAuthorisation');
  });

  it('sends access_denied back on Deny and rejects the consent', async () => {
    const consentId = tpp.accountConsent(client);
    const { url, state } = await pushedUrl({ consentId });
    const { browser, consent } = await signIn(undefined, url);
    const page = consent as Page;
    const landing = await browser.submit(formAction(page.html, page.url), {
      csrf: inputValue(page.html, 'csrf'),
      decision: 'deny',
    });
    const params = (landing as { url: URL }).url.searchParams;
    expectRedirectError(params, { error: 'access_denied', issuer: tpp.issuer });
    expect(params.get('state')).toBe(state);
    expect(sandbox.bank.consents.get(consentId)?.status).toBe('Rejected');
  });

  it('shows the payee and amount of a payment, pays from one account, and issues no refresh token', async () => {
    const payment = sandbox.bank.consents.createDomesticPayment({
      clientId: client.clientId,
      initiation: {
        instructionIdentification: 'INSTR-1',
        endToEndIdentification: 'E2E-1',
        instructedAmount: { amountMinor: 12_345, currency: 'GBP' },
        creditorAccount: {
          schemeName: 'UK.OBIE.SortCodeAccountNumber',
          identification: '40400411223344',
          name: 'Ace <Plumbing> & Co',
        },
        remittanceInformation: { reference: 'Invoice 42' },
      },
      risk: {},
    });
    const { url, pkce } = await pushedUrl({ consentId: payment.consentId, scope: 'openid payments' });
    const { browser, consent } = await signIn(undefined, url);
    const page = consent as Page;
    expect(page.html).toContain('Moneywise wants to make a payment');
    expect(page.html).toContain('GBP 123.45');
    expect(page.html).toContain('Ace &lt;Plumbing&gt; &amp; Co');
    expect(page.html).toContain('Invoice 42');
    expect(page.html).toContain('type="radio"');
    const landing = await browser.submit(formAction(page.html, page.url), {
      csrf: inputValue(page.html, 'csrf'),
      decision: 'allow',
      accounts: accountIdsOn(page.html)[0]!,
    });
    const code = (landing as { url: URL }).url.searchParams.get('code')!;
    const token = await tpp.redeem(client, code, pkce);
    expect(token.status).toBe(200);
    expect(decodeJwt(String(token.body.access_token))).toMatchObject({
      scope: 'payments',
      openbanking_intent_id: payment.consentId,
    });
    expect(token.body.refresh_token).toBeUndefined();
  });
});

describe('the consent the request names (openbanking_intent_id)', () => {
  async function refusedAtTheBank(url: URL) {
    const { consent } = await signIn(undefined, url);
    expect(isPage(consent)).toBe(false);
    return (consent as { url: URL }).url.searchParams;
  }

  it("refuses another client's consent and leaves it untouched", async () => {
    const foreign = other.accountConsent(otherClient);
    const params = await refusedAtTheBank((await pushedUrl({ consentId: foreign })).url);
    expectRedirectError(params, {
      error: 'invalid_request',
      clause: /OB Read\/Write API/,
      issuer: tpp.issuer,
    });
    expect(sandbox.bank.consents.get(foreign)?.status).toBe('AwaitingAuthorisation');
  });

  it('refuses a request for accounts that names no consent', async () => {
    const params = await refusedAtTheBank((await pushedUrl({ consentId: null })).url);
    expectRedirectError(params, { error: 'invalid_request', clause: /OB Read\/Write API/ });
  });

  it('refuses an authorization for openid alone: there is no consent to approve', async () => {
    const params = await refusedAtTheBank((await pushedUrl({ consentId: null, scope: 'openid' })).url);
    expectRedirectError(params, { error: 'invalid_request', clause: /OB Read\/Write API/ });
  });

  it('refuses a consent that is no longer awaiting authorisation', async () => {
    const consentId = tpp.accountConsent(client);
    sandbox.bank.consents.reject(consentId);
    const params = await refusedAtTheBank((await pushedUrl({ consentId })).url);
    expectRedirectError(params, { error: 'invalid_request', clause: /OB Read\/Write API/ });
  });

  it('refuses an account-access consent asked for with the payments scope, before the sign-in', async () => {
    // A payment's sign-in is linked to the payment, so its consent is checked before the sign-in page.
    const landing = await tpp.newBrowser().open((await pushedUrl({ scope: 'openid payments' })).url);
    expect(isPage(landing)).toBe(false);
    expectRedirectError((landing as { url: URL }).url.searchParams, {
      error: 'invalid_request',
      clause: /OB Read\/Write API/,
      issuer: tpp.issuer,
    });
  });

  it('issues no access token once the customer has revoked the consent', async () => {
    const consentId = tpp.accountConsent(client);
    const { url, pkce } = await pushedUrl({ consentId });
    const landing = await tpp.customerAuthorizes(url);
    sandbox.bank.consents.revoke(consentId, { by: 'customer', customerId: 'cust-alice' });
    const token = await tpp.redeem(client, landing.searchParams.get('code')!, pkce);
    expect(token.status).toBe(400);
    expect(token.body.error).toBe('invalid_grant');
    expect(String(token.body.error_description)).toMatch(/no longer authorised/);
  });
});
