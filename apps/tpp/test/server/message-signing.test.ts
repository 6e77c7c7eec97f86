// FAPI 2.0 Message Signing NR5/NR6 from Moneywise to a bank that requires signed payment calls: Moneywise
// signs the consent and the payment with its registered key, bank-api verifies them and signs its
// answers, and Moneywise checks those answers before acting on them. The inspector's timeline carries
// both signatures and every party's verdict.
import { startBankApi } from '@fapi-sandbox/bank-api';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ConnectionView,
  PaymentView,
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
  amount: '12.00',
  reference: 'Signed',
};

let sandbox: Sandbox;
let connection: ConnectionView;

beforeAll(async () => {
  sandbox = await startSandbox({
    bank: async (config) => {
      const op = await startBankOp({ config });
      const api = await startBankApi({ config, requireSignatures: true });
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

describe('a payment to a bank that requires signed payment calls', () => {
  it('is signed by Moneywise, verified and answered with a signature by the bank, and checked by Moneywise', async () => {
    const started = await sandbox.browser.api(`/connections/${connection.id}/payments`, { json: PAYMENT });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const { payment, authorizationUrl } = started.body as StartPaymentResponse;
    await visitBank(sandbox.browser, authorizationUrl, ALICE);
    const submitted = (await sandbox.browser.api(`/connections/${connection.id}/payments/${payment.id}`))
      .body as PaymentView;
    expect(submitted.status, JSON.stringify(submitted.error)).toBe('submitted');

    const trace = (await sandbox.browser.api(`/connections/${connection.id}/trace`)).body as ConnectionTrace;
    const submit = trace.entries.find((e) => e.title === 'Submit the payment')!;
    expect(submit.requestHeaders?.['signature-input']).toMatch(
      /^fapi=\("@method" "@target-uri" "authorization" "dpop" "content-digest" .*tag="fapi-2-request"$/,
    );
    expect(submit.responseHeaders?.['signature-input']).toMatch(
      /"signature";req;key="fapi".*tag="fapi-2-response"/,
    );
    expect(
      submit.checks.find((c) => c.by === 'bank-api' && c.name.startsWith('Message signature')),
    ).toMatchObject({
      passed: true,
    });
    // Moneywise's own verdict, once for the consent and once for the payment.
    const verdicts = trace.entries.filter((e) => e.title === 'Check the bank’s signed answer');
    expect(verdicts).toHaveLength(2);
    for (const verdict of verdicts) {
      expect(verdict.checks.map((c) => c.passed)).toEqual([true, true]);
      expect(verdict.checks[1]!.name).toMatch(
        /^Response signed by the bank's key .*, bound to this request$/,
      );
    }
  });
});
