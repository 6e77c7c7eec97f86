// "Send it again (same idempotency key)": Moneywise sends a submitted payment's POST /pisp/domestic-payments
// again, as a TPP whose submission timed out would, and the real bank answers with the payment it already
// made (UK OB Read/Write API v3.1, Idempotency). The bank's own store shows nothing was paid twice.
import path from 'node:path';
import { startBankApi } from '@fapi-sandbox/bank-api';
import { openDatabase } from '@fapi-sandbox/bank-domain/database';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ApiError,
  ConnectionView,
  PaymentView,
  ResubmitPaymentResponse,
  StartConnectionResponse,
  StartPaymentResponse,
} from '../../src/shared/api.js';
import type { ConnectionTrace } from '../../src/shared/timeline.js';
import { visitBank } from './bank-browser.js';
import { type Sandbox, startSandbox } from './harness.js';

const ALICE = { username: 'alice', password: 'wonderland' };
const PAYMENT = {
  payeeName: 'Bob Builder',
  sortCode: '20-00-00',
  accountNumber: '55779911',
  amount: '7.25',
  reference: 'Retry me',
};

let sandbox: Sandbox;
let connection: ConnectionView;
/** How far bank-api's clock is moved ahead of real time, in ms (bank-op keeps the real one). */
let bankApiAhead = 0;

beforeAll(async () => {
  sandbox = await startSandbox({
    bank: async (config) => {
      const op = await startBankOp({ config });
      const api = await startBankApi({ config, now: () => Date.now() + bankApiAhead });
      return [api, op];
    },
  });
  const started = await sandbox.browser.api('/connections', {
    json: { profile: 'fapi2-dpop', clientAuth: 'private_key_jwt' },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const { connection: view, authorizationUrl } = started.body as StartConnectionResponse;
  await visitBank(sandbox.browser, authorizationUrl, ALICE);
  connection = (await sandbox.browser.api(`/connections/${view.id}`)).body as ConnectionView;
  expect(connection.status).toBe('active');
});
afterAll(async () => {
  await sandbox?.close();
});

/** How many domestic payments the bank has made, read from its own database (SQLite, or DATABASE_URL). */
async function bankPaymentCount(): Promise<number> {
  const { db } = openDatabase({
    file: path.join(sandbox.config.dataDir, 'bank', 'bank.sqlite'),
    url: sandbox.config.databaseUrl,
  });
  try {
    const { n } = await db
      .selectFrom('domestic_payments')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(n);
  } finally {
    await db.destroy();
  }
}

async function startPayment(): Promise<StartPaymentResponse> {
  const started = await sandbox.browser.api(`/connections/${connection.id}/payments`, { json: PAYMENT });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  return started.body as StartPaymentResponse;
}

const resubmit = (paymentId: string) =>
  sandbox.browser.api(`/connections/${connection.id}/payments/${paymentId}/resubmit`, { method: 'POST' });

describe('POST /api/connections/:id/payments/:paymentId/resubmit', () => {
  it('sends the same payment again and the bank answers with the same DomesticPaymentId, paying nothing twice', async () => {
    const { payment, authorizationUrl } = await startPayment();
    await visitBank(sandbox.browser, authorizationUrl, ALICE);
    const submitted = (await sandbox.browser.api(`/connections/${connection.id}/payments/${payment.id}`))
      .body as PaymentView;
    expect(submitted.status, JSON.stringify(submitted.error)).toBe('submitted');
    const paymentsBefore = await bankPaymentCount();

    const response = await resubmit(payment.id);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const body = response.body as ResubmitPaymentResponse;
    expect(body.domesticPaymentId).toBe(submitted.domesticPaymentId);
    expect(body.samePayment).toBe(true);
    expect(body.message).toBe(
      `The bank answered with the same payment ${submitted.domesticPaymentId}: nothing was paid twice (UK OB idempotency)`,
    );
    expect(await bankPaymentCount()).toBe(paymentsBefore);

    // The inspector shows the second POST, under its own title, with the first one's idempotency key.
    const trace = (await sandbox.browser.api(`/connections/${connection.id}/trace`)).body as ConnectionTrace;
    const posts = trace.entries.filter(
      (e) => e.method === 'POST' && e.url?.endsWith('/pisp/domestic-payments'),
    );
    const first = posts.find((e) => e.title === 'Submit the payment');
    const again = posts.find((e) => e.title === 'Send the payment again (same idempotency key)');
    expect(first, posts.map((e) => e.title).join(' | ')).toBeDefined();
    expect(again, posts.map((e) => e.title).join(' | ')).toBeDefined();
    expect(again!.phase).toBe('pay');
    const keyOf = (entry: typeof first) => entry?.requestHeaders?.['x-idempotency-key'];
    expect(keyOf(again)).toBeTruthy();
    expect(keyOf(again)).toBe(keyOf(first));
  });

  it('passes on the bank’s refusal as the other routes do (502, the bank’s status, clause and fix)', async () => {
    const { payment, authorizationUrl } = await startPayment();
    await visitBank(sandbox.browser, authorizationUrl, ALICE);
    const paymentsBefore = await bankPaymentCount();
    // bank-api reads a clock three hours ahead: the DPoP proofs Moneywise makes now are too old for it.
    bankApiAhead = 3 * 60 * 60 * 1000;
    try {
      const response = await resubmit(payment.id);
      const body = response.body as ApiError;
      expect(response.status, JSON.stringify(body)).toBe(502);
      expect(body).toMatchObject({ party: 'bank-api', status: 401, error: 'invalid_dpop_proof' });
      expect(body.step).toMatch(/Send the payment again \(same idempotency key\)$/);
      expect(body.error_description).toMatch(/RFC 9449 section 4\.3.*Fix: /);
    } finally {
      bankApiAhead = 0;
    }
    expect(await bankPaymentCount()).toBe(paymentsBefore);
  });

  it('answers 409 with a fix for a payment the customer has not authorised yet', async () => {
    const { payment } = await startPayment();
    const response = await resubmit(payment.id);
    expect(response.status).toBe(409);
    const body = response.body as ApiError;
    expect(body.error).toBe('payment_not_submitted');
    expect(body.error_description).toMatch(/This payment is authorising.*Idempotency/);
    expect(body.error_description).toMatch(/authorise the payment at the bank first/);
  });

  it('answers 404 for a payment this connection does not hold', async () => {
    const response = await resubmit('00000000-0000-4000-8000-000000000000');
    expect(response.status).toBe(404);
    expect((response.body as ApiError).error).toBe('not_found');
  });
});
