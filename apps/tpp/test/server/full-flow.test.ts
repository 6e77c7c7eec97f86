// Moneywise against the real directory, bank-op and bank-api: onboard, connect with each profile and
// client authentication, read accounts, pay, disconnect, and read every step in the inspector.
import { startBankApi } from '@fapi-sandbox/bank-api';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AccountView,
  ApiError,
  BalanceView,
  ConnectionView,
  OnboardingView,
  PaymentView,
  StartConnectionResponse,
  StartPaymentResponse,
  TransactionView,
} from '../../src/shared/api.js';
import type { ConnectionTrace } from '../../src/shared/timeline.js';
import { visitBank } from './bank-browser.js';
import { type Sandbox, startSandbox } from './harness.js';

const ALICE = { username: 'alice', password: 'wonderland' };

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    bank: async (config) => {
      const quiet = () => {};
      const op = await startBankOp({ config, log: quiet });
      const api = await startBankApi({ config, log: quiet });
      return [api, op];
    },
  });
});
afterAll(async () => {
  await sandbox?.close();
});

async function connect(profile: string, clientAuth: string) {
  const started = await sandbox.browser.api('/connections', { json: { profile, clientAuth } });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const { connection, authorizationUrl } = started.body as StartConnectionResponse;
  const visit = await visitBank(sandbox.browser, authorizationUrl, ALICE);
  expect(visit.landing.pathname).toBe(`/connections/${connection.id}`);
  const view = (await sandbox.browser.api(`/connections/${connection.id}`)).body as ConnectionView;
  return { connection: view, visit, authorizationUrl };
}

describe('onboarding', () => {
  it('fetches the SSA, finds the bank and registers one client per way of connecting', async () => {
    const response = await sandbox.browser.api('/onboarding', { method: 'POST' });
    const view = response.body as OnboardingView;
    expect(view.steps.map((s) => [s.id, s.status, s.error?.error_description])).toEqual([
      ['ssa', 'done', undefined],
      ['ssa-verify', 'done', undefined],
      ['participants', 'done', undefined],
      ['discovery', 'done', undefined],
      ['register', 'done', undefined],
    ]);
    expect(view.status).toBe('done');
    expect(view.registrations).toHaveLength(6);
    expect(new Set(view.registrations.map((r) => r.clientId)).size).toBe(6);
    expect(view.registrations.every((r) => r.outcome === 'registered')).toBe(true);
  });

  it('reuses the registrations the bank still knows when onboarding runs again', async () => {
    const view = (await sandbox.browser.api('/onboarding', { method: 'POST' })).body as OnboardingView;
    expect(view.status).toBe('done');
    expect(view.registrations.map((r) => r.outcome)).toEqual(Array(6).fill('reused'));
  });
});

describe.each([
  ['fapi2-dpop', 'private_key_jwt'],
  ['fapi2-dpop', 'tls_client_auth'],
  ['fapi2-mtls', 'private_key_jwt'],
  ['fapi2-mtls', 'tls_client_auth'],
  ['fapi1-advanced', 'private_key_jwt'],
  ['fapi1-advanced', 'tls_client_auth'],
])('connecting with %s and %s', (profile, clientAuth) => {
  let connection: ConnectionView;

  beforeAll(async () => {
    ({ connection } = await connect(profile, clientAuth));
  });

  it('ends active, with the consent authorised and a bound token', () => {
    expect(connection.status, JSON.stringify(connection.error)).toBe('active');
    expect(connection.consentId).toBeTruthy();
    expect(connection.accessTokenExpiresAt).toBeTruthy();
  });

  it('reads accounts, balances and transactions', async () => {
    const accounts = (await sandbox.browser.api(`/connections/${connection.id}/accounts`)).body as {
      accounts: AccountView[];
    };
    expect(accounts.accounts.length).toBeGreaterThan(0);
    const accountId = accounts.accounts[0]!.accountId;
    const balances = await sandbox.browser.api(
      `/connections/${connection.id}/accounts/${accountId}/balances`,
    );
    expect(balances.status, JSON.stringify(balances.body)).toBe(200);
    expect((balances.body as { balances: BalanceView[] }).balances[0]?.currency).toBe('GBP');
    const transactions = await sandbox.browser.api(
      `/connections/${connection.id}/accounts/${accountId}/transactions`,
    );
    expect(transactions.status, JSON.stringify(transactions.body)).toBe(200);
    expect((transactions.body as { transactions: TransactionView[] }).transactions.length).toBeGreaterThan(0);
  });
});
