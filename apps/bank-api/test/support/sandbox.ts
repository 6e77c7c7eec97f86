// One running sandbox per test file: the real directory (certificate status), the token issuer (see
// token-source.ts), and bank-api itself, each on free ports with a fresh data folder. The test opens
// the bank store file too, as bank-op's process does.
import { type BankStore, openBankStore } from '@fapi-sandbox/bank-domain';
import { type RunningDirectory, startDirectory } from '@fapi-sandbox/directory';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { fetch } from 'undici';
import {
  bankStoreFile,
  type RunningBankApi,
  type StartBankApiOptions,
  startBankApi,
} from '../../src/index.js';
import {
  type Caller,
  createCaller,
  createTestClients,
  type TestClient,
  type TestClients,
} from './clients.js';
import { openApiValidator } from './openapi.js';
import { type StandInIssuer, startStandInIssuer } from './token-source.js';

export interface Sandbox {
  config: SandboxConfig;
  directory: RunningDirectory;
  api: RunningBankApi;
  store: BankStore;
  tokens: StandInIssuer;
  clients: TestClients;
  call: Caller;
  openapi: Record<string, unknown>;
  logs: string[];
  stop(): Promise<void>;
}

export async function startSandbox(options: Partial<StartBankApiOptions> = {}): Promise<Sandbox> {
  const config = await isolatedConfig();
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);
  const directory = await startDirectory({ config, log });
  const store = openBankStore({ file: bankStoreFile(config) });
  const tokens = await startStandInIssuer(config, store);
  const api = await startBankApi({ config, log, ...options });
  const agent = createSandboxAgent({}, config);
  const openapi = (await (
    await fetch(`${config.bankApi.baseUrl}/openapi.json`, { dispatcher: agent })
  ).json()) as Record<string, unknown>;
  await agent.close();
  const clients = await createTestClients(config);
  return {
    config,
    directory,
    api,
    store,
    tokens,
    clients,
    call: createCaller(config, openApiValidator(openapi)),
    openapi,
    logs,
    async stop() {
      await api.stop();
      await tokens.stop();
      await directory.stop();
      store.close();
      await Promise.all(
        Object.values(clients).map((c: TestClient) => (c.dispatcher as { close(): Promise<void> }).close()),
      );
      removeTestData(config);
    },
  };
}

export const ALICE = { username: 'alice', password: 'wonderland', current: '70000101', savings: '70000102' };
export const BOB = { username: 'bob', password: 'builder', current: '70000201', savings: '70000202' };

export const ALL_READ = [
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadTransactionsDetail',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
];

/** Consent + customer authorisation + token: what a TPP does before it can read accounts. */
export async function accountAccess(
  sb: Sandbox,
  client: TestClient,
  options: { permissions?: string[]; accountIds?: string[]; data?: Record<string, unknown> } = {},
) {
  const ccToken = await sb.tokens.clientCredentials(client, 'accounts');
  const created = await sb.call(client, 'POST', '/aisp/account-access-consents', {
    token: ccToken,
    body: { Data: { Permissions: options.permissions ?? ALL_READ, ...options.data }, Risk: {} },
  });
  if (created.status !== 201) throw new Error(`consent creation failed: ${JSON.stringify(created.body)}`);
  const consentId = created.body.Data.ConsentId as string;
  const token = await sb.tokens.authorizationCode(client, 'accounts', consentId, {
    ...ALICE,
    accountIds: options.accountIds ?? [ALICE.current, ALICE.savings],
  });
  return { consentId, token, ccToken };
}

export function initiation(overrides: Record<string, unknown> = {}) {
  return {
    InstructionIdentification: 'INSTR-0001',
    EndToEndIdentification: 'E2E-0001',
    InstructedAmount: { Amount: '25.50', Currency: 'GBP' },
    CreditorAccount: {
      SchemeName: 'UK.OBIE.SortCodeAccountNumber',
      Identification: '08080021325698',
      Name: 'ACME Plumbing Ltd',
    },
    RemittanceInformation: { Reference: 'INV-2291', Unstructured: 'Boiler service' },
    ...overrides,
  };
}
export const RISK = { PaymentContextCode: 'BillPayment' };

/** Payment consent + customer authorisation + token. */
export async function paymentAccess(
  sb: Sandbox,
  client: TestClient,
  options: { initiation?: Record<string, unknown>; accountId?: string } = {},
) {
  const ccToken = await sb.tokens.clientCredentials(client, 'payments');
  const init = options.initiation ?? initiation();
  const created = await sb.call(client, 'POST', '/pisp/domestic-payment-consents', {
    token: ccToken,
    body: { Data: { Initiation: init }, Risk: RISK },
  });
  if (created.status !== 201) throw new Error(`payment consent failed: ${JSON.stringify(created.body)}`);
  const consentId = created.body.Data.ConsentId as string;
  const token = await sb.tokens.authorizationCode(client, 'payments', consentId, {
    ...ALICE,
    accountIds: [options.accountId ?? ALICE.current],
  });
  return { consentId, token, ccToken, initiation: init };
}
