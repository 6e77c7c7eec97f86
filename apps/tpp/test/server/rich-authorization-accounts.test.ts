// Account access by a rich authorization request (RFC 9396): Moneywise creates no account-access consent
// at bank-api; it pushes account_information details (the actions it wants), Alice picks the accounts at
// the bank, Moneywise checks and keeps what was granted (§7), and bank-api answers only within it.
import { startBankApi } from '@fapi-sandbox/bank-api';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, ApiError, ConnectionView, StartConnectionResponse } from '../../src/shared/api.js';
import type { ConnectionTrace } from '../../src/shared/timeline.js';
import { visitBank } from './bank-browser.js';
import { type Sandbox, startSandbox } from './harness.js';

const ALICE = { username: 'alice', password: 'wonderland' };

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    bank: async (config) => {
      const op = await startBankOp({ config });
      const api = await startBankApi({ config });
      return [api, op];
    },
  });
});
afterAll(async () => {
  await sandbox?.close();
});

async function connectByDetails(body: Record<string, unknown>) {
  const started = await sandbox.browser.api('/connections', {
    json: {
      profile: 'fapi2-dpop',
      clientAuth: 'private_key_jwt',
      authorization: 'authorization-details',
      ...body,
    },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const { connection, authorizationUrl } = started.body as StartConnectionResponse;
  await visitBank(sandbox.browser, authorizationUrl, ALICE);
  return (await sandbox.browser.api(`/connections/${connection.id}`)).body as ConnectionView;
}

const accountsOf = async (connection: ConnectionView) =>
  (
    (await sandbox.browser.api(`/connections/${connection.id}/accounts`)).body as {
      accounts: AccountView[];
    }
  ).accounts;

describe('a connection by account_information details, with no intent', () => {
  let connection: ConnectionView;
  beforeAll(async () => {
    connection = await connectByDetails({});
  });

  it('is active with no consent at bank-api, and keeps the granted details with the accounts Alice chose', () => {
    expect(connection.status, JSON.stringify(connection.error)).toBe('active');
    expect(connection.consentId).toBeUndefined();
    const [granted] = connection.authorizationDetails ?? [];
    expect(granted).toMatchObject({
      type: 'account_information',
      actions: ['list_accounts', 'read_balances', 'read_transactions'],
    });
    expect(granted?.accounts?.length).toBeGreaterThan(0);
  });

  it('reads the accounts granted, their balances and transactions', async () => {
    const accounts = await accountsOf(connection);
    expect(accounts.map((a) => a.accountId).sort()).toEqual(
      [...(connection.authorizationDetails?.[0]?.accounts ?? [])].sort(),
    );
    const accountId = accounts[0]!.accountId;
    const balances = await sandbox.browser.api(
      `/connections/${connection.id}/accounts/${accountId}/balances`,
    );
    expect(balances.status, JSON.stringify(balances.body)).toBe(200);
    const transactions = await sandbox.browser.api(
      `/connections/${connection.id}/accounts/${accountId}/transactions`,
    );
    expect(transactions.status, JSON.stringify(transactions.body)).toBe(200);
  });

  it('the inspector shows the details pushed and checked, and no consent created at bank-api', async () => {
    const trace = (await sandbox.browser.api(`/connections/${connection.id}/trace`)).body as ConnectionTrace;
    const titles = trace.entries.map((e) => e.title);
    expect(titles).toContain('Push the account access itself as authorization_details (RAR)');
    expect(titles).toContain('Check the granted account access (authorization_details)');
    expect(titles.some((t) => /account-access consent/i.test(t))).toBe(false);
  });
});

describe('a read outside the granted actions', () => {
  it('is refused by bank-api, and Moneywise relays its error with the clause', async () => {
    const connection = await connectByDetails({ actions: ['list_accounts', 'read_balances'] });
    expect(connection.status, JSON.stringify(connection.error)).toBe('active');
    expect(connection.authorizationDetails?.[0]?.actions).toEqual(['list_accounts', 'read_balances']);
    const [account] = await accountsOf(connection);
    const balances = await sandbox.browser.api(
      `/connections/${connection.id}/accounts/${account!.accountId}/balances`,
    );
    expect(balances.status).toBe(200);
    const refused = await sandbox.browser.api(
      `/connections/${connection.id}/accounts/${account!.accountId}/transactions`,
    );
    const error = refused.body as ApiError;
    // The TPP relays another party's refusal as 502, naming the party and its own status.
    expect(refused.status, JSON.stringify(error)).toBe(502);
    expect(error).toMatchObject({ party: 'bank-api', status: 403 });
    expect(error.error_description, JSON.stringify(error)).toMatch(/read_transactions|ReadTransactions/);
  });
});

describe('bad connect requests', () => {
  it('refuses actions without a rich authorization request', async () => {
    const response = await sandbox.browser.api('/connections', {
      json: { profile: 'fapi2-dpop', clientAuth: 'private_key_jwt', actions: ['list_accounts'] },
    });
    expect(response.status).toBe(400);
    expect((response.body as ApiError).error_description).toMatch(/RFC 9396 section 2\.2/);
  });

  it('refuses an action this bank does not know', async () => {
    const response = await sandbox.browser.api('/connections', {
      json: {
        profile: 'fapi2-dpop',
        clientAuth: 'private_key_jwt',
        authorization: 'authorization-details',
        actions: ['make_payments'],
      },
    });
    expect(response.status).toBe(400);
    expect((response.body as ApiError).error).toBe('invalid_request');
  });

  it('relays the bank’s refusal of details from a FAPI 1.0 client (RFC 9396 §5)', async () => {
    const response = await sandbox.browser.api('/connections', {
      json: {
        profile: 'fapi1-advanced',
        clientAuth: 'private_key_jwt',
        authorization: 'authorization-details',
      },
    });
    const error = response.body as ApiError;
    expect(response.status, JSON.stringify(error)).toBe(502);
    expect(error).toMatchObject({ party: 'bank-op', status: 400, error: 'invalid_authorization_details' });
    expect(error.error_description).toMatch(/FAPI 2\.0 clients only/);
  });
});
