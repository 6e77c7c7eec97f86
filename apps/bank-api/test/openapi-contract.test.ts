// bank-api's contract is kept once, in its OpenAPI document: the TypeScript types are generated from it,
// every route it serves is in it, requests that break it get a UK OB error naming the field and the fix,
// and a response that would break it is a bank-api bug that is logged and never sent.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BankStore, openBankStore } from '@fapi-sandbox/bank-domain';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBankingRoutes } from '../src/app.js';
import { createApiContract } from '../src/openapi/contract.js';
import { createPipeline } from '../src/pipeline.js';
import type { CallOptions } from './support/clients.js';
import {
  ALICE,
  accountAccess,
  initiation,
  paymentAccess,
  RISK,
  type Sandbox,
  startSandbox,
} from './support/sandbox.js';

const DOCUMENT = new URL('../src/openapi/bank-api.openapi.json', import.meta.url);
const GENERATED = new URL('../src/openapi/generated.ts', import.meta.url);

describe('the generated types', () => {
  it('are what openapi-typescript makes of the document today', async () => {
    const fresh = COMMENT_HEADER + astToString(await openapiTS(DOCUMENT));
    expect(
      fs.readFileSync(GENERATED, 'utf8'),
      'src/openapi/generated.ts is out of date: run pnpm --filter @fapi-sandbox/bank-api generate',
    ).toBe(fresh);
  });
});

/** An express router's routes as `METHOD /path`, walking the routers mounted inside it. */
interface RouterLike {
  stack: { route?: { path: string; methods: Record<string, boolean> }; handle: unknown }[];
}
function routesOf(router: RouterLike): string[] {
  return router.stack.flatMap((layer) => {
    if (layer.route) {
      const { path: routePath, methods } = layer.route;
      return Object.keys(methods).map((method) => `${method.toUpperCase()} ${routePath}`);
    }
    const nested = layer.handle as Partial<RouterLike>;
    return Array.isArray(nested.stack) ? routesOf(nested as RouterLike) : [];
  });
}

describe('the document', () => {
  let dataDir: string;
  let store: BankStore;
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-api-routes-'));
    store = await openBankStore({ file: path.join(dataDir, 'bank.sqlite') });
  });
  afterAll(async () => {
    await store?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('describes every route bank-api serves, and bank-api serves every operation it describes', async () => {
    const contract = createApiContract();
    const routers = openBankingRoutes({
      store,
      pipeline: createPipeline({ checks: [], origin: 'https://api.bank.localhost' }),
      contract,
      baseUrl: 'https://api.bank.localhost/open-banking/v3.1',
    }) as unknown as RouterLike[];
    const served = routers.flatMap(routesOf);
    const documented = contract.operations.map((op) => `${op.method} ${op.path}`);
    // accounts, balances, transactions, both consents, funds confirmation, payments and their details.
    expect(served).toHaveLength(12);
    for (const route of served) {
      const [method, routePath] = route.split(' ') as [string, string];
      expect(
        contract.operationFor(method, routePath),
        `${route} is not in the OpenAPI document`,
      ).toBeDefined();
    }
    const servedAsOpenApi = served.map((route) => route.replace(/:(\w+)/g, '{$1}'));
    expect(servedAsOpenApi.sort()).toEqual(documented.sort());
  });
});

