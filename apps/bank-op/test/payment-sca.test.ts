// Strong customer authentication for every payment (PSD2 RTS Art. 4, Art. 5 dynamic linking; UK OB: each
// payment consent is authorised with SCA): a customer who has a session at the bank still signs in again
// for a payment, and the passcode names the amount and payee and is valid for that payment only.
// Account access keeps reusing the session.

import {
  type BankPage,
  type CustomerBrowser,
  pageOf,
  redirectOf,
  signInForm,
} from '@fapi-sandbox/fapi-client/customer';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasscodes, type PaymentToConfirm } from '../src/interactions/passcode.js';
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

async function paymentConsent(amountMinor = 1_234, payee = 'Corner Bakery'): Promise<string> {
  return (
    await sandbox.bank.consents.createDomesticPayment({
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
    })
  ).consentId;
}

async function pushed(consentId: string, scope: string) {
  const pkce = tpp.pkce();
  const par = await tpp.par(client, tpp.authorizationParams(client, consentId, pkce, scope));
  expect(par.status, JSON.stringify(par.body)).toBe(201);
  return { url: tpp.authorizationUrl(client, String(par.body.request_uri)), pkce };
}

const ALICE = { username: 'alice', password: 'wonderland' };

async function signIn(browser: CustomerBrowser, login: BankPage, passcode = signInForm(login).passcode) {
  return pageOf(await browser.signIn(login, ALICE, { passcode }));
}

async function allow(browser: CustomerBrowser, consent: BankPage): Promise<URLSearchParams> {
  return redirectOf(await browser.allow(consent, 'first')).params;
}

/** Signs in and shares accounts in `browser`, leaving the customer with a session at the bank. */
async function shareAccounts(browser: CustomerBrowser): Promise<void> {
  const { url } = await pushed(await tpp.accountConsent(client), 'openid accounts');
  const login = pageOf(await browser.open(url));
  expect(login.html).toMatch(/name="username"/);
  const response = await allow(browser, await signIn(browser, login));
  expect(response.get('code')).toBeTruthy();
}

describe('a payment needs strong customer authentication of its own', () => {
  it('account access reuses the session: a second account authorization goes straight to consent', async () => {
    const browser = tpp.newBrowser();
    await shareAccounts(browser);
    const { url } = await pushed(await tpp.accountConsent(client), 'openid accounts');
    const page = pageOf(await browser.open(url));
    expect(page.status).toBe(200);
    expect(page.html).not.toMatch(/name="username"/);
    expect(page.html).toContain('wants to see your account information');
  });

  it('a payment after account access in the same browser session shows the sign-in page again', async () => {
    const browser = tpp.newBrowser();
    await shareAccounts(browser);

    const consentId = await paymentConsent();
    const { url, pkce } = await pushed(consentId, 'openid payments');
    const login = pageOf(await browser.open(url));
    expect(login.status).toBe(200);
    expect(login.html).toMatch(/<h1>Sign in to continue<\/h1>/);
    expect(login.html).toMatch(/name="password"/);

    const consent = await signIn(browser, login);
    expect(consent.html).toContain('Moneywise wants to make a payment');
    const response = await allow(browser, consent);
    const token = await tpp.redeem(client, response.get('code')!, pkce);
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    const idToken = decodeJwt(String(token.body.id_token));
    expect(idToken.acr).toBe('urn:openbanking:psd2:sca');
    expect(idToken.openbanking_intent_id).toBe(consentId);
    expect((await sandbox.bank.consents.get(consentId))?.status).toBe('Authorised');
  });

  it("the passcode message names the payment's amount and payee", async () => {
    const { url } = await pushed(await paymentConsent(1_234, 'Corner Bakery'), 'openid payments');
    const login = pageOf(await tpp.newBrowser().open(url));
    const otp = signInForm(login).passcode;
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
    const consentId = await paymentConsent();
    const first = pageOf(await tpp.newBrowser().open((await pushed(consentId, 'openid payments')).url));
    const browser = tpp.newBrowser();
    const second = pageOf(await browser.open((await pushed(consentId, 'openid payments')).url));
    expect(signInForm(first).passcode).not.toBe(signInForm(second).passcode);

    const refused = await signIn(browser, second, signInForm(first).passcode);
    expect(refused.status).toBe(401);
    expect(refused.html).toMatch(/role="alert">The username, password or passcode is not right/);
    expect((await sandbox.bank.consents.get(consentId))?.status).toBe('AwaitingAuthorisation');

    // The page's own code still works afterwards.
    const consent = await signIn(browser, refused);
    expect(consent.html).toContain('Moneywise wants to make a payment');
  });

  it('refuses a payment consent that no longer awaits authorisation before asking for any credential', async () => {
    const consentId = await paymentConsent();
    await sandbox.bank.consents.reject(consentId);
    const landing = redirectOf(await tpp.newBrowser().open((await pushed(consentId, 'openid payments')).url));
    expectRedirectError(landing.params, {
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

  it('gives six digits that change with the interaction, the amount, the payee and its account', async () => {
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

  it('matches only the code for the same interaction and payment', async () => {
    const code = passcodes.codeFor('uid-1', payment);
    expect(passcodes.matches(code, 'uid-1', payment)).toBe(true);
    expect(passcodes.matches(code, 'uid-1', { ...payment, amount: 'GBP 1234.00' })).toBe(false);
    expect(passcodes.matches(code, 'uid-2', payment)).toBe(false);
    expect(passcodes.matches(`${code}0`, 'uid-1', payment)).toBe(false);
    expect(passcodes.matches('', 'uid-1', payment)).toBe(false);
  });
});
