// Tokens granted by authorization_details (RFC 9396) instead of an intent at this API: bank-api reads
// the consent from the token (§7). A payment is accepted only as granted (amount, currency, creditor
// account and name), without a ConsentId, and booked once; account reads stay within the granted
// actions and accounts; a token whose details do not cover the endpoint is refused.
import { randomUUID } from 'node:crypto';
import { type AuthorizationDetail, paymentInitiationDetail } from '@fapi-sandbox/fapi-client';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from './support/clients.js';
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
let client: TestClient;
beforeAll(async () => {
  sb = await startSandbox();
  client = sb.clients.moneywiseDpop;
});
afterAll(async () => {
  await sb?.stop();
});

const PAYEE = {
  amount: '25.50',
  creditorName: 'ACME Plumbing Ltd',
  sortCodeAccountNumber: '08080021325698',
  reference: 'Boiler service',
};

/** PAR with `details`, Alice signs in and allows for `accountIds`, the code becomes a token. */
async function grantedToken(
  details: AuthorizationDetail[],
  scope: 'payments' | 'accounts',
  accountIds = [ALICE.current],
): Promise<string> {
  const { flow } = client;
  const pending = await flow.pushAuthorizationRequest(undefined, `openid ${scope}`, {
    authorizationDetails: details,
  });
  const landing = await flow.customerAuthorizes(pending, ALICE, accountIds);
  return (await flow.exchangeCode(pending, await flow.authorizationCode(landing, pending))).value;
}

/** The payment as UK OB sends it, with no ConsentId: the details in the token are the consent. */
function payment(overrides: Record<string, unknown> = {}) {
  const { Reference: _reference, ...remittance } = initiation().RemittanceInformation;
  return {
    Data: {
      Initiation: {
        ...initiation({ InstructionIdentification: `I-${randomUUID().slice(0, 8)}` }),
        RemittanceInformation: remittance,
        ...overrides,
      },
    },
    Risk: RISK,
  };
}

const booked = async () => (await sb.store.accounts.balances(ALICE.current))[0]!.amountMinor;
const pay = (token: string, body: unknown, idempotencyKey: string = randomUUID()) =>
  sb.call(client, 'POST', '/pisp/domestic-payments', { token, body, idempotencyKey });

describe('a payment under granted payment_initiation details', () => {
  it('is booked once when it matches the details exactly; a retry with the same key replays it', async () => {
    const token = await grantedToken([paymentInitiationDetail(PAYEE)], 'payments');
    expect(decodeJwt(token).openbanking_intent_id).toBeUndefined();
    const before = await booked();
    const key = randomUUID();
    const body = payment();
    const first = await pay(token, body, key);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.Data.Status).toBe('AcceptedSettlementCompleted');
    expect(await booked()).toBe(before - 2550);

    const replay = await pay(token, body, key);
    expect(replay.status).toBe(201);
    expect(replay.body.Data.DomesticPaymentId).toBe(first.body.Data.DomesticPaymentId);
    // A second payment under the same grant (another key) finds the grant's one payment made.
    const second = await pay(token, payment(), randomUUID());
    expect(second.status, JSON.stringify(second.body)).toBe(400);
    expect(second.body.Errors[0].ErrorCode).toBe('UK.OBIE.Resource.InvalidConsentStatus');
    expect(await booked()).toBe(before - 2550);
  });

  it.each([
    ['amount', { InstructedAmount: { Amount: '255.00', Currency: 'GBP' } }, 'InstructedAmount.Amount'],
    ['currency', { InstructedAmount: { Amount: '25.50', Currency: 'EUR' } }, 'InstructedAmount.Currency'],
    [
      'creditor account',
      {
        CreditorAccount: {
          SchemeName: 'UK.OBIE.SortCodeAccountNumber',
          Identification: '11111122223333',
          Name: 'ACME Plumbing Ltd',
        },
      },
      'CreditorAccount.Identification',
    ],
    [
      'creditor name',
      {
        CreditorAccount: {
          SchemeName: 'UK.OBIE.SortCodeAccountNumber',
          Identification: '08080021325698',
          Name: 'Mallory Ltd',
        },
      },
      'CreditorAccount.Name',
    ],
  ])(
    'refuses a payment whose %s differs from the granted details, booking nothing',
    async (_what, change, path) => {
      const token = await grantedToken([paymentInitiationDetail(PAYEE)], 'payments');
      const before = await booked();
      const response = await pay(token, payment(change));
      expect(response.status, JSON.stringify(response.body)).toBe(400);
      expect(response.body.Errors[0]).toMatchObject({
        ErrorCode: 'UK.OBIE.Resource.ConsentMismatch',
        Path: `Initiation.${path}`,
      });
      expect(response.body.error_description).toMatch(/RFC 9396 section 7.*Fix: /);
      expect(await booked()).toBe(before);
      // The grant is not used up by a refused payment: the right one still goes through.
      expect((await pay(token, payment())).status).toBe(201);
    },
  );

  it('refuses a ConsentId: there is no consent at this API to name', async () => {
    const token = await grantedToken([paymentInitiationDetail(PAYEE)], 'payments');
    const body = payment();
    const response = await pay(token, { ...body, Data: { ...body.Data, ConsentId: 'pdc-anything' } });
    expect(response.status).toBe(400);
    expect(response.body.Errors[0]).toMatchObject({ Path: 'Data.ConsentId' });
    expect(response.body.error_description).toMatch(/authorization_details/);
  });

  it('refuses an intent payment without its ConsentId, naming the consent the token is for', async () => {
    const { token, consentId } = await paymentAccess(sb, client);
    const response = await pay(token, { Data: { Initiation: initiation() }, Risk: RISK });
    expect(response.status).toBe(400);
    expect(response.body.Errors[0]).toMatchObject({ ErrorCode: 'UK.OBIE.Resource.ConsentMismatch' });
    expect(response.body.error_description).toContain(consentId);
  });
});

