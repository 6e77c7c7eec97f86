// The bank's markup contract with the scripted customer (fapi-client's CustomerBrowser, which everyone's
// tests and the benchmark use): against a running bank-op it signs in with the passcode the page shows,
// keeps the session in its cookies, chooses accounts, allows, denies or cancels, and hands back the
// redirect to the client (query, fragment or JARM) or the page it stopped on, saying what went wrong. A
// change to the bank's pages that the customer can no longer read fails here. How it reads markup, its
// cookie jar and its redirect limit are tested on their own in packages/fapi-client/test/customer/.

import {
  type BankPage,
  type CookieJar,
  CustomerBrowser,
  consentForm,
  describeVisit,
  isConsentPage,
  isSignInPage,
  pageError,
  pageOf,
  redirectOf,
  signInForm,
} from '@fapi-sandbox/fapi-client/customer';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { type RegisteredClient, TestTpp } from './support/tpp.js';

const ALICE = { username: 'alice', password: 'wonderland' };

let sandbox: Sandbox;
let tpp: TestTpp;
let client: RegisteredClient;
let aliceAccounts: string[];

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  client = await tpp.register();
  aliceAccounts = (await sandbox.bank.accounts.listForCustomer('cust-alice')).map((a) => a.accountId);
});
afterAll(async () => {
  await sandbox?.close();
});

function newBrowser(cookies?: CookieJar): CustomerBrowser {
  return new CustomerBrowser({
    dispatcher: sandbox.plain,
    bank: sandbox.config.bankOp.issuer,
    ...(cookies ? { cookies } : {}),
  });
}

/** A pushed authorization request for a fresh account-access consent (or the given one). */
async function pushed(named?: string, scope = 'openid accounts') {
  const consentId = named ?? (await tpp.accountConsent(client));
  const params = tpp.authorizationParams(client, consentId, tpp.pkce(), scope);
  const par = await tpp.par(client, params);
  expect(par.status, JSON.stringify(par.body)).toBe(201);
  return { url: tpp.authorizationUrl(client, String(par.body.request_uri)), state: params.state!, consentId };
}

