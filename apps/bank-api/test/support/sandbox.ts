// One running sandbox per test file: the real directory (SSAs, certificate status), the real bank-op
// (DCR, PAR, sign-in and consent pages, tokens) and bank-api, each on free ports with a fresh data
// folder. The test opens the bank store file too, as a third process would.
import { type BankStore, openBankStore, seedReferenceDate } from '@fapi-sandbox/bank-domain';
import { type RunningBankOp, startBankOp } from '@fapi-sandbox/bank-op';
import { type RunningDirectory, startDirectory } from '@fapi-sandbox/directory';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { captureLogs, type LogLine } from '@fapi-sandbox/fapi-core/log-capture';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { fetch, type Response } from 'undici';
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
import { flowClientTokens, type TokenForger, type TokenSource, tokenForger } from './token-source.js';

export interface Sandbox {
  config: SandboxConfig;
  directory: RunningDirectory;
  bankOp: RunningBankOp;
  api: RunningBankApi;
  store: BankStore;
  tokens: TokenSource;
  forger: TokenForger;
  clients: TestClients;
  call: Caller;
  openapi: Record<string, unknown>;
  /** What the parties logged, parsed (fapi-core/log lines). */
  logs: LogLine[];
  /** bank-api's clock: tests move it forward to see tokens and consents expire (and sign proofs with it). */
  clock: { offsetMs: number; now(): number };
  /** An admin call to the directory (suspend or reactivate software and organisations). */
  directoryAdmin(method: string, path: string, body?: unknown): Promise<Response>;
  /** Stops the directory, runs `body` while it is unreachable, and starts it again on the same data. */
  withoutDirectory<T>(body: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export async function startSandbox(options: Partial<StartBankApiOptions> = {}): Promise<Sandbox> {
  const config = await isolatedConfig();
  const captured = captureLogs();
  const logs = captured.lines;
  const plain = createSandboxAgent({}, config);
  const clock = {
    offsetMs: 0,
    now: () => Date.now() + clock.offsetMs,
  };
  const directory = await startDirectory({ config, log: captured.logOf('directory') });
  const bankOp = await startBankOp({ config, log: captured.logOf('bank-op') });
  const api = await startBankApi({ config, log: captured.logOf('bank-api'), now: clock.now, ...options });
  const store = await openBankStore({ file: bankStoreFile(config), url: config.databaseUrl });

  const clients = await createTestClients(config);

  const openapi = (await (
    await fetch(`${config.bankApi.baseUrl}/openapi.json`, { dispatcher: plain })
  ).json()) as Record<string, unknown>;
  const sandbox: Sandbox = {
    config,
    directory,
    bankOp,
    api,
    store,
    tokens: flowClientTokens(),
    forger: await tokenForger(config),
    clients,
    call: createCaller(config, openApiValidator(openapi)),
    openapi,
    logs,
    clock,
    directoryAdmin(method, adminPath, body) {
      return fetch(`${config.directory.web.origin}${adminPath}`, {
        method,
        dispatcher: plain,
        headers: {
          authorization: `Bearer ${sandbox.directory.adminCredential}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    },
    async withoutDirectory(body) {
      await sandbox.directory.stop();
      try {
        return await body();
      } finally {
        sandbox.directory = await startDirectory({ config, log: captured.logOf('directory') });
      }
    },
    async stop() {
      await sandbox.api.stop();
      await sandbox.bankOp.stop();
      await sandbox.directory.stop();
      await store.close();
      const testClients: TestClient[] = Object.values(clients);
      await Promise.all(testClients.map((client) => client.flow.close()));
      const agents = [...testClients.map((client) => client.dispatcher), plain];
      await Promise.all(agents.map((agent) => (agent as { close(): Promise<void> }).close()));
      removeTestData(config);
    },
  };
  return sandbox;
}

/** An instant `days` before the end of the seeded history (the bank is seeded today), as ISO 8601. */
export function seededDaysAgo(days: number): string {
  return new Date(seedReferenceDate(new Date()).getTime() - days * 86_400_000).toISOString();
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

/** Consent + customer authorisation at bank-op + token: what a TPP does before it can read accounts. */
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

/** Payment consent + the customer confirms it at bank-op + token. */
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
