// Strong customer authentication for every payment (PSD2 RTS Art. 4, Art. 5 dynamic linking; UK OB: each
// payment consent is authorised with SCA): a customer who has a session at the bank still signs in again
// for a payment, and the passcode names the amount and payee and is valid for that payment only.
// Account access keeps reusing the session.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasscodes, type PaymentToConfirm } from '../src/interactions/passcode.js';
import {
  accountIdsOn,
  type Browser,
  formAction,
  inputValue,
  isPage,
  type Landing,
  type Page,
  passcodeOn,
} from './support/browser.js';
import { expectRedirectError } from './support/expect-error.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let client: RegisteredClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  // PISP and AISP roles: the demo software may ask for both scopes.
  client = await tpp.register();
});
afterAll(async () => {
  await sandbox?.close();
});

function paymentConsent(amountMinor = 1_234, payee = 'Corner Bakery'): string {
  return sandbox.bank.consents.createDomesticPayment({
    clientId: client.clientId,
    initiation: {
      instructionIdentification: `INSTR-${crypto.randomUUID().slice(0, 8)}`,
      endToEndIdentification: `E2E-${crypto.randomUUID().slice(0, 8)}`,
      instructedAmount: { amountMinor, currency: 'GBP' },
      creditorAccount: {
        schemeName: 'UK.OBIE.SortCodeAccountNumber',
        identification: '20000055779911',
        name: payee,
      },
      remittanceInformation: { reference: 'Birthday cake' },
    },
    risk: {},
  }).consentId;
}

async function pushed(consentId: string, scope: string) {
  const pkce = tpp.pkce();
  const par = await tpp.par(client, tpp.authorizationParams(client, consentId, pkce, scope));
  expect(par.status, JSON.stringify(par.body)).toBe(201);
  return { url: tpp.authorizationUrl(client, String(par.body.request_uri)), pkce };
}

async function signIn(browser: Browser, login: Page, otp = passcodeOn(login.html)) {
  return browser.submit(formAction(login.html, login.url), {
    csrf: inputValue(login.html, 'csrf'),
    username: 'alice',
    password: 'wonderland',
    otp,
    action: 'login',
  });
}

async function allow(browser: Browser, consent: Page): Promise<URL> {
  const landing = await browser.submit(formAction(consent.html, consent.url), {
    csrf: inputValue(consent.html, 'csrf'),
    decision: 'allow',
    accounts: accountIdsOn(consent.html)[0]!,
  });
  expect(isPage(landing), isPage(landing) ? landing.html.slice(0, 300) : '').toBe(false);
  return (landing as Landing).url;
}

/** Signs in and shares accounts in `browser`, leaving the customer with a session at the bank. */
async function shareAccounts(browser: Browser): Promise<void> {
  const { url } = await pushed(tpp.accountConsent(client), 'openid accounts');
  const login = (await browser.open(url)) as Page;
  expect(login.html).toMatch(/name="username"/);
  const landing = await allow(browser, (await signIn(browser, login)) as Page);
  expect(landing.searchParams.get('code')).toBeTruthy();
}

