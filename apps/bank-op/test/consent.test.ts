// The customer's side: the sign-in page (strong customer authentication, demo customers shown), the
// consent page (who asks, for what, from which accounts), and the bank's intents: authorising or
// rejecting writes the consent, and a request naming someone else's or a used consent is refused.

import { createHook } from 'node:async_hooks';
import {
  consentForm,
  isSignInPage,
  pageError,
  pageOf,
  redirectOf,
  signInForm,
  signOutForm,
} from '@fapi-sandbox/fapi-client/customer';
import { decodeJwt } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  const consentId = options.consentId === undefined ? await tpp.accountConsent(client) : options.consentId;
  const params = tpp.authorizationParams(client, consentId ?? undefined, pkce, options.scope);
  if (options.state) params.state = options.state;
  const par = await tpp.par(client, params);
  expect(par.status, JSON.stringify(par.body)).toBe(201);
  return { url: tpp.authorizationUrl(client, String(par.body.request_uri)), state: params.state!, pkce };
}

const ALICE = { username: 'alice', password: 'wonderland' };

/** A payment consent of the test client's: GBP 123.45 to Ace <Plumbing> & Co, reference Invoice 42. */
async function paymentConsent(instruction: string) {
  return await sandbox.bank.consents.createDomesticPayment({
    clientId: client.clientId,
    initiation: {
      instructionIdentification: instruction,
      endToEndIdentification: `E2E-${instruction}`,
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
}

async function signIn(url: URL) {
  const browser = tpp.newBrowser();
  const login = pageOf(await browser.open(url));
  expect(login.status).toBe(200);
  return { browser, consent: await browser.signIn(login, ALICE) };
}

/** The next scrypt job node:crypto runs: it has started, and (when it ran off the event loop) its callback ran. */
function nextScryptJob(events: string[]): { started: Promise<void> } {
  let job: number | undefined;
  let started!: () => void;
  const hook = createHook({
    init(asyncId, type) {
      if (type !== 'SCRYPTREQUEST' || job !== undefined) return;
      job = asyncId;
      started();
    },
    // Only an asynchronous job calls back; scryptSync returns without this.
    before(asyncId) {
      if (asyncId !== job) return;
      events.push('password hashed');
      hook.disable();
    },
  });
  hook.enable();
  return { started: new Promise((resolve) => (started = resolve)) };
}

describe('sign-in page', () => {
  it('is labelled, shows the demo customers and their passwords, and allows no scripts', async () => {
    const { url } = await pushedUrl();
    const page = pageOf(await tpp.newBrowser().open(url));
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="en">');
    expect(page.html).toMatch(/<h1>Sign in to continue<\/h1>/);
    for (const id of ['username', 'password', 'otp']) expect(page.html).toContain(`<label for="${id}">`);
    for (const credential of await sandbox.bank.customers.demoCredentials()) {
      expect(page.html).toContain(`<code>${credential.username}</code>`);
      expect(page.html).toContain(`<code>${credential.password}</code>`);
    }
    expect(page.html).toContain('Moneywise');
    expect(page.html).not.toContain('<script');
  });

  it('refuses a wrong password or passcode and says so to assistive technology', async () => {
    const { url } = await pushedUrl();
    const browser = tpp.newBrowser();
    const login = pageOf(await browser.open(url));
    const { passcode } = signInForm(login);
    for (const [password, tamper] of [
      ['not-the-password', {}],
      ['wonderland', { passcode: passcode === '000000' ? '111111' : '000000' }],
    ] as const) {
      const again = pageOf(await browser.signIn(login, { username: 'alice', password }, tamper));
      expect(again.status).toBe(401);
      expect(again.html).toMatch(/role="alert">The username, password or passcode is not right/);
      expect(again.html).toContain('aria-describedby="sign-in-error"');
    }
  });

  it('answers other requests while a sign-in hashes its password (scrypt runs off the event loop)', async () => {
    const { url } = await pushedUrl();
    const browser = tpp.newBrowser();
    const login = pageOf(await browser.open(url));
    const health = () => fetch(`${sandbox.config.bankOp.web.origin}/health`, { dispatcher: sandbox.plain });
    await (await health()).arrayBuffer(); // a warm connection, so the probe below is one round trip
    const events: string[] = [];
    const job = nextScryptJob(events);
    const signedIn = browser
      .signIn(login, { username: 'alice', password: 'not-the-password' })
      .then((visit) => {
        events.push('sign-in answered');
        return pageOf(visit);
      });
    await job.started;
    const probe = await health();
    events.push(`health answered ${probe.status}`);
    expect((await signedIn).status).toBe(401);
    expect(events).toEqual(['health answered 200', 'password hashed', 'sign-in answered']);
  });

  it('refuses a form without the page token (CSRF)', async () => {
    const { url } = await pushedUrl();
    const browser = tpp.newBrowser();
    const login = pageOf(await browser.open(url));
    const res = pageOf(await browser.signIn(login, ALICE, { csrf: 'forged' }));
    expect(res.status).toBe(403);
  });

  it('refuses a sign-in posted from another browser (no interaction cookie)', async () => {
    const { url } = await pushedUrl();
    const login = pageOf(await tpp.newBrowser().open(url));
    const res = pageOf(await tpp.newBrowser().signIn(login, ALICE));
    expect(res.status).toBe(400);
    // The bank's page for a sign-in it does not hold: no blame on the app, and a way back to it.
    expect(pageError(res)).toMatch(/started in another browser\. Nothing was shared/);
    expect(res.html).toContain('data-testid="return-to-app"');
  });

  it('sends access_denied back when the customer cancels, and rejects the consent', async () => {
    const consentId = await tpp.accountConsent(client);
    const { url, state } = await pushedUrl({ consentId });
    const browser = tpp.newBrowser();
    const login = pageOf(await browser.open(url));
    const { params } = redirectOf(await browser.cancel(login));
    expectRedirectError(params, { error: 'access_denied', issuer: tpp.issuer });
    expect(params.get('state')).toBe(state);
    expect((await sandbox.bank.consents.get(consentId))?.status).toBe('Rejected');
  });
});

describe('consent page', () => {
  it('shows the TPP from the directory and the permissions in plain words', async () => {
    const { url } = await pushedUrl();
    const page = pageOf((await signIn(url)).consent);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<h1>Moneywise wants to see your account information</h1>');
    expect(page.html).toContain('Moneywise Ltd, registered with the open banking directory');
    expect(page.html).toContain('Your account balances');
    expect(page.html).toContain('Your account numbers and sort codes');
    // The promise the page makes is the one the grant keeps (issue #10: a connection outlives the session).
    expect(page.html).toContain('Until you withdraw your consent.');
    expect(page.html).toContain('the bank asks you to confirm it again after 90 days');
    const form = consentForm(page);
    expect(form.payment).toBe(false);
    expect(form.accounts.length).toBeGreaterThan(0);
    expect(page.html).toMatch(/<legend>Accounts to share<\/legend>/);
  });

  it('authorises the consent with the accounts the customer chose', async () => {
    const consentId = await tpp.accountConsent(client);
    const { url, state } = await pushedUrl({ consentId });
    const { browser, consent } = await signIn(url);
    const page = pageOf(consent);
    const { accounts } = consentForm(page);
    const { params } = redirectOf(await browser.allow(page, accounts));
    expect(params.get('code')).toBeTruthy();
    expect(params.get('state')).toBe(state);
    expect(await sandbox.bank.consents.get(consentId)).toMatchObject({
      status: 'Authorised',
      customerId: 'cust-alice',
      accountIds: expect.arrayContaining(accounts),
    });
  });

  it('asks again when no account is chosen, leaving the consent awaiting authorisation', async () => {
    const consentId = await tpp.accountConsent(client);
    const { url } = await pushedUrl({ consentId });
    const { browser, consent } = await signIn(url);
    const again = pageOf(await browser.allow(pageOf(consent), []));
    expect(again.status).toBe(400);
    expect(again.html).toMatch(/role="alert">Choose at least one account/);
    expect((await sandbox.bank.consents.get(consentId))?.status).toBe('AwaitingAuthorisation');
  });

  it('sends access_denied back on Deny and rejects the consent', async () => {
    const consentId = await tpp.accountConsent(client);
    const { url, state } = await pushedUrl({ consentId });
    const { browser, consent } = await signIn(url);
    const { params } = redirectOf(await browser.deny(pageOf(consent)));
    expectRedirectError(params, { error: 'access_denied', issuer: tpp.issuer });
    expect(params.get('state')).toBe(state);
    expect((await sandbox.bank.consents.get(consentId))?.status).toBe('Rejected');
  });

  it('shows the payee and amount of a payment, pays from one account, and issues no refresh token', async () => {
    const payment = await paymentConsent('INSTR-1');
    const { url, pkce } = await pushedUrl({ consentId: payment.consentId, scope: 'openid payments' });
    const { browser, consent } = await signIn(url);
    const page = pageOf(consent);
    expect(page.html).toContain('Moneywise wants to make a payment');
    expect(page.html).toContain('GBP 123.45');
    expect(page.html).toContain('Ace &lt;Plumbing&gt; &amp; Co');
    expect(page.html).toContain('Invoice 42');
    expect(page.html).toContain('type="radio"');
    expect(consentForm(page).payment).toBe(true);
    const code = redirectOf(await browser.allow(page, 'first')).params.get('code')!;
    const token = await tpp.redeem(client, code, pkce);
    expect(token.status).toBe(200);
    expect(decodeJwt(String(token.body.access_token))).toMatchObject({
      scope: 'payments',
      openbanking_intent_id: payment.consentId,
    });
    expect(token.body.refresh_token).toBeUndefined();
  });
});

describe('Not Alice? Sign out, and Select all accounts', () => {
  const BOB = { username: 'bob', password: 'builder' };

  it('signs Alice out of the bank and shows the same interaction’s sign-in page, where Bob carries on', async () => {
    const consentId = await tpp.accountConsent(client);
    const { url, state } = await pushedUrl({ consentId });
    const { browser, consent } = await signIn(url);
    const page = pageOf(consent);
    expect(signOutForm(page)?.label).toBe('Not Alice? Sign out');
    // The scripted customer posts the first form on a page: the consent form stays first.
    expect(consentForm(page).action.pathname).toMatch(/\/consent$/);

    const again = pageOf(await browser.signOut(page));
    expect(again.status).toBe(200);
    expect(isSignInPage(again)).toBe(true);
    expect(again.url.pathname).toBe(page.url.pathname);
    expect(signOutForm(again)).toBeUndefined();

    const bobsConsent = pageOf(await browser.signIn(again, BOB));
    expect(signOutForm(bobsConsent)?.label).toBe('Not Bob? Sign out');
    expect(consentForm(bobsConsent).accounts).toEqual(['70000201', '70000202']);
    const { params } = redirectOf(await browser.allow(bobsConsent, ['70000201']));
    expect(params.get('state')).toBe(state);
    expect(await sandbox.bank.consents.get(consentId)).toMatchObject({
      status: 'Authorised',
      customerId: 'cust-bob',
      accountIds: ['70000201'],
    });
  });

  it('offers Not Alice? on the sign-in page a payment asks a signed-in customer for', async () => {
    const { url } = await pushedUrl();
    const { browser, consent } = await signIn(url);
    redirectOf(await browser.allow(pageOf(consent)));
    const payment = await paymentConsent('INSTR-2');
    const paid = await pushedUrl({ consentId: payment.consentId, scope: 'openid payments' });
    const login = pageOf(await browser.open(paid.url));
    expect(isSignInPage(login)).toBe(true);
    expect(signOutForm(login)?.label).toBe('Not Alice? Sign out');
    expect(signInForm(login).action.pathname).toMatch(/\/login$/);
    const again = pageOf(await browser.signOut(login));
    expect(isSignInPage(again)).toBe(true);
    expect(signOutForm(again)).toBeUndefined();
  });

  it('refuses a sign-out posted from another site (CSRF) and keeps the customer signed in', async () => {
    const { url } = await pushedUrl();
    const { browser, consent } = await signIn(url);
    const page = pageOf(consent);
    const crossSite = pageOf(await browser.signOut(page, { origin: 'https://attacker.localhost' }));
    expect(crossSite.status).toBe(403);
    expect(pageError(crossSite)).toMatch(/Cross-site request refused/);
    const forged = pageOf(await browser.submit(signOutForm(page)!.action, { csrf: 'forged' }));
    expect(forged.status).toBe(403);
    expect(redirectOf(await browser.allow(page)).params.get('code')).toBeTruthy();
  });

  it('ticks no account at first; Select all accounts shows the page again with every one ticked', async () => {
    const consentId = await tpp.accountConsent(client);
    const { url } = await pushedUrl({ consentId });
    const { browser, consent } = await signIn(url);
    const page = pageOf(consent);
    expect(page.html).not.toMatch(/name="accounts"[^>]*checked/);
    expect(page.html).toContain('>Select all accounts</button>');
    const all = pageOf(await browser.selectAll(page));
    expect(all.status).toBe(200);
    expect(all.html.match(/type="checkbox"[^>]*name="accounts"[^>]*checked/g)).toHaveLength(2);
    expect((await sandbox.bank.consents.get(consentId))?.status).toBe('AwaitingAuthorisation');
    redirectOf(await browser.allow(all, 'all'));
    expect((await sandbox.bank.consents.get(consentId))?.accountIds).toEqual(['70000101', '70000102']);
  });
});

describe('the consent the request names (openbanking_intent_id)', () => {
  async function refusedAtTheBank(url: URL) {
    return redirectOf((await signIn(url)).consent).params;
  }

  it("refuses another client's consent and leaves it untouched", async () => {
    const foreign = await other.accountConsent(otherClient);
    const params = await refusedAtTheBank((await pushedUrl({ consentId: foreign })).url);
    expectRedirectError(params, {
      error: 'invalid_request',
      clause: /OB Read\/Write API/,
      issuer: tpp.issuer,
    });
    expect((await sandbox.bank.consents.get(foreign))?.status).toBe('AwaitingAuthorisation');
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
    const consentId = await tpp.accountConsent(client);
    await sandbox.bank.consents.reject(consentId);
    const params = await refusedAtTheBank((await pushedUrl({ consentId })).url);
    expectRedirectError(params, { error: 'invalid_request', clause: /OB Read\/Write API/ });
  });

  it('refuses an account-access consent asked for with the payments scope, before the sign-in', async () => {
    // A payment's sign-in is linked to the payment, so its consent is checked before the sign-in page.
    const landing = redirectOf(
      await tpp.newBrowser().open((await pushedUrl({ scope: 'openid payments' })).url),
    );
    expectRedirectError(landing.params, {
      error: 'invalid_request',
      clause: /OB Read\/Write API/,
      issuer: tpp.issuer,
    });
  });

  it('issues no access token once the customer has revoked the consent', async () => {
    const consentId = await tpp.accountConsent(client);
    const { url, pkce } = await pushedUrl({ consentId });
    const landing = await tpp.customerAuthorizes(url);
    await sandbox.bank.consents.revoke(consentId, { by: 'customer', customerId: 'cust-alice' });
    const token = await tpp.redeem(client, landing.searchParams.get('code')!, pkce);
    expect(token.status).toBe(400);
    expect(token.body.error).toBe('invalid_grant');
    expect(String(token.body.error_description)).toMatch(/no longer authorised/);
  });
});
