// Payments must match their consent exactly and execute once; x-idempotency-key makes retries safe:
// the same key and body create nothing new and answer with the resource as it is now, another body is
// refused, concurrent retries never create two payments.
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALICE,
  accountAccess,
  initiation,
  paymentAccess,
  RISK,
  type Sandbox,
  startSandbox,
} from './support/sandbox.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const booked = async () => (await sb.store.accounts.balances(ALICE.current))[0]!.amountMinor;

describe.each(['moneywiseDpop', 'moneywiseMtls'] as const)('for %s', (name) => {
  describe('x-idempotency-key', () => {
    it('is required on the payment POSTs (UK OB v3.1 Payment Initiation API)', async () => {
      const client = sb.clients[name];
      const token = await sb.tokens.clientCredentials(client, 'payments');
      const response = await sb.call(client, 'POST', '/pisp/domestic-payment-consents', {
        token,
        idempotencyKey: false,
        body: { Data: { Initiation: initiation() }, Risk: RISK },
      });
      expect(response.status).toBe(400);
      expect(response.body.Errors[0]).toMatchObject({
        ErrorCode: 'UK.OBIE.Header.Missing',
        Path: 'x-idempotency-key',
      });
      expect(response.body.error_description).toMatch(/Payment Initiation API.*Fix: /);
    });

    it('is optional on POST /aisp/account-access-consents (UK OB v3.1 Account and Transaction API)', async () => {
      const client = sb.clients[name];
      const token = await sb.tokens.clientCredentials(client, 'accounts');
      const body = { Data: { Permissions: ['ReadBalances'] }, Risk: {} };
      const first = await sb.call(client, 'POST', '/aisp/account-access-consents', {
        token,
        idempotencyKey: false,
        body,
      });
      const second = await sb.call(client, 'POST', '/aisp/account-access-consents', {
        token,
        idempotencyKey: false,
        body,
      });
      expect(first.status, JSON.stringify(first.body)).toBe(201);
      expect(second.status).toBe(201);
      // Without a key each POST is a new request: two consents.
      expect(second.body.Data.ConsentId).not.toBe(first.body.Data.ConsentId);
    });

    it('replayed after the consent was authorised answers with the consent as it is now', async () => {
      const client = sb.clients[name];
      const token = await sb.tokens.clientCredentials(client, 'payments');
      const key = randomUUID();
      const body = { Data: { Initiation: initiation() }, Risk: RISK };
      const first = await sb.call(client, 'POST', '/pisp/domestic-payment-consents', {
        token,
        body,
        idempotencyKey: key,
      });
      expect(first.body.Data.Status).toBe('AwaitingAuthorisation');
      await sb.store.consents.authorise(first.body.Data.ConsentId, {
        customerId: 'cust-alice',
        accountIds: [ALICE.current],
      });
      const replay = await sb.call(client, 'POST', '/pisp/domestic-payment-consents', {
        token,
        body,
        idempotencyKey: key,
      });
      expect(replay.status).toBe(201);
      expect(replay.body.Data).toMatchObject({ ConsentId: first.body.Data.ConsentId, Status: 'Authorised' });
      expect(replay.body.Data.StatusUpdateDateTime).not.toBe(first.body.Data.StatusUpdateDateTime);
    });

    it('replayed after the TPP deleted the account-access consent answers Revoked, creating nothing', async () => {
      const client = sb.clients[name];
      const token = await sb.tokens.clientCredentials(client, 'accounts');
      const key = randomUUID();
      const body = { Data: { Permissions: ['ReadBalances'] }, Risk: {} };
      const first = await sb.call(client, 'POST', '/aisp/account-access-consents', {
        token,
        body,
        idempotencyKey: key,
      });
      const consentId = first.body.Data.ConsentId;
      const deleted = await sb.call(client, 'DELETE', `/aisp/account-access-consents/${consentId}`, {
        token,
      });
      expect(deleted.status).toBe(204);
      const replay = await sb.call(client, 'POST', '/aisp/account-access-consents', {
        token,
        body,
        idempotencyKey: key,
      });
      expect(replay.status).toBe(201);
      expect(replay.body.Data).toMatchObject({ ConsentId: consentId, Status: 'Revoked' });
    });

    it('refuses the same key with a different body, creating nothing', async () => {
      const client = sb.clients[name];
      const token = await sb.tokens.clientCredentials(client, 'accounts');
      const key = randomUUID();
      const first = await sb.call(client, 'POST', '/aisp/account-access-consents', {
        token,
        idempotencyKey: key,
        body: { Data: { Permissions: ['ReadBalances'] }, Risk: {} },
      });
      expect(first.status).toBe(201);
      const conflict = await sb.call(client, 'POST', '/aisp/account-access-consents', {
        token,
        idempotencyKey: key,
        body: { Data: { Permissions: ['ReadAccountsBasic'] }, Risk: {} },
      });
      expect(conflict.status).toBe(400);
      expect(conflict.body.Errors[0]).toMatchObject({
        ErrorCode: 'UK.OBIE.Header.Invalid',
        Path: 'x-idempotency-key',
      });
      expect(conflict.body.error_description).toMatch(
        /already used .* with a different request body \(UK OB R\/W API v3.1 Idempotency\)/,
      );
    });
  });

  describe('a domestic payment', () => {
    it('retried with the same key returns the original payment and debits once', async () => {
      const client = sb.clients[name];
      const { consentId, token, initiation: init } = await paymentAccess(sb, client);
      const before = await booked();
      const key = randomUUID();
      const body = { Data: { ConsentId: consentId, Initiation: init }, Risk: RISK };
      const first = await sb.call(client, 'POST', '/pisp/domestic-payments', {
        token,
        body,
        idempotencyKey: key,
      });
      const retry = await sb.call(client, 'POST', '/pisp/domestic-payments', {
        token,
        body,
        idempotencyKey: key,
      });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.body.Data.DomesticPaymentId).toBe(first.body.Data.DomesticPaymentId);
      expect(await booked()).toBe(before - 2550);
      const other = await sb.call(client, 'POST', '/pisp/domestic-payments', { token, body });
      expect(other.status).toBe(400);
      expect(other.body.Errors[0].ErrorCode).toBe('UK.OBIE.Resource.InvalidConsentStatus');
      expect(await booked()).toBe(before - 2550);
    });

    it('sent ten times at once with the same key executes once', async () => {
      const client = sb.clients[name];
      const { consentId, token, initiation: init } = await paymentAccess(sb, client);
      const before = await booked();
      const key = randomUUID();
      const body = { Data: { ConsentId: consentId, Initiation: init }, Risk: RISK };
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          sb.call(client, 'POST', '/pisp/domestic-payments', { token, body, idempotencyKey: key }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
      expect(new Set(responses.map((r) => r.body.Data.DomesticPaymentId)).size).toBe(1);
      expect(await booked()).toBe(before - 2550);
    });

    it('sent ten times at once with different keys still executes once', async () => {
      const client = sb.clients[name];
      const { consentId, token, initiation: init } = await paymentAccess(sb, client);
      const before = await booked();
      const body = { Data: { ConsentId: consentId, Initiation: init }, Risk: RISK };
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => sb.call(client, 'POST', '/pisp/domestic-payments', { token, body })),
      );
      expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
      expect(responses.filter((r) => r.status === 400)).toHaveLength(9);
      expect(await booked()).toBe(before - 2550);
    });

    it.each([
      ['a different amount', { InstructedAmount: { Amount: '25.51', Currency: 'GBP' } }, 'Data.Initiation'],
      [
        'a different creditor',
        {
          CreditorAccount: {
            SchemeName: 'UK.OBIE.SortCodeAccountNumber',
            Identification: '08080021325699',
            Name: 'ACME Plumbing Ltd',
          },
        },
        'Data.Initiation',
      ],
      [
        'a different reference',
        { RemittanceInformation: { Reference: 'INV-9999', Unstructured: 'Boiler service' } },
        'Data.Initiation',
      ],
    ])('with %s than the consent is refused and changes nothing', async (_what, change, path) => {
      const client = sb.clients[name];
      const { consentId, token } = await paymentAccess(sb, client);
      const before = await booked();
      const response = await sb.call(client, 'POST', '/pisp/domestic-payments', {
        token,
        body: { Data: { ConsentId: consentId, Initiation: initiation(change) }, Risk: RISK },
      });
      expect(response.status).toBe(400);
      expect(response.body.Errors[0]).toMatchObject({
        ErrorCode: 'UK.OBIE.Resource.ConsentMismatch',
        Path: path,
      });
      expect(await booked()).toBe(before);
      expect((await sb.store.consents.get(consentId))?.status).toBe('Authorised');
    });

    it('with a different Risk than the consent is refused', async () => {
      const client = sb.clients[name];
      const { consentId, token, initiation: init } = await paymentAccess(sb, client);
      const response = await sb.call(client, 'POST', '/pisp/domestic-payments', {
        token,
        body: {
          Data: { ConsentId: consentId, Initiation: init },
          Risk: { PaymentContextCode: 'PartyToParty' },
        },
      });
      expect(response.status).toBe(400);
      expect(response.body.Errors[0]).toMatchObject({
        ErrorCode: 'UK.OBIE.Resource.ConsentMismatch',
        Path: 'Risk',
      });
    });

    it("naming another consent than the token's is refused", async () => {
      const client = sb.clients[name];
      const mine = await paymentAccess(sb, client);
      const other = await paymentAccess(sb, client);
      const response = await sb.call(client, 'POST', '/pisp/domestic-payments', {
        token: mine.token,
        body: { Data: { ConsentId: other.consentId, Initiation: other.initiation }, Risk: RISK },
      });
      expect(response.status).toBe(400);
      expect(response.body.Errors[0]).toMatchObject({
        ErrorCode: 'UK.OBIE.Resource.ConsentMismatch',
        Path: 'Data.ConsentId',
      });
      // RFC 6749 §5.2: the clause's section sign is spelled out in error_description, kept in Message.
      expect(response.body.error_description).toMatch(/FAPI 1.0 Part 1 section 6.2.1-6/);
      expect(response.body.Errors[0].Message).toMatch(/FAPI 1.0 Part 1 §6.2.1-6/);
      expect((await sb.store.consents.get(other.consentId))?.status).toBe('Authorised');
    });

    it('larger than the available funds is refused, and funds confirmation says so', async () => {
      const client = sb.clients[name];
      const big = initiation({ InstructedAmount: { Amount: '99999.00', Currency: 'GBP' } });
      const { consentId, token } = await paymentAccess(sb, client, { initiation: big });
      const funds = await sb.call(
        client,
        'GET',
        `/pisp/domestic-payment-consents/${consentId}/funds-confirmation`,
        { token },
      );
      expect(funds.body.Data.FundsAvailableResult.FundsAvailable).toBe(false);
      const before = await booked();
      const response = await sb.call(client, 'POST', '/pisp/domestic-payments', {
        token,
        body: { Data: { ConsentId: consentId, Initiation: big }, Risk: RISK },
      });
      expect(response.status).toBe(400);
      expect(response.body.error_description).toMatch(/needs 9999900/);
      expect(await booked()).toBe(before);
    });
  });
});

