// A TPP reads a customer's accounts and pays a bill, once as a DPoP client and once as an mTLS client:
// the seeded bank data comes back, and the payment shows in balances and transactions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  ALL_READ,
  accountAccess,
  paymentAccess,
  RISK,
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

describe.each(['moneywiseDpop', 'moneywiseMtls'] as const)('happy path for %s', (name) => {
  it('creates an account-access consent, and after the customer authorises it, reads accounts, balances and transactions', async () => {
    const client = sb.clients[name];
    const { consentId, token, ccToken } = await accountAccess(sb, client);

    const consent = await sb.call(client, 'GET', `/aisp/account-access-consents/${consentId}`, {
      token: ccToken,
    });
    expect(consent.status).toBe(200);
    expect(consent.body.Data).toMatchObject({
      ConsentId: consentId,
      Status: 'Authorised',
      Permissions: ALL_READ,
    });

    const accounts = await sb.call(client, 'GET', '/aisp/accounts', { token });
    expect(accounts.status).toBe(200);
    expect(accounts.body.Data.Account).toEqual([
      expect.objectContaining({
        AccountId: ALICE.current,
        AccountSubType: 'CurrentAccount',
        Nickname: 'Everyday',
        Account: [
          {
            SchemeName: 'UK.OBIE.SortCodeAccountNumber',
            Identification: '60161331926819',
            Name: 'Alice Carter',
          },
        ],
      }),
      expect.objectContaining({ AccountId: ALICE.savings, AccountSubType: 'Savings' }),
    ]);

    const one = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.savings}`, { token });
    expect(one.body.Data.Account).toHaveLength(1);
    expect(one.body.Data.Account[0].Nickname).toBe('Rainy day');

    const balances = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/balances`, { token });
    expect(balances.status).toBe(200);
    const [booked, available] = balances.body.Data.Balance;
    const seeded = await sb.store.accounts.balances(ALICE.current);
    expect(booked).toMatchObject({
      Type: 'InterimBooked',
      Amount: { Currency: 'GBP' },
      CreditDebitIndicator: 'Credit',
    });
    expect(Number(booked.Amount.Amount) * 100).toBeCloseTo(seeded[0]!.amountMinor);
    expect(available.CreditLine).toEqual([
      { Included: true, Type: 'Available', Amount: { Amount: '500.00', Currency: 'GBP' } },
    ]);

    // The seeded history ends yesterday (the bank is seeded today); later rows are payments other tests made.
    const endOfHistory = new Date(Date.parse(seededDaysAgo(0)) - 1000).toISOString().slice(0, 19);
    const transactions = await sb.call(
      client,
      'GET',
      `/aisp/accounts/${ALICE.current}/transactions?toBookingDateTime=${endOfHistory}`,
      { token },
    );
    const seededPage = await sb.store.accounts.transactions(ALICE.current, {
      toBookingDateTime: `${endOfHistory}Z`,
      pageSize: 25,
    });
    const newest = seededPage.transactions[0]!;
    expect(transactions.status).toBe(200);
    expect(transactions.body.Data.Transaction).toHaveLength(25);
    expect(transactions.body.Data.Transaction[0]).toMatchObject({
      AccountId: ALICE.current,
      TransactionId: newest.transactionId,
      Amount: { Amount: (newest.amountMinor / 100).toFixed(2), Currency: 'GBP' },
      CreditDebitIndicator: newest.creditDebitIndicator,
      TransactionInformation: newest.transactionInformation,
    });
    expect(transactions.body.Links.Next).toBe(
      `${sb.config.bankApi.baseUrl}/aisp/accounts/${ALICE.current}/transactions?toBookingDateTime=${encodeURIComponent(endOfHistory)}&page=2`,
    );
    expect(transactions.body.Meta.TotalPages).toBe(Math.ceil(seededPage.totalCount / 25));
    expect(seededPage.totalCount).toBeGreaterThan(100);
  });

  it('pays a bill: consent, funds confirmation, payment, and the balance and transactions change', async () => {
    const client = sb.clients[name];
    const before = (await sb.store.accounts.balances(ALICE.current))[0]!.amountMinor;
    const { consentId, token, ccToken, initiation: init } = await paymentAccess(sb, client);

    const funds = await sb.call(
      client,
      'GET',
      `/pisp/domestic-payment-consents/${consentId}/funds-confirmation`,
      { token },
    );
    expect(funds.status).toBe(200);
    expect(funds.body.Data.FundsAvailableResult.FundsAvailable).toBe(true);

    const paid = await sb.call(client, 'POST', '/pisp/domestic-payments', {
      token,
      body: { Data: { ConsentId: consentId, Initiation: init }, Risk: RISK },
    });
    expect(paid.status).toBe(201);
    expect(paid.body.Data).toMatchObject({
      ConsentId: consentId,
      Status: 'AcceptedSettlementCompleted',
      Initiation: init,
    });

    const read = await sb.call(client, 'GET', `/pisp/domestic-payments/${paid.body.Data.DomesticPaymentId}`, {
      token: ccToken,
    });
    expect(read.status).toBe(200);
    expect(read.body.Data.DomesticPaymentId).toBe(paid.body.Data.DomesticPaymentId);

    const consent = await sb.call(client, 'GET', `/pisp/domestic-payment-consents/${consentId}`, {
      token: ccToken,
    });
    expect(consent.body.Data.Status).toBe('Consumed');

    const { token: readToken } = await accountAccess(sb, client);
    const balances = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/balances`, {
      token: readToken,
    });
    expect(Math.round(Number(balances.body.Data.Balance[0].Amount.Amount) * 100)).toBe(before - 2550);
    const transactions = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/transactions`, {
      token: readToken,
    });
    expect(transactions.body.Data.Transaction[0]).toMatchObject({
      Amount: { Amount: '25.50', Currency: 'GBP' },
      CreditDebitIndicator: 'Debit',
      TransactionReference: 'INV-2291',
      TransactionInformation: 'PAYMENT TO ACME PLUMBING LTD',
    });
  });
});

describe('every response', () => {
  it('carries a Date header and echoes x-fapi-interaction-id', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    const id = crypto.randomUUID();
    const ok = await sb.call(client, 'GET', '/aisp/accounts', {
      token,
      headers: { 'x-fapi-interaction-id': id },
    });
    expect(ok.headers.get('x-fapi-interaction-id')).toBe(id);
    expect(Date.parse(ok.headers.get('date') ?? '')).not.toBeNaN();
    const refused = await sb.call(client, 'GET', '/aisp/accounts', {
      headers: { 'x-fapi-interaction-id': id },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-fapi-interaction-id')).toBe(id);
    expect(refused.headers.get('date')).toBeTruthy();
  });

  it('mints an interaction id when the client sends none', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    const response = await sb.call(client, 'GET', '/aisp/accounts', {
      token,
      headers: { 'x-fapi-interaction-id': '' },
    });
    expect(response.headers.get('x-fapi-interaction-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
