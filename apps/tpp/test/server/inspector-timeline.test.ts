// The inspector's timeline of a real connection, with each profile: the bank's redirect before the
// customer's return and the TPP's checks of it, the messages grouped by phase from onboarding to
// disconnect, the bank's token endpoint reporting its own checks, and the refusals the flow expects
// (a DPoP nonce asked for, the old token refused after disconnecting) marked as expected, not failed.
import { startBankApi } from '@fapi-sandbox/bank-api';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, ConnectionView, StartConnectionResponse } from '../../src/shared/api.js';
import type { ConnectionTrace, TimelineEntry } from '../../src/shared/timeline.js';
import { visitBank } from './bank-browser.js';
import { type Sandbox, startSandbox } from './harness.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    bank: async (config) => {
      return [await startBankApi({ config }), await startBankOp({ config })];
    },
  });
  expect((await sandbox.browser.api('/onboarding', { method: 'POST' })).status).toBe(200);
});
afterAll(async () => {
  await sandbox?.close();
});

async function connect(profile: string): Promise<ConnectionView> {
  const started = await sandbox.browser.api('/connections', {
    json: { profile, clientAuth: 'private_key_jwt' },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const { connection, authorizationUrl } = started.body as StartConnectionResponse;
  await visitBank(sandbox.browser, authorizationUrl, { username: 'alice', password: 'wonderland' });
  return connection;
}

async function timeline(connection: ConnectionView): Promise<TimelineEntry[]> {
  const trace = (await sandbox.browser.api(`/connections/${connection.id}/trace`)).body as ConnectionTrace;
  expect(trace.unavailable).toEqual([]);
  return trace.entries;
}

const indexOf = (entries: TimelineEntry[], title: string) => {
  const index = entries.findIndex((e) => e.title === title);
  expect(index, `${title} in the timeline`).toBeGreaterThanOrEqual(0);
  return index;
};

describe.each([
  ['fapi2-dpop', /DPoP proof key \(cnf\.jkt\)/],
  ['fapi2-mtls', /client certificate \(cnf x5t#S256\)/],
  ['fapi1-advanced', /client certificate \(cnf x5t#S256\)/],
])('a %s connection in the inspector', (profile, bindingCheck) => {
  let entries: TimelineEntry[];

  beforeAll(async () => {
    const connection = await connect(profile);
    const accounts = await sandbox.browser.api(`/connections/${connection.id}/accounts`);
    const accountId = (accounts.body as { accounts: AccountView[] }).accounts[0]!.accountId;
    await sandbox.browser.api(`/connections/${connection.id}/accounts/${accountId}/balances`);
    await sandbox.browser.api(`/connections/${connection.id}/disconnect`, { method: 'POST' });
    entries = await timeline(connection);
  });

  it('lists the bank’s redirect before the customer’s return to Moneywise and its checks', () => {
    const redirect = indexOf(entries, 'Authorization response (redirect to the client)');
    const returns = indexOf(entries, 'Customer returns to Moneywise');
    const checks = indexOf(entries, 'Check the authorization response');
    const exchange = indexOf(entries, 'Exchange the code for tokens');
    expect([redirect < returns, returns < checks, checks < exchange]).toEqual([true, true, true]);
  });

  it('groups the messages by phase, in the order of the connection’s life', () => {
    const phases = entries.map((e) => e.phase).filter((phase, i, all) => phase !== all[i - 1]);
    expect(phases).toEqual(['onboarding', 'connect', 'use', 'disconnect']);
    const phaseOf = (title: string) => entries[indexOf(entries, title)]!.phase;
    expect(phaseOf('DCR: read registration (RFC 7592)')).toBe('onboarding');
    expect(phaseOf('Authorization request (front channel)')).toBe('connect');
    expect(phaseOf('Read balances')).toBe('use');
    expect(phaseOf('Revoke the refresh token')).toBe('disconnect');
    // No two different messages share a title, except the same call made again.
    expect(entries.filter((e) => e.title.startsWith('Revoke')).map((e) => e.title)).toEqual([
      'Revoke the refresh token',
      'Revoke the access token',
    ]);
  });

  it('shows the bank token endpoint’s own checks with their clauses, not one', () => {
    const exchange = entries[indexOf(entries, 'Exchange the code for tokens')]!;
    const bankChecks = exchange.checks.filter((c) => c.by === 'bank-op');
    expect(bankChecks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'Client authenticated with private_key_jwt: assertion signed by a registered key',
        'Client assertion aud is the issuer',
        'Authorization code used once',
        'PKCE: the code_verifier matches the code_challenge',
      ]),
    );
    expect(bankChecks.some((c) => bindingCheck.test(c.name) && c.passed)).toBe(true);
    expect(bankChecks.every((c) => c.passed && c.clause.length > 0)).toBe(true);
  });

  it('marks the 401 after disconnecting as expected, naming the profile', () => {
    const refusal = entries[indexOf(entries, 'Check the API refuses the old token')]!;
    expect(refusal).toMatchObject({ status: 401, phase: 'disconnect', expected: true });
    expect(refusal.expectedBecause).toMatch(profile === 'fapi2-dpop' ? /FAPI 2\.0 \+ DPoP/ : /mTLS/);
    expect(refusal.expectedBecause).toMatch(
      profile === 'fapi1-advanced' ? /FAPI 1\.0 Advanced/ : /FAPI 2\.0/,
    );
    // Every other refusal in the timeline is a nonce the flow answered at once.
    for (const entry of entries.filter((e) => (e.status ?? 0) >= 400 && e !== refusal)) {
      expect(entry.expected, entry.title).toBe(true);
      expect(entry.expectedBecause).toMatch(/use_dpop_nonce/);
      expect(entries[entries.indexOf(entry) + 1]!.title).toMatch(/^Retry with the server’s DPoP nonce/);
    }
  });
});

describe('a fapi1-baseline connection in the inspector', () => {
  it("shows the bank's steps of the plain authorization request, joined to the connection when the code was redeemed", async () => {
    const entries = await timeline(await connect('fapi1-baseline'));
    // No pushed request named the flow: bank-op filed the browser's steps under an id of its own, then
    // under the connection's x-fapi-interaction-id when Moneywise redeemed the code (FAPI 1.0 Part 1 §6.2.1-11).
    const authorize = indexOf(entries, 'Authorization request (front channel)');
    const consent = indexOf(entries, 'Consent decision');
    const redirect = indexOf(entries, 'Authorization response (redirect to the client)');
    const exchange = indexOf(entries, 'Exchange the code for tokens');
    expect([authorize < consent, consent < redirect, redirect < exchange]).toEqual([true, true, true]);
    expect(entries[authorize]!.checks.map((check) => check.name)).toContain(
      'Plain authorization request in the browser (no PAR, no request object), as Baseline allows',
    );
  });
});
