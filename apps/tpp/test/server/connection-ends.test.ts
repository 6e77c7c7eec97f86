// A connection lives as long as its consent, and says so when it ends: once the customer withdraws the
// consent at the bank, or the grant is revoked, the bank refuses Moneywise's refresh (invalid_grant);
// the connection is then "ended", with the bank's reason and fix, holds no token, and the learner is
// offered to reconnect. Its status never says "active" for a connection the bank has ended.
import path from 'node:path';
import { startBankApi } from '@fapi-sandbox/bank-api';
import { type BankStore, openBankStore } from '@fapi-sandbox/bank-domain';
import { type RunningBankOp, startBankOp } from '@fapi-sandbox/bank-op';
import { cookieHeader } from '@fapi-sandbox/fapi-client/customer';
import { decodeJwt } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, ConnectionView, StartConnectionResponse } from '../../src/shared/api.js';
import type { ConnectionTrace } from '../../src/shared/timeline.js';
import { visitBank } from './bank-browser.js';
import { Browser, type Sandbox, startSandbox } from './harness.js';
import { withTppDatabase } from './tpp-database.js';

const ALICE = { username: 'alice', password: 'wonderland' };

let sandbox: Sandbox;
let bank: BankStore;
let bankOp: RunningBankOp;

beforeAll(async () => {
  sandbox = await startSandbox({
    bank: async (config) => {
      bankOp = await startBankOp({ config });
      return [await startBankApi({ config }), bankOp];
    },
  });
  bank = await openBankStore({
    file: path.join(sandbox.config.dataDir, 'bank', 'bank.sqlite'),
    url: sandbox.config.databaseUrl,
  });
});
afterAll(async () => {
  await bank?.close();
  await sandbox?.close();
});

