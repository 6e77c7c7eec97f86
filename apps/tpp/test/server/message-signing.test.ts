// FAPI 2.0 Message Signing NR5/NR6 from Moneywise to a bank that requires signed payment calls: Moneywise
// signs the consent and the payment with its registered key, bank-api verifies them and signs its
// answers, and Moneywise checks those answers before acting on them. The inspector's timeline carries
// both signatures and every party's verdict. bank-api sits behind an interposer on its configured address
// (bank-answer-interposer.ts) that relays untouched, except when a test has it tamper with the bank's answer
// (FAPI 2.0 HTTP Signatures §5.3.2.2): Moneywise must then refuse it, pay nothing, and say why.
import { startBankApi } from '@fapi-sandbox/bank-api';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { replicaConfig } from '@fapi-sandbox/fapi-core/config';
import { workerPort } from '@fapi-sandbox/fapi-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ConnectionView,
  PaymentView,
  StartConnectionResponse,
  StartPaymentResponse,
} from '../../src/shared/api.js';
import type { ConnectionTrace } from '../../src/shared/timeline.js';
import { ATTACKER_KID, type Interposer, startInterposer, type Tampering } from './bank-answer-interposer.js';
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
let interposer: Interposer;
let connection: ConnectionView;

beforeAll(async () => {
  sandbox = await startSandbox({
    bank: async (config) => {
      const op = await startBankOp({ config });
      // bank-api keeps its origin (what Moneywise signs) but listens behind the interposer.
      const behind = await workerPort();
      const api = await startBankApi({
        config: replicaConfig(config, 'bankApi', { web: behind }),
        requireSignatures: true,
      });
      interposer = await startInterposer(config, behind);
      return [interposer, api, op];
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

/** Pays through the interposer doing `tampering`; returns the payment, the trace and Moneywise's last verdict. */
async function payThrough(tampering: Tampering) {
  interposer.tampering = tampering;
  const started = await sandbox.browser.api(`/connections/${connection.id}/payments`, { json: PAYMENT });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const { payment, authorizationUrl } = started.body as StartPaymentResponse;
  await visitBank(sandbox.browser, authorizationUrl, ALICE);
  const view = (await sandbox.browser.api(`/connections/${connection.id}/payments/${payment.id}`))
    .body as PaymentView;
  const trace = (await sandbox.browser.api(`/connections/${connection.id}/trace`)).body as ConnectionTrace;
  const verdict = trace.entries.filter((e) => e.title === 'Check the bank’s signed answer').at(-1)!;
  return { view, trace, verdict };
}

describe('a payment to a bank that requires signed payment calls', () => {
  it('is signed by Moneywise, verified and answered with a signature by the bank, and checked by Moneywise', async () => {
    const { view: submitted, trace } = await payThrough('none');
    expect(submitted.status, JSON.stringify(submitted.error)).toBe('submitted');
    expect(submitted.domesticPaymentId).toBeTruthy();

    const submit = trace.entries.find((e) => e.title === 'Submit the payment')!;
    expect(submit.requestHeaders?.['signature-input']).toMatch(
      /^fapi=\("@method" "@target-uri" "authorization" "dpop" "content-digest" .*tag="fapi-2-request"$/,
    );
    expect(submit.responseHeaders?.['signature-input']).toMatch(
      /^fapi=\("@status" "content-digest" "x-fapi-interaction-id" .*"signature";req;key="fapi".*tag="fapi-2-response"/,
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

describe('a bank answer tampered with on the way to Moneywise', () => {
  it.each([
    {
      attack: 'unsigned',
      because: /no HTTP message signature/,
      clause: /FAPI 2\.0 HTTP Signatures section 5\.3\.2\.2-2/,
      fix: /Fix: sign it \(RFC 9421\) with tag='fapi-2-response'/,
    },
    {
      attack: 'body-altered',
      because: /body does not match its Content-Digest/,
      clause: /RFC 9530 section 2/,
      fix: /Fix: compute Content-Digest over the exact bytes sent/,
    },
    {
      attack: 'foreign-key',
      because: new RegExp(`keyid ['"]${ATTACKER_KID}['"] is not a key of the signer's registered JWKS`),
      clause: /FAPI 2\.0 HTTP Signatures section 5\.3\.2\.2-1/,
      fix: /Fix: sign with a key published in the resource server's JWKS \(its \/jwks\)/,
    },
    {
      attack: 'interaction-id-swapped',
      because: /does not verify with key .*: the covered components changed after signing/,
      clause: /FAPI 2\.0 HTTP Signatures section 5\.3\.2\.2-2, RFC 9421 section 3\.2/,
      fix: /Fix: sign the signature base of the message as sent/,
    },
  ] as const)(
    'is refused when $attack, and nothing is recorded as paid',
    async ({ attack, because, clause, fix }) => {
      const { view, verdict } = await payThrough(attack);
      expect(view.status).toBe('failed');
      expect(view.domesticPaymentId).toBeUndefined();
      expect(view.bankStatus).toBeUndefined();
      expect(view.error).toMatchObject({
        error: 'invalid_response_signature',
        party: 'bank-api',
        step: 'Check the bank’s signed answer',
      });
      expect(view.error!.error_description).toMatch(/does not act on it/);
      expect(view.error!.error_description).toMatch(because);
      expect(view.error!.error_description).toMatch(clause);
      // The fix the learner reads: what the bank must do so Moneywise can act on its answer.
      expect(view.error!.error_description).toMatch(fix);

      expect(verdict.checks[0]).toMatchObject({ passed: true });
      expect(verdict.checks[1]).toMatchObject({ passed: false });
      expect(verdict.checks[1]!.detail).toMatch(because);
    },
  );
});
