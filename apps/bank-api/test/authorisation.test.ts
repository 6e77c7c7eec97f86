// What the token authorises (FAPI 2.0 SP §5.3.4-4): scope, grant, and the consent behind it — revoked
// by the TPP or the customer, expired, missing a permission, or not covering the account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse } from './support/clients.js';
import {
  ALICE,
  accountAccess,
  BOB,
  paymentAccess,
  type Sandbox,
  seededDaysAgo,
  startSandbox,
} from './support/sandbox.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

function expectInsufficient(response: ApiResponse, message: RegExp) {
  expect(response.status).toBe(403);
  expect(response.body.error).toBe('insufficient_scope');
  expect(response.body.error_description).toMatch(message);
  expect(response.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="/);
}

describe.each(['moneywiseDpop', 'moneywiseMtls'] as const)('authorisation for %s', (name) => {
  it('needs the scope of the API', async () => {
    const client = sb.clients[name];
    const paymentsToken = await sb.tokens.clientCredentials(client, 'payments');
    const response = await sb.call(client, 'POST', '/aisp/account-access-consents', {
      token: paymentsToken,
      body: { Data: { Permissions: ['ReadBalances'] }, Risk: {} },
    });
    expectInsufficient(response, /scope 'payments' does not include 'accounts'/);
  });

  it("refuses a client-credentials token where the customer's consent is needed", async () => {
    const client = sb.clients[name];
    const { ccToken } = await accountAccess(sb, client);
    expectInsufficient(
      await sb.call(client, 'GET', '/aisp/accounts', { token: ccToken }),
      /needs a token issued with the customer's consent/,
    );
  });

  it("refuses a customer's token where the TPP acts for itself", async () => {
    const client = sb.clients[name];
    const { token, consentId } = await accountAccess(sb, client);
    expectInsufficient(
      await sb.call(client, 'GET', `/aisp/account-access-consents/${consentId}`, { token }),
      /takes a client-credentials token/,
    );
  });

  it('stops access at once when the TPP deletes the consent', async () => {
    const client = sb.clients[name];
    const { token, consentId, ccToken } = await accountAccess(sb, client);
    expect((await sb.call(client, 'GET', '/aisp/accounts', { token })).status).toBe(200);
    const deleted = await sb.call(client, 'DELETE', `/aisp/account-access-consents/${consentId}`, {
      token: ccToken,
    });
    expect(deleted.status).toBe(204);
    const after = await sb.call(client, 'GET', '/aisp/accounts', { token });
    expect(after.status).toBe(401);
    expect(after.body.error).toBe('invalid_token');
    expect(after.body.error_description).toMatch(/is Revoked \(revoked by the TPP\)/);
    const read = await sb.call(client, 'GET', `/aisp/account-access-consents/${consentId}`, {
      token: ccToken,
    });
    expect(read.body.Data.Status).toBe('Revoked');
    const again = await sb.call(client, 'DELETE', `/aisp/account-access-consents/${consentId}`, {
      token: ccToken,
    });
    expect(again.status).toBe(400);
    expect(again.body.Errors[0].ErrorCode).toBe('UK.OBIE.Resource.InvalidConsentStatus');
  });

  it('stops access at once when the customer revokes the consent at the bank', async () => {
    const client = sb.clients[name];
    const { token, consentId } = await accountAccess(sb, client);
    expect((await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/balances`, { token })).status).toBe(
      200,
    );
    const customerId = (await sb.store.consents.get(consentId))!.customerId!;
    await sb.store.consents.revoke(consentId, { by: 'customer', customerId });
    const after = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/balances`, { token });
    expect(after.status).toBe(401);
    expect(after.body.error_description).toMatch(/revoked by the customer/);
  });

  it('refuses a consent once its ExpirationDateTime passes', async () => {
    const client = sb.clients[name];
    const expiration = new Date(Date.now() + 2 * 60_000).toISOString();
    const { token } = await accountAccess(sb, client, { data: { ExpirationDateTime: expiration } });
    expect((await sb.call(client, 'GET', '/aisp/accounts', { token })).status).toBe(200);
    // Three minutes later bank-op's token (10 minutes) is still valid; the consent (2 minutes) is not.
    sb.clock.offsetMs = 3 * 60_000;
    try {
      const after = await sb.call(client, 'GET', '/aisp/accounts', { token, proofClock: sb.clock.now });
      expect(after.status).toBe(401);
      expect(after.body.error).toBe('invalid_token');
      expect(after.body.error_description).toMatch(/Consent .* expired at/);
    } finally {
      sb.clock.offsetMs = 0;
    }
  });

  it('refuses an endpoint the permissions do not cover', async () => {
    const client = sb.clients[name];
    const { token } = await accountAccess(sb, client, { permissions: ['ReadAccountsBasic'] });
    expectInsufficient(
      await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/balances`, { token }),
      /grants ReadAccountsBasic; this endpoint needs ReadBalances/,
    );
    expectInsufficient(
      await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/transactions`, { token }),
      /needs ReadTransactionsBasic or ReadTransactionsDetail/,
    );
    // Basic: no account identification in the answer.
    const accounts = await sb.call(client, 'GET', '/aisp/accounts', { token });
    expect(accounts.status).toBe(200);
    expect(accounts.body.Data.Account[0].Account).toBeUndefined();
  });

  it('refuses an account outside the consent, even one of the same customer', async () => {
    const client = sb.clients[name];
    const { token } = await accountAccess(sb, client, { accountIds: [ALICE.current] });
    const accounts = await sb.call(client, 'GET', '/aisp/accounts', { token });
    expect(accounts.body.Data.Account.map((a: { AccountId: string }) => a.AccountId)).toEqual([
      ALICE.current,
    ]);
    for (const accountId of [ALICE.savings, BOB.current, 'no-such-account']) {
      expectInsufficient(
        await sb.call(client, 'GET', `/aisp/accounts/${accountId}/balances`, { token }),
        new RegExp(`Account ${accountId} is not one of the accounts the customer shared`),
      );
      expectInsufficient(
        await sb.call(client, 'GET', `/aisp/accounts/${accountId}`, { token }),
        /not one of the accounts/,
      );
    }
  });

  it("refuses a payment token for another consent's funds confirmation", async () => {
    const client = sb.clients[name];
    const first = await paymentAccess(sb, client);
    const second = await paymentAccess(sb, client);
    const response = await sb.call(
      client,
      'GET',
      `/pisp/domestic-payment-consents/${second.consentId}/funds-confirmation`,
      {
        token: first.token,
      },
    );
    expect(response.status).toBe(400);
    expect(response.body.Errors[0].ErrorCode).toBe('UK.OBIE.Resource.ConsentMismatch');
  });
});

describe('consents belong to the TPP that created them', () => {
  it("are invisible to another TPP's client-credentials token", async () => {
    const { consentId } = await accountAccess(sb, sb.clients.moneywiseMtls);
    const budgetly = sb.clients.budgetlyMtls;
    const token = await sb.tokens.clientCredentials(budgetly, 'accounts');
    const read = await sb.call(budgetly, 'GET', `/aisp/account-access-consents/${consentId}`, { token });
    expect(read.status).toBe(400);
    expect(read.body.Errors[0].ErrorCode).toBe('UK.OBIE.Resource.NotFound');
    const deleted = await sb.call(budgetly, 'DELETE', `/aisp/account-access-consents/${consentId}`, {
      token,
    });
    expect(deleted.status).toBe(400);
    expect((await sb.store.consents.get(consentId))?.status).toBe('Authorised');
  });
});

describe('transactions under the consent', () => {
  it('show only credits when the consent grants only ReadTransactionsCredits, and Basic omits the detail', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client, {
      permissions: ['ReadAccountsBasic', 'ReadTransactionsBasic', 'ReadTransactionsCredits'],
    });
    const response = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/transactions`, { token });
    expect(response.status).toBe(200);
    const rows = response.body.Data.Transaction as Record<string, unknown>[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((t) => t.CreditDebitIndicator === 'Credit')).toBe(true);
    expect(rows.every((t) => t.TransactionInformation === undefined && t.MerchantDetails === undefined)).toBe(
      true,
    );
  });

  it("stay within the consent's TransactionFrom/ToDateTime whatever the TPP asks", async () => {
    const client = sb.clients.moneywiseMtls;
    const [from, to] = [seededDaysAgo(30), seededDaysAgo(20)];
    const { token } = await accountAccess(sb, client, {
      data: { TransactionFromDateTime: from, TransactionToDateTime: to },
    });
    const [asksFrom, asksTo] = [seededDaysAgo(90).slice(0, 10), seededDaysAgo(-1).slice(0, 10)];
    const response = await sb.call(
      client,
      'GET',
      `/aisp/accounts/${ALICE.current}/transactions?fromBookingDateTime=${asksFrom}&toBookingDateTime=${asksTo}`,
      { token },
    );
    const dates = (response.body.Data.Transaction as { BookingDateTime: string }[]).map(
      (t) => t.BookingDateTime,
    );
    expect(dates.length).toBeGreaterThan(0);
    expect(dates.every((d) => d >= from && d <= to)).toBe(true);
  });

  it('page with First/Prev/Next/Last links that keep the filter', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    const filter = `fromBookingDateTime=${seededDaysAgo(60).slice(0, 10)}&toBookingDateTime=${seededDaysAgo(30).slice(0, 10)}`;
    const base = `/aisp/accounts/${ALICE.current}/transactions?${filter}`;
    const first = await sb.call(client, 'GET', base, { token });
    const last = first.body.Meta.TotalPages as number;
    expect(last).toBeGreaterThan(1);
    const second = await sb.call(client, 'GET', `${base}&page=2`, { token });
    expect(second.body.Links.Prev).toBe(first.body.Links.Self);
    expect(second.body.Links.Self).toBe(first.body.Links.Next);
    expect(second.body.Links.Last).toMatch(new RegExp(`${filter}&page=${last}$`));
    const ids = new Set(
      [...first.body.Data.Transaction, ...second.body.Data.Transaction].map(
        (t: { TransactionId: string }) => t.TransactionId,
      ),
    );
    expect(ids.size).toBe(first.body.Data.Transaction.length + second.body.Data.Transaction.length);
  });

  it('refuse a malformed filter', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    const response = await sb.call(
      client,
      'GET',
      `/aisp/accounts/${ALICE.current}/transactions?fromBookingDateTime=yesterday`,
      { token },
    );
    expect(response.status).toBe(400);
    expect(response.body.Errors[0]).toMatchObject({
      ErrorCode: 'UK.OBIE.Field.Invalid',
      Path: 'fromBookingDateTime',
    });
  });
});