describe('account reads under granted account_information details', () => {
  it('lists only the accounts the customer shared, and reads their balances', async () => {
    const token = await grantedToken(
      [{ type: 'account_information', actions: ['list_accounts', 'read_balances'] }],
      'accounts',
      [ALICE.savings],
    );
    const accounts = await sb.call(client, 'GET', '/aisp/accounts', { token });
    expect(accounts.status, JSON.stringify(accounts.body)).toBe(200);
    expect(accounts.body.Data.Account.map((a: { AccountId: string }) => a.AccountId)).toEqual([
      ALICE.savings,
    ]);
    const balances = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.savings}/balances`, { token });
    expect(balances.status).toBe(200);
  });

  it('refuses an account the customer did not share', async () => {
    const token = await grantedToken(
      [{ type: 'account_information', actions: ['list_accounts', 'read_balances'] }],
      'accounts',
      [ALICE.savings],
    );
    const response = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/balances`, { token });
    expect(response.status).toBe(403);
    expect(response.body.error).toBe('insufficient_scope');
  });

  it('refuses an action the details did not grant (transactions)', async () => {
    const token = await grantedToken(
      [{ type: 'account_information', actions: ['list_accounts'] }],
      'accounts',
    );
    const response = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/transactions`, { token });
    expect(response.status).toBe(403);
    expect(response.body.error_description).toMatch(/ReadTransactions/);
  });

  it('refuses a payment with an account_information token: its details grant no payment', async () => {
    const token = await grantedToken(
      [{ type: 'account_information', actions: ['list_accounts'] }],
      'accounts',
    );
    const response = await pay(token, payment());
    expect(response.status).toBe(403);
    expect(response.body.error).toBe('insufficient_scope');
  });
});

describe('a token with no details for this endpoint', () => {
  it('is refused with the clause and the fix (RFC 9396 §7)', async () => {
    const { token } = await accountAccess(sb, client);
    const forged = await sb.forger.alter(token, {
      openbanking_intent_id: undefined,
      scope: 'payments',
      authorization_details: [{ type: 'account_information', actions: ['list_accounts'], accounts: ['x'] }],
    });
    const response = await pay(forged, payment());
    expect(response.status).toBe(403);
    expect(response.body.error_description).toMatch(/grant no payment_initiation.*RFC 9396 section 7.*Fix: /);
  });
});