describe('at run time', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb?.stop();
  });

  const createPaymentConsent = async (request: Pick<CallOptions, 'body' | 'rawBody' | 'headers'>) => {
    const client = sb.clients.moneywiseMtls;
    const token = await sb.tokens.clientCredentials(client, 'payments');
    return sb.call(client, 'POST', '/pisp/domestic-payment-consents', { token, validate: false, ...request });
  };

  describe('a request body the document does not allow', () => {
    it.each([
      [
        'without a required field is refused as UK.OBIE.Field.Missing',
        { Data: { Initiation: initiation({ CreditorAccount: undefined }) }, Risk: RISK },
        'UK.OBIE.Field.Missing',
        'Data.Initiation.CreditorAccount',
        /Missing field Data.Initiation.CreditorAccount \(UK OB R\/W API v3.1 OBWriteDomesticConsent4.*Fix: send Data.Initiation.CreditorAccount\./,
      ],
      [
        'with a number where the document wants a string is refused as UK.OBIE.Field.Invalid',
        {
          Data: { Initiation: initiation({ InstructedAmount: { Amount: 10, Currency: 'GBP' } }) },
          Risk: RISK,
        },
        'UK.OBIE.Field.Invalid',
        'Data.Initiation.InstructedAmount.Amount',
        /Invalid Data.Initiation.InstructedAmount.Amount: must be string/,
      ],
      [
        'with a value outside an enumeration names the values allowed',
        { Data: { Initiation: initiation() }, Risk: { PaymentContextCode: 'Gambling' } },
        'UK.OBIE.Field.Invalid',
        'Risk.PaymentContextCode',
        /Fix: send one of BillPayment, EcommerceGoods, EcommerceServices, Other, PartyToParty\./,
      ],
      [
        'with a field the document does not have is refused as UK.OBIE.Field.Unexpected',
        { Data: { Initiation: initiation() }, Risk: { ...RISK, ContractPresentInidicator: true } },
        'UK.OBIE.Field.Unexpected',
        'Risk.ContractPresentInidicator',
        /Fix: remove the field; this bank does not support it\./,
      ],
    ])('%s', async (_what, body, errorCode, field, description) => {
      const response = await createPaymentConsent({ body });
      expect(response.status).toBe(400);
      expect(response.body.Errors).toEqual([
        expect.objectContaining({
          ErrorCode: errorCode,
          Path: field,
          Message: expect.stringContaining(field),
        }),
      ]);
      expect(response.body.error).toBe('invalid_request');
      expect(response.body.error_description).toMatch(description);
      // RFC 6749 §5.2: error_description is printable ASCII without '"' and '\'.
      expect(response.body.error_description).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/);
    });

    it('sent as something other than JSON is refused as UK.OBIE.Resource.InvalidFormat', async () => {
      const response = await createPaymentConsent({
        rawBody: 'Data.Initiation.InstructedAmount=10.00',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(response.status).toBe(400);
      expect(response.body.Errors[0].ErrorCode).toBe('UK.OBIE.Resource.InvalidFormat');
      expect(response.body.error_description).toMatch(/Fix: send the request as JSON/);
    });
  });

  it.each([
    ['a query parameter sent twice', 'page=1&page=2', 'page'],
    ['a filter date that does not exist', 'toBookingDateTime=2025-02-30', 'toBookingDateTime'],
  ])('%s is refused with the parameter as the Path', async (_what, query, parameter) => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    const response = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/transactions?${query}`, {
      token,
    });
    expect(response.status).toBe(400);
    expect(response.body.Errors[0]).toMatchObject({ ErrorCode: 'UK.OBIE.Field.Invalid', Path: parameter });
  });

  it('a payment consent the customer withdrew reads as Revoked, as the document describes', async () => {
    const client = sb.clients.moneywiseMtls;
    const { consentId, ccToken } = await paymentAccess(sb, client);
    const customerId = (await sb.store.consents.get(consentId))!.customerId!;
    await sb.store.consents.revoke(consentId, { by: 'customer', customerId });
    // The caller checks the answer against the served document: a status it does not list fails here.
    const response = await sb.call(client, 'GET', `/pisp/domestic-payment-consents/${consentId}`, {
      token: ccToken,
    });
    expect(response.status).toBe(200);
    expect(response.body.Data.Status).toBe('Revoked');
  });

  it('a response the document does not allow is logged and never sent', async () => {
    const client = sb.clients.moneywiseMtls;
    // Another party sharing the bank's store (bank-op, a back-office script) wrote a Risk field the
    // document does not know; echoing it would leak data no TPP was promised.
    const consent = await sb.store.consents.createDomesticPayment({
      clientId: client.clientId,
      initiation: {
        instructionIdentification: 'INSTR-LEAK',
        endToEndIdentification: 'E2E-LEAK',
        instructedAmount: { amountMinor: 100, currency: 'GBP' },
        creditorAccount: {
          schemeName: 'UK.OBIE.SortCodeAccountNumber',
          identification: '08080021325698',
          name: 'ACME Plumbing Ltd',
        },
      },
      risk: { ...RISK, InternalFraudScore: '0.93' },
    });
    const token = await sb.tokens.clientCredentials(client, 'payments');
    const response = await sb.call(client, 'GET', `/pisp/domestic-payment-consents/${consent.consentId}`, {
      token,
      validate: false,
    });
    expect(response.status).toBe(500);
    expect(response.body.Errors[0].ErrorCode).toBe('UK.OBIE.UnexpectedError');
    expect(JSON.stringify(response.body)).not.toMatch(/InternalFraudScore|0\.93/);
    expect(sb.logs).toContainEqual(
      expect.objectContaining({
        level: 50, // pino's error
        msg: expect.stringMatching(
          new RegExp(
            `contract breach: GET .*/pisp/domestic-payment-consents/${consent.consentId}: 200 is not OBWriteDomesticConsentResponse5: /Risk must NOT have additional properties: InternalFraudScore`,
          ),
        ),
      }),
    );
  });
});