async function paymentConsent(): Promise<string> {
  return (
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
}

describe('the whole journey (authorize)', () => {
  it('signs in with the passcode on the page, allows every account, and returns the redirect back', async () => {
    expect(aliceAccounts.length).toBeGreaterThan(1);
    const { url, state, consentId } = await pushed();
    const back = redirectOf(await newBrowser().authorize(url, ALICE));
    expect(`${back.url.origin}${back.url.pathname}`).toBe(tpp.participant.redirectUris[0]);
    expect(back.params.get('code')).toBeTruthy();
    expect(back.params.get('state')).toBe(state);
    expect(back.params.get('iss')).toBe(tpp.issuer);
    expect(await sandbox.bank.consents.get(consentId)).toMatchObject({
      status: 'Authorised',
      customerId: 'cust-alice',
      accountIds: expect.arrayContaining(aliceAccounts),
    });
    expect((await sandbox.bank.consents.get(consentId))?.accountIds).toHaveLength(aliceAccounts.length);
  });

  it('ticks only the accounts chosen', async () => {
    const { url, consentId } = await pushed();
    redirectOf(await newBrowser().authorize(url, ALICE, { accounts: [aliceAccounts[1]!] }));
    expect((await sandbox.bank.consents.get(consentId))?.accountIds).toEqual([aliceAccounts[1]]);
  });

  it('pays from one account when asked for all: a payment offers radio buttons', async () => {
    const { url, consentId } = await pushed(await paymentConsent(), 'openid payments');
    const back = redirectOf(await newBrowser().authorize(url, ALICE));
    expect(back.params.get('code')).toBeTruthy();
    expect(await sandbox.bank.consents.get(consentId)).toMatchObject({
      status: 'Authorised',
      accountIds: [aliceAccounts[0]],
    });
  });

  it('denies: access_denied comes back to the client and the consent is rejected', async () => {
    const { url, state, consentId } = await pushed();
    const back = redirectOf(await newBrowser().authorize(url, ALICE, { decision: 'deny' }));
    expect(back.params.get('error')).toBe('access_denied');
    expect(back.params.get('state')).toBe(state);
    expect((await sandbox.bank.consents.get(consentId))?.status).toBe('Rejected');
  });

  it('keeps the session in its cookies: the next account authorization goes straight to consent', async () => {
    const cookies: CookieJar = new Map();
    const browser = newBrowser(cookies);
    redirectOf(await browser.authorize((await pushed()).url, ALICE));
    expect(cookies.get(new URL(tpp.issuer).host)?.size).toBeGreaterThan(0);

    const { url } = await pushed();
    const again = pageOf(await browser.open(url));
    expect(isSignInPage(again)).toBe(false);
    expect(isConsentPage(again)).toBe(true);
    // Another user agent given the same jar is the same browser; a browser of its own has to sign in.
    expect(isConsentPage(pageOf(await newBrowser(cookies).open(url)))).toBe(true);
    expect(isSignInPage(pageOf(await newBrowser().open(url)))).toBe(true);
    // Nothing to sign in with: the customer's session is what lets authorize() through.
    const back = redirectOf(await browser.authorize(url, { username: 'nobody', password: 'wrong' }));
    expect(back.params.get('code')).toBeTruthy();
  });

  it('stops on the sign-in page shown again when the password is wrong, and says why', async () => {
    const { url, consentId } = await pushed();
    const visit = await newBrowser().authorize(url, { username: 'alice', password: 'not-hers' });
    const page = pageOf(visit);
    expect(page.status).toBe(401);
    expect(isSignInPage(page)).toBe(true);
    expect(pageError(page)).toBe(
      'The username, password or passcode is not right. Check them and try again.',
    );
    expect(() => redirectOf(visit)).toThrow(
      /did not send the customer back: .*\(401\): The username, password/,
    );
    expect((await sandbox.bank.consents.get(consentId))?.status).toBe('AwaitingAuthorisation');
  });

  it("stops on the bank's error page for a request_uri it no longer knows, with the error it shows", async () => {
    const { url } = await pushed();
    redirectOf(await newBrowser().authorize(url, ALICE));
    const visit = await newBrowser().authorize(url, ALICE);
    const page = pageOf(visit);
    expect(page.status).toBe(400);
    expect(pageError(page)).toMatch(/^invalid_request_uri: /);
    expect(describeVisit(visit)).toContain(`the page at ${url.origin}/authorize?`);
    expect(() => signInForm(page)).toThrow(/expected the bank's sign-in page, got .*invalid_request_uri/);
  });

  it('returns the redirect at once when the bank refuses a payment before any page', async () => {
    const rejected = await paymentConsent();
    await sandbox.bank.consents.reject(rejected);
    const refused = await pushed(rejected, 'openid payments');
    const back = redirectOf(await newBrowser().authorize(refused.url, ALICE));
    expect(back.params.get('error')).toBe('invalid_request');
    expect(back.params.get('state')).toBe(refused.state);
    expect(() => pageOf(back)).toThrow(/expected a page of the bank's, got a redirect to /);
  });
});

describe('FAPI 1.0 Advanced responses', () => {
  let fapi1: RegisteredClient;
  beforeAll(async () => {
    fapi1 = await tpp.register({ profile: 'fapi1-advanced' });
  });

  async function pushedFapi1(params: Record<string, string>) {
    const par = await tpp.par(fapi1, { request: await tpp.requestObject(fapi1, params) });
    expect(par.status, JSON.stringify(par.body)).toBe(201);
    return tpp.authorizationUrl(fapi1, String(par.body.request_uri));
  }

  it('reads a hybrid response from the fragment', async () => {
    const params = tpp.authorizationParams(fapi1, await tpp.accountConsent(fapi1), tpp.pkce());
    const back = redirectOf(await newBrowser().authorize(await pushedFapi1(params), ALICE));
    expect(back.url.hash).not.toBe('');
    expect(back.params.get('state')).toBe(params.state);
    expect(back.params.get('code')).toBeTruthy();
    expect(decodeJwt(back.params.get('id_token')!).nonce).toBe(params.nonce);
  });

  it('hands over a JARM response as its one response parameter', async () => {
    const params: Record<string, string> = {
      ...tpp.authorizationParams(fapi1, await tpp.accountConsent(fapi1), tpp.pkce()),
      response_type: 'code',
      response_mode: 'jwt',
    };
    const back = redirectOf(await newBrowser().authorize(await pushedFapi1(params), ALICE));
    expect([...back.params.keys()]).toEqual(['response']);
    expect(decodeJwt(back.params.get('response')!)).toMatchObject({
      iss: tpp.issuer,
      aud: fapi1.clientId,
      state: params.state,
    });
  });
});

describe('step by step, for tests that bend one thing', () => {
  async function signInPage(): Promise<{ browser: CustomerBrowser; login: BankPage; state: string }> {
    const { url, state } = await pushed();
    const browser = newBrowser();
    const login = pageOf(await browser.open(url));
    return { browser, login, state };
  }

  it('reads the sign-in form: its action on the bank, the CSRF token and a six-digit passcode', async () => {
    const { login } = await signInPage();
    const form = signInForm(login);
    expect(form.action.origin).toBe(tpp.issuer);
    expect(form.action.pathname).toMatch(/^\/interaction\/[\w-]+\/login$/);
    expect(form.csrf).toMatch(/^[\w-]{20,}$/);
    expect(form.passcode).toMatch(/^\d{6}$/);
    expect(() => consentForm(login)).toThrow(/expected the bank's consent page/);
  });

  it('a forged CSRF token is refused (403) and a wrong passcode shows the sign-in page again (401)', async () => {
    const { browser, login } = await signInPage();
    const forged = pageOf(await browser.signIn(login, ALICE, { csrf: 'forged' }));
    expect(forged.status).toBe(403);
    const { passcode } = signInForm(login);
    const wrong = pageOf(
      await browser.signIn(login, ALICE, { passcode: passcode === '123456' ? '654321' : '123456' }),
    );
    expect(wrong.status).toBe(401);
    expect(pageError(wrong)).toMatch(/not right/);
    // The page's own passcode still signs the customer in.
    const consent = pageOf(await browser.signIn(wrong, ALICE));
    expect(consentForm(consent)).toMatchObject({ accounts: aliceAccounts, payment: false });
  });

  /** What the bank does when a sign-in's interaction times out (10 minutes): it forgets it. */
  async function expireInteraction(page: BankPage): Promise<void> {
    const { action } = isSignInPage(page) ? signInForm(page) : consentForm(page);
    const uid = /^\/interaction\/([\w-]+)\//.exec(action.pathname)?.[1];
    const interaction = await sandbox.bankOp.provider.Interaction.find(uid!);
    await interaction!.destroy();
  }

  function expectExpiredPage(page: BankPage): void {
    expect(page.status).toBe(400);
    expect(page.html).toContain('Your sign-in has expired');
    expect(page.html).toContain('Nothing was shared with');
    // Not the generic refusal that blamed the app for a request it never made.
    expect(page.html).not.toMatch(/invalid_request|The app that sent you here/);
    const back = /data-testid="return-to-app" href="([^"]+)"/.exec(page.html)?.[1];
    const redirectUri = String((client.metadata.redirect_uris as string[])[0]);
    expect(back && new URL(back).origin).toBe(new URL(redirectUri).origin);
  }

  it('a sign-in that expired says so and links back to the app', async () => {
    const { browser, login } = await signInPage();
    await expireInteraction(login);
    expectExpiredPage(pageOf(await browser.signIn(login, ALICE)));
    const refusal = sandbox.logs.findLast((line) => line.msg.startsWith('refused '));
    expect(refusal).toMatchObject({ party: 'bank-op', status: 400, error: 'invalid_request' });
    expect(refusal?.msg).toMatch(
      /^refused POST \/interaction\/[\w-]+\/login: 400 invalid_request: sign-in expired: /,
    );
  });

  it('a consent page left open until the sign-in expired says so and links back to the app', async () => {
    const { browser, login } = await signInPage();
    const consent = pageOf(await browser.signIn(login, ALICE));
    await expireInteraction(consent);
    expectExpiredPage(pageOf(await browser.allow(consent, 'first')));
  });

  it('cancel sends access_denied back with the state', async () => {
    const { browser, login, state } = await signInPage();
    const back = redirectOf(await browser.cancel(login));
    expect(back.params.get('error')).toBe('access_denied');
    expect(back.params.get('state')).toBe(state);
  });

  it('allow with no account ticked shows the consent page again with its alert', async () => {
    const { browser, login } = await signInPage();
    const consent = pageOf(await browser.signIn(login, ALICE));
    const again = pageOf(await browser.allow(consent, []));
    expect(again.status).toBe(400);
    expect(pageError(again)).toBe('Choose at least one account.');
    redirectOf(await browser.allow(again, 'first'));
  });

  it('submit posts a form by hand, a list as one field per value', async () => {
    const { browser, login } = await signInPage();
    const consent = pageOf(await browser.signIn(login, ALICE));
    const form = consentForm(consent);
    const back = redirectOf(
      await browser.submit(form.action, { csrf: form.csrf, decision: 'allow', accounts: form.accounts }),
    );
    expect(back.params.get('code')).toBeTruthy();
  });
});
