// The markup contract, page by page and without a running bank: what the bank renders is what the
// scripted customer (fapi-client's bank-pages) reads, and text a client or a request controls (the
// client's registered name, an error description) stays text, so it cannot add a form field, a CSRF
// token or a passcode of its own. The journeys against the running bank are in customer-browser.test.ts.
import type { Account, Consent } from '@fapi-sandbox/bank-domain';
import {
  type BankPage,
  consentForm,
  hiddenInputs,
  isConsentPage,
  isSignInPage,
  pageError,
  signInForm,
} from '@fapi-sandbox/fapi-client/customer';
import { describe, expect, it } from 'vitest';
import { consentPage } from '../src/interactions/consent-page.js';
import { errorPage } from '../src/interactions/error-page.js';
import { loginPage } from '../src/interactions/login-page.js';

const ORIGIN = 'https://bank.localhost:9443';
const HOSTILE =
  '"><input type="hidden" name="csrf" value="forged"><strong data-testid="otp">000000</strong><button name="decision">';

const asPage = (html: string, status = 200): BankPage => ({
  kind: 'page',
  url: new URL(`${ORIGIN}/interaction/uid-1`),
  status,
  html,
});

const account = (accountId: string, identification: string): Account => ({
  accountId,
  status: 'Enabled',
  currency: 'GBP',
  accountType: 'Personal',
  accountSubType: 'CurrentAccount',
  nickname: `Account ${accountId}`,
  openingDate: '2020-01-01',
  account: [{ schemeName: 'UK.OBIE.SortCodeAccountNumber', identification, name: 'Alice' }],
});

describe("the bank's pages, as the scripted customer reads them", () => {
  it('sign-in: the form, its own CSRF token and the passcode, whatever the client calls itself', () => {
    const page = asPage(
      loginPage({
        bankName: 'Sandbox Bank',
        action: '/interaction/uid-1/login',
        csrfToken: 'csrf-real',
        clientId: 'client-1',
        clientName: HOSTILE,
        demoCredentials: [{ username: 'alice', password: 'wonderland', displayName: 'Alice' }],
        passcode: '123456',
        payment: { consentId: 'c-1', amount: 'GBP 5.00', payee: HOSTILE, payeeAccount: 'x:1' },
      }),
    );
    expect(isSignInPage(page)).toBe(true);
    expect(isConsentPage(page)).toBe(false);
    expect(signInForm(page)).toEqual({
      action: new URL(`${ORIGIN}/interaction/uid-1/login`),
      csrf: 'csrf-real',
      passcode: '123456',
    });
    expect(hiddenInputs(page)).toEqual({ csrf: 'csrf-real', client_id: 'client-1' });
  });

  it('consent: the accounts offered, checkboxes for account access and radio buttons for a payment', () => {
    const consent: Consent = {
      consentId: 'c-2',
      kind: 'account-access',
      clientId: 'client-1',
      status: 'AwaitingAuthorisation',
      creationDateTime: '2026-01-01T00:00:00Z',
      statusUpdateDateTime: '2026-01-01T00:00:00Z',
      permissions: ['ReadAccountsBasic'],
    };
    const render = (kind: Consent['kind']) =>
      asPage(
        consentPage({
          bankName: 'Sandbox Bank',
          action: '/interaction/uid-1/confirm',
          csrfToken: 'csrf-real',
          clientId: 'client-1',
          tpp: { name: HOSTILE },
          consent: {
            ...consent,
            kind,
            ...(kind === 'domestic-payment'
              ? {
                  initiation: {
                    instructionIdentification: 'i-1',
                    endToEndIdentification: 'e-1',
                    instructedAmount: { amountMinor: 500, currency: 'GBP' },
                    creditorAccount: {
                      schemeName: 'UK.OBIE.SortCodeAccountNumber',
                      identification: '20000055779911',
                      name: HOSTILE,
                    },
                  },
                }
              : {}),
          },
          accounts: [account('acc-1', '11111111111111'), account('acc-2', '22222222222222')],
          customerName: 'Alice',
        }),
      );
    const access = render('account-access');
    expect(isConsentPage(access)).toBe(true);
    expect(consentForm(access)).toEqual({
      action: new URL(`${ORIGIN}/interaction/uid-1/confirm`),
      csrf: 'csrf-real',
      accounts: ['acc-1', 'acc-2'],
      payment: false,
    });
    expect(consentForm(render('domestic-payment'))).toMatchObject({
      accounts: ['acc-1', 'acc-2'],
      payment: true,
    });
  });

  it('error: the OAuth error and its description, markup in the description shown as text', () => {
    const page = asPage(
      errorPage({
        bankName: 'Sandbox Bank',
        error: 'invalid_request',
        description: `bad <b>request</b> ${HOSTILE}`,
      }),
      400,
    );
    expect(pageError(page)).toBe(`invalid_request: bad <b>request</b> ${HOSTILE}`);
    expect(isSignInPage(page) || isConsentPage(page)).toBe(false);
  });
});