async function connect(): Promise<ConnectionView> {
  const started = await sandbox.browser.api('/connections', {
    json: { profile: 'fapi2-dpop', clientAuth: 'private_key_jwt' },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const { connection, authorizationUrl } = started.body as StartConnectionResponse;
  await visitBank(sandbox.browser, authorizationUrl, ALICE);
  const view = await connectionView(connection.id);
  expect(view.status, JSON.stringify(view.error)).toBe('active');
  return view;
}

async function connectionView(id: string): Promise<ConnectionView> {
  return (await sandbox.browser.api(`/connections/${id}`)).body as ConnectionView;
}

/** The connection's stored customer tokens (read from the TPP's database). */
function storedTokens(
  connectionId: string,
): Promise<{ access_token: string; refresh_token: string | null }[]> {
  return withTppDatabase(sandbox.config, (db) =>
    db
      .selectFrom('tokens')
      .select(['access_token', 'refresh_token'])
      .where('connection_id', '=', connectionId)
      .where('grant_name', '=', 'accounts')
      .execute(),
  );
}

describe('a connection the bank has ended', () => {
  it('is marked ended, with the reason and the fix, once the customer withdraws the consent at the bank', async () => {
    const connection = await connect();
    expect((await sandbox.browser.api(`/connections/${connection.id}/accounts`)).status).toBe(200);

    await bank.consents.revoke(connection.consentId!, { by: 'customer', customerId: 'cust-alice' });

    // The API refuses the token (the consent is revoked); Moneywise tries its refresh token once, which
    // the bank refuses too: the connection has ended.
    const refused = await sandbox.browser.api(`/connections/${connection.id}/accounts`);
    expect(refused.status).toBe(502);

    const ended = await connectionView(connection.id);
    expect(ended.status).toBe('ended');
    expect(ended.error).toMatchObject({
      party: 'bank-op',
      error: 'invalid_grant',
    } satisfies Partial<ApiError>);
    expect(ended.error!.error_description).toMatch(/revoked by the customer/);
    expect(ended.error!.error_description).toMatch(/Fix: .*connect again/);
    expect(await storedTokens(connection.id)).toEqual([]);

    // Further reads say why, instead of trying a token Moneywise no longer holds.
    const after = await sandbox.browser.api(`/connections/${connection.id}/accounts`);
    expect(after.status).toBe(409);
    expect((after.body as ApiError).error_description).toMatch(
      /The bank ended this connection: .*revoked by the customer/,
    );
  });

  it('is marked ended when its refresh token was revoked at the bank', async () => {
    const connection = await connect();
    const [token] = await storedTokens(connection.id);
    // Expire the stored access token as far as the TPP knows, so its next read refreshes first.
    await withTppDatabase(sandbox.config, (db) =>
      db
        .updateTable('tokens')
        .set({ expires_at: 0 })
        .where('connection_id', '=', connection.id)
        .where('grant_name', '=', 'accounts')
        .execute(),
    );
    // What bank-op does when the grant is revoked (RFC 7009 §2.1): its tokens and the grant are gone,
    // and the revocation is recorded for bank-api.
    const grantId = String(decodeJwt(token!.access_token).grant_id);
    await bankOp.provider.RefreshToken.adapter.revokeByGrantId(grantId);
    await bankOp.provider.Grant.adapter.destroy(grantId);
    await bank.revocations.revokeGrant(grantId, 'refresh token revoked');

    expect((await sandbox.browser.api(`/connections/${connection.id}/accounts`)).status).toBe(502);
    const ended = await connectionView(connection.id);
    expect(ended.status).toBe('ended');
    expect(ended.error!.error_description).toMatch(/RFC 7009 section 2\.1.*Fix: .*connect again/);
  });

  it('offers to reconnect: a new connection with the same profile that works', async () => {
    const connection = await connect();
    await bank.consents.revoke(connection.consentId!, { by: 'customer', customerId: 'cust-alice' });
    await sandbox.browser.api(`/connections/${connection.id}/accounts`);
    expect((await connectionView(connection.id)).status).toBe('ended');

    const again = await connect();
    expect(again.profile).toBe(connection.profile);
    expect(again.consentId).not.toBe(connection.consentId);
    expect((await sandbox.browser.api(`/connections/${again.id}/accounts`)).status).toBe(200);
  });

  it('after a disconnect, the API refuses the old token at once because its grant was revoked', async () => {
    const connection = await connect();
    const response = await sandbox.browser.api(`/connections/${connection.id}/disconnect`, {
      method: 'POST',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const outcome = response.body as { oldTokenStatus?: number; oldTokenRefusal?: string };
    expect(outcome.oldTokenStatus).toBe(401);
    expect(outcome.oldTokenRefusal).toMatch(/grant .* was revoked .*refresh token revoked/);

    // The inspector shows both ends: bank-op recording the revocation, bank-api's check refusing the token.
    const trace = (await sandbox.browser.api(`/connections/${connection.id}/trace`)).body as ConnectionTrace;
    const checks = trace.entries.flatMap((entry) => entry.checks);
    expect(checks).toContainEqual(
      expect.objectContaining({
        name: "The grant's access tokens are refused at bank-api from now on",
        passed: true,
      }),
    );
    expect(checks).toContainEqual(
      expect.objectContaining({ name: 'bank-op revokes its own JWT access token', passed: true }),
    );
    expect(checks).toContainEqual(
      expect.objectContaining({
        name: 'Revocation: neither the token nor its grant is revoked',
        passed: false,
        detail: expect.stringMatching(/refresh token revoked/),
      }),
    );
  });

  it('Remove: a live connection is disconnected first (consent deleted at the bank), then forgotten', async () => {
    const connection = await connect();
    // The card says which accounts the customer shared, once Moneywise has read them.
    expect((await sandbox.browser.api(`/connections/${connection.id}/accounts`)).status).toBe(200);
    const card = (await sandbox.browser.api('/connections')).body as { connections: ConnectionView[] };
    expect(
      card.connections.find((c) => c.id === connection.id)?.sharedAccounts?.map((a) => a.accountId),
    ).toEqual(['70000101', '70000102']);
    // Another browser (another session) cannot remove it: it is not theirs to see.
    const stranger = new Browser(sandbox.config);
    try {
      const refused = await stranger.api(`/connections/${connection.id}`, { method: 'DELETE' });
      expect(refused.status).toBe(404);
    } finally {
      await stranger.close();
    }
    const crossSite = await fetch(`${sandbox.config.tpp.web.origin}/api/connections/${connection.id}`, {
      method: 'DELETE',
      headers: {
        origin: 'https://evil.example',
        cookie: cookieHeader(sandbox.browser.cookies, new URL(sandbox.config.tpp.web.origin)) ?? '',
      },
      dispatcher: sandbox.browser.agent,
    });
    expect(crossSite.status).toBe(403);
    expect((await connectionView(connection.id)).status).toBe('active');

    const removed = await sandbox.browser.api(`/connections/${connection.id}`, { method: 'DELETE' });
    expect(removed.status, removed.text).toBe(204);
    expect((await bank.consents.get(connection.consentId!))?.status).toBe('Revoked');
    expect(await storedTokens(connection.id)).toEqual([]);
    expect((await sandbox.browser.api(`/connections/${connection.id}`)).status).toBe(404);
    const list = (await sandbox.browser.api('/connections')).body as { connections: ConnectionView[] };
    expect(list.connections.map((c) => c.id)).not.toContain(connection.id);
  });

  it('Remove: a connection never completed at the bank is simply forgotten', async () => {
    const started = await sandbox.browser.api('/connections', {
      json: { profile: 'fapi2-dpop', clientAuth: 'private_key_jwt' },
    });
    const { connection } = started.body as StartConnectionResponse;
    expect(connection.status).toBe('authorising');
    const removed = await sandbox.browser.api(`/connections/${connection.id}`, { method: 'DELETE' });
    expect(removed.status, removed.text).toBe(204);
    expect((await sandbox.browser.api(`/connections/${connection.id}`)).status).toBe(404);
  });
});