describe('payment consent requests', () => {
  it.each([
    [
      'an amount with too many decimals',
      { InstructedAmount: { Amount: '10.001', Currency: 'GBP' } },
      'Data.Initiation.InstructedAmount.Amount',
    ],
    [
      'a currency this bank does not hold',
      { InstructedAmount: { Amount: '10.00', Currency: 'EUR' } },
      'Data.Initiation.InstructedAmount.Currency',
    ],
    [
      'an unsupported scheme',
      { CreditorAccount: { SchemeName: 'UK.OBIE.PAN', Identification: '4111', Name: 'X' } },
      'Data.Initiation.CreditorAccount.SchemeName',
    ],
  ])('with %s are refused', async (_what, change, path) => {
    const client = sb.clients.moneywiseMtls;
    const token = await sb.tokens.clientCredentials(client, 'payments');
    const response = await sb.call(client, 'POST', '/pisp/domestic-payment-consents', {
      token,
      validate: false,
      body: { Data: { Initiation: initiation(change) }, Risk: RISK },
    });
    expect(response.status).toBe(400);
    expect(response.body.Errors[0].Path).toBe(path);
  });

  it('paying from an account to itself is refused with UK.OBIE.Field.Invalid, creating nothing', async () => {
    const client = sb.clients.moneywiseMtls;
    const token = await sb.tokens.clientCredentials(client, 'payments');
    const own = (await sb.store.accounts.get(ALICE.current))!.account[0]!;
    const account = { SchemeName: own.schemeName, Identification: own.identification, Name: 'Alice' };
    const response = await sb.call(client, 'POST', '/pisp/domestic-payment-consents', {
      token,
      body: {
        Data: { Initiation: initiation({ DebtorAccount: account, CreditorAccount: account }) },
        Risk: RISK,
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.Errors[0]).toMatchObject({
      ErrorCode: 'UK.OBIE.Field.Invalid',
      Path: 'Data.Initiation.CreditorAccount',
    });
    expect(response.body.error_description).toMatch(
      /Payment Initiation API.*Fix: send a CreditorAccount other than/,
    );
  });

  it('with a field this bank does not support are refused as unexpected', async () => {
    const client = sb.clients.moneywiseMtls;
    const token = await sb.tokens.clientCredentials(client, 'payments');
    const response = await sb.call(client, 'POST', '/pisp/domestic-payment-consents', {
      token,
      validate: false,
      body: { Data: { Initiation: initiation({ SupplementaryData: {} }) }, Risk: RISK },
    });
    expect(response.status).toBe(400);
    expect(response.body.Errors[0]).toMatchObject({
      ErrorCode: 'UK.OBIE.Field.Unexpected',
      Path: 'Data.Initiation.SupplementaryData',
    });
  });

  it('that are not JSON are refused with the OB error body', async () => {
    const client = sb.clients.moneywiseMtls;
    const token = await sb.tokens.clientCredentials(client, 'accounts');
    const response = await sb.call(client, 'POST', '/aisp/account-access-consents', {
      token,
      validate: false,
      rawBody: '{not json',
    });
    expect(response.status).toBe(400);
    expect(response.body.Code).toBe('400 BadRequest');
    expect(response.body.error_description).toMatch(/not valid JSON/);
  });

  it('that come with a GET are not read: the call is answered as if it had none', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    const get = (body: string) =>
      request(`${sb.config.bankApi.baseUrl}/aisp/accounts`, {
        method: 'GET',
        headers: {
          authorization: `Bearer ${token}`,
          'x-fapi-interaction-id': randomUUID(),
          'content-type': 'application/json',
        },
        body,
        dispatcher: client.dispatcher,
      });
    // Neither a JSON body nor a malformed one changes the answer: no parser runs for a GET.
    for (const body of ['{"Data":{"Permissions":[]}}', '{not json']) {
      const response = await get(body);
      const answer = (await response.body.json()) as { Data: { Account: unknown[] } };
      expect(response.statusCode, JSON.stringify(answer)).toBe(200);
      expect(answer.Data.Account.length).toBeGreaterThan(0);
    }
  });

  it('read a consent or payment id that does not exist as 400 Resource.NotFound', async () => {
    const client = sb.clients.moneywiseMtls;
    const token = await sb.tokens.clientCredentials(client, 'payments');
    for (const path of ['/pisp/domestic-payment-consents/pdc-nope', '/pisp/domestic-payments/dp-nope']) {
      const response = await sb.call(client, 'GET', path, { token });
      expect(response.status).toBe(400);
      expect(response.body.Errors[0].ErrorCode).toBe('UK.OBIE.Resource.NotFound');
    }
  });
});

describe('balances and transactions', () => {
  it('change when a payment executes', async () => {
    const client = sb.clients.moneywiseDpop;
    const { token: read } = await accountAccess(sb, client, { accountIds: [ALICE.current] });
    const before = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/balances`, { token: read });
    const {
      consentId,
      token,
      initiation: init,
    } = await paymentAccess(sb, client, {
      initiation: initiation({
        InstructedAmount: { Amount: '1.23', Currency: 'GBP' },
        RemittanceInformation: { Reference: 'CHANGE-1' },
      }),
    });
    await sb.call(client, 'POST', '/pisp/domestic-payments', {
      token,
      body: { Data: { ConsentId: consentId, Initiation: init }, Risk: RISK },
    });
    const after = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/balances`, { token: read });
    const pence = (r: typeof before) => Math.round(Number(r.body.Data.Balance[0].Amount.Amount) * 100);
    expect(pence(before) - pence(after)).toBe(123);
    const tx = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/transactions`, { token: read });
    expect(tx.body.Data.Transaction[0]).toMatchObject({
      TransactionReference: 'CHANGE-1',
      Amount: { Amount: '1.23' },
    });
  });
});