describe('a payment needs strong customer authentication of its own', () => {
  it('account access reuses the session: a second account authorization goes straight to consent', async () => {
    const browser = tpp.newBrowser();
    await shareAccounts(browser);
    const { url } = await pushed(tpp.accountConsent(client), 'openid accounts');
    const page = (await browser.open(url)) as Page;
    expect(page.status).toBe(200);
    expect(page.html).not.toMatch(/name="username"/);
    expect(page.html).toContain('wants to see your account information');
  });

  it('a payment after account access in the same browser session shows the sign-in page again', async () => {
    const browser = tpp.newBrowser();
    await shareAccounts(browser);

    const consentId = paymentConsent();
    const { url, pkce } = await pushed(consentId, 'openid payments');
    const login = (await browser.open(url)) as Page;
    expect(login.status).toBe(200);
    expect(login.html).toMatch(/<h1>Sign in to continue<\/h1>/);
    expect(login.html).toMatch(/name="password"/);

    const consent = (await signIn(browser, login)) as Page;
    expect(consent.html).toContain('Moneywise wants to make a payment');
    const landing = await allow(browser, consent);
    const token = await tpp.redeem(client, landing.searchParams.get('code')!, pkce);
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    const idToken = decodeJwt(String(token.body.id_token));
    expect(idToken.acr).toBe('urn:openbanking:psd2:sca');
    expect(idToken.openbanking_intent_id).toBe(consentId);
    expect(sandbox.bank.consents.get(consentId)?.status).toBe('Authorised');
  });

  it("the passcode message names the payment's amount and payee", async () => {
    const { url } = await pushed(paymentConsent(1_234, 'Corner Bakery'), 'openid payments');
    const login = (await tpp.newBrowser().open(url)) as Page;
    const otp = passcodeOn(login.html);
    const message = /data-testid="otp-message">([\s\S]*?)<\/span>/
      .exec(login.html)?.[1]
      ?.replace(/<[^>]+>/g, '');
    expect(message).toBe(
      `Your Sandbox Bank code to pay GBP 12.34 to Corner Bakery is ${otp}. Never share it.`,
    );
    expect(login.html).toMatch(
      /asking you to pay <strong>GBP 12\.34<\/strong> to <strong>Corner Bakery<\/strong>/,
    );
  });

  it('refuses a passcode from another interaction, even for the same payment', async () => {
    const consentId = paymentConsent();
    const first = (await tpp.newBrowser().open((await pushed(consentId, 'openid payments')).url)) as Page;
    const browser = tpp.newBrowser();
    const second = (await browser.open((await pushed(consentId, 'openid payments')).url)) as Page;
    expect(passcodeOn(first.html)).not.toBe(passcodeOn(second.html));

    const refused = (await signIn(browser, second, passcodeOn(first.html))) as Page;
    expect(refused.status).toBe(401);
    expect(refused.html).toMatch(/role="alert">The username, password or passcode is not right/);
    expect(sandbox.bank.consents.get(consentId)?.status).toBe('AwaitingAuthorisation');

    // The page's own code still works afterwards.
    const consent = (await signIn(browser, refused)) as Page;
    expect(consent.html).toContain('Moneywise wants to make a payment');
  });

  it('refuses a payment consent that no longer awaits authorisation before asking for any credential', async () => {
    const consentId = paymentConsent();
    sandbox.bank.consents.reject(consentId);
    const landing = await tpp.newBrowser().open((await pushed(consentId, 'openid payments')).url);
    expect(isPage(landing)).toBe(false);
    expectRedirectError((landing as Landing).url.searchParams, {
      error: 'invalid_request',
      clause: /OB Read\/Write API/,
      issuer: tpp.issuer,
    });
  });
});

describe('passcodes are linked to the interaction, the amount and the payee (RTS Art. 5)', () => {
  const passcodes = createPasscodes(Buffer.alloc(32, 7));
  const payment: PaymentToConfirm = {
    consentId: 'pdc-1',
    amount: 'GBP 12.34',
    payee: 'Corner Bakery',
    payeeAccount: 'UK.OBIE.SortCodeAccountNumber:20000055779911',
  };

  it('gives six digits that change with the interaction, the amount, the payee and its account', () => {
    const code = passcodes.codeFor('uid-1', payment);
    expect(code).toMatch(/^\d{6}$/);
    const others = [
      passcodes.codeFor('uid-2', payment),
      passcodes.codeFor('uid-1', { ...payment, amount: 'GBP 99.99' }),
      passcodes.codeFor('uid-1', { ...payment, payee: 'Someone Else' }),
      passcodes.codeFor('uid-1', {
        ...payment,
        payeeAccount: 'UK.OBIE.SortCodeAccountNumber:20000011111111',
      }),
      passcodes.codeFor('uid-1'),
    ];
    for (const other of others) expect(other).not.toBe(code);
  });

  it('matches only the code for the same interaction and payment', () => {
    const code = passcodes.codeFor('uid-1', payment);
    expect(passcodes.matches(code, 'uid-1', payment)).toBe(true);
    expect(passcodes.matches(code, 'uid-1', { ...payment, amount: 'GBP 1234.00' })).toBe(false);
    expect(passcodes.matches(code, 'uid-2', payment)).toBe(false);
    expect(passcodes.matches(`${code}0`, 'uid-1', payment)).toBe(false);
    expect(passcodes.matches('', 'uid-1', payment)).toBe(false);
  });
});
