// What happens to a connection's tokens over time, against the real bank: a token about to expire is
// refreshed before it is used; a token the API refuses as invalid_token is refreshed once and the call
// retried; and the DPoP nonce each server asks for (RFC 9449 §8, §9) is fetched and used. Time moves by
// the clocks the TPP and bank-api take (bank-op keeps the real one, as it issues the tokens).
import { startBankApi } from '@fapi-sandbox/bank-api';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, ConnectionView, StartConnectionResponse } from '../../src/shared/api.js';
import type { ConnectionTrace, TimelineEntry } from '../../src/shared/timeline.js';
import { visitBank } from './bank-browser.js';
import { type Sandbox, startSandbox } from './harness.js';
import { withTppDatabase } from './tpp-database.js';

const ALICE = { username: 'alice', password: 'wonderland' };

/** How far each clock is moved ahead of real time, in ms. */
const offsets = { tpp: 0, bankApi: 0 };

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    tpp: { now: () => Date.now() + offsets.tpp },
    bank: async (config) => {
      const op = await startBankOp({ config });
      const api = await startBankApi({ config, now: () => Date.now() + offsets.bankApi });
      return [api, op];
    },
  });
});
afterAll(async () => {
  await sandbox?.close();
});
afterEach(() => {
  offsets.tpp = 0;
  offsets.bankApi = 0;
});

async function connect(profile: string, clientAuth: string): Promise<ConnectionView> {
  const started = await sandbox.browser.api('/connections', { json: { profile, clientAuth } });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const { connection, authorizationUrl } = started.body as StartConnectionResponse;
  await visitBank(sandbox.browser, authorizationUrl, ALICE);
  const view = (await sandbox.browser.api(`/connections/${connection.id}`)).body as ConnectionView;
  expect(view.status, JSON.stringify(view.error)).toBe('active');
  return view;
}

/** The connection's customer access token as the TPP stored it (read from its database). */
async function storedAccessToken(connectionId: string): Promise<{ accessToken: string; expiresAt: number }> {
  const row = await withTppDatabase(sandbox.config, (db) =>
    db
      .selectFrom('tokens')
      .select(['access_token', 'expires_at'])
      .where('connection_id', '=', connectionId)
      .where('grant_name', '=', 'accounts')
      .executeTakeFirstOrThrow(),
  );
  return { accessToken: row.access_token, expiresAt: Number(row.expires_at) };
}

async function timeline(connectionId: string): Promise<TimelineEntry[]> {
  const trace = (await sandbox.browser.api(`/connections/${connectionId}/trace`)).body as ConnectionTrace;
  expect(trace.unavailable).toEqual([]);
  return trace.entries;
}

/** Entries recorded after `since` (ISO time), in order. */
const entriesAfter = (entries: TimelineEntry[], since: string) => entries.filter((e) => e.at > since);

const route = (e: TimelineEntry) => [e.title, e.status];

describe('token refresh', () => {
  it('refreshes an access token about to expire before using it, so the API never sees it expired', async () => {
    const connection = await connect('fapi2-mtls', 'private_key_jwt');
    const before = await storedAccessToken(connection.id);
    // The TPP's clock reaches 2 s before the token's expiry, inside the margin it refreshes within.
    offsets.tpp = (before.expiresAt - 2) * 1000 - Date.now();
    const since = new Date().toISOString();

    const accounts = await sandbox.browser.api(`/connections/${connection.id}/accounts`);
    expect(accounts.status, JSON.stringify(accounts.body)).toBe(200);

    const steps = entriesAfter(await timeline(connection.id), since);
    expect(steps.map(route)).toEqual([
      ['Refresh the access token', 200],
      ['Check the token is bound to Moneywise', undefined],
      ['Read accounts', 200],
    ]);
    expect(steps[0]!.reportedBy).toEqual(['tpp', 'bank-op']);
    expect((steps[0]!.requestBody as Record<string, string>).grant_type).toBe('refresh_token');
    expect(steps[1]!.checks.every((c) => c.passed)).toBe(true);
    const refreshed = await storedAccessToken(connection.id);
    expect(refreshed.accessToken).not.toBe(before.accessToken);
    // The new token carries the same certificate binding (RFC 8705 §3.1) and a later expiry.
    expect(decodeJwt(refreshed.accessToken).cnf).toEqual(decodeJwt(before.accessToken).cnf);
    expect(refreshed.expiresAt).toBeGreaterThan(before.expiresAt);
  });

  it('uses a token that is not about to expire as it is', async () => {
    const connection = await connect('fapi2-mtls', 'tls_client_auth');
    const before = await storedAccessToken(connection.id);
    offsets.tpp = (before.expiresAt - 60) * 1000 - Date.now();
    const since = new Date().toISOString();
    expect((await sandbox.browser.api(`/connections/${connection.id}/accounts`)).status).toBe(200);
    expect(entriesAfter(await timeline(connection.id), since).map(route)).toEqual([['Read accounts', 200]]);
    expect((await storedAccessToken(connection.id)).accessToken).toBe(before.accessToken);
  });

  it('refreshes once when the API answers 401 invalid_token for a token the TPP thought valid, and retries', async () => {
    const connection = await connect('fapi2-mtls', 'tls_client_auth');
    const { accessToken } = await storedAccessToken(connection.id);
    const { iat, exp } = decodeJwt(accessToken) as { iat: number; exp: number };
    // The refreshed token must be issued a few seconds later than this one, so that bank-api's clock can
    // stand past the first token's expiry (plus its 10 s tolerance) and before the second one's.
    while (Date.now() / 1000 < iat + 3) await new Promise((resolve) => setTimeout(resolve, 200));
    offsets.bankApi = (exp + 11) * 1000 - Date.now();
    const since = new Date().toISOString();

    const accounts = await sandbox.browser.api(`/connections/${connection.id}/accounts`);
    expect(accounts.status, JSON.stringify(accounts.body)).toBe(200);

    const steps = entriesAfter(await timeline(connection.id), since);
    expect(steps.map(route)).toEqual([
      ['Read accounts', 401],
      ['Refresh the access token', 200],
      ['Check the token is bound to Moneywise', undefined],
      ['Read accounts', 200],
    ]);
    // RFC 6750 §3.1: the API said why, and bank-api's own record of the refusal is merged in.
    expect(steps[0]!.responseHeaders?.['www-authenticate']).toMatch(/error="invalid_token"/);
    expect(steps[0]!.responseHeaders?.['www-authenticate']).toMatch(/expired/);
    expect(steps[0]!.reportedBy).toEqual(['tpp', 'bank-api']);
    expect((await storedAccessToken(connection.id)).accessToken).not.toBe(accessToken);
  });

  it('refreshes only once: a new token the API refuses too is reported, not retried again', async () => {
    const connection = await connect('fapi2-mtls', 'private_key_jwt');
    // bank-api's clock is two hours ahead: every token bank-op issues is expired there.
    offsets.bankApi = 2 * 60 * 60 * 1000;
    const since = new Date().toISOString();

    const accounts = await sandbox.browser.api(`/connections/${connection.id}/accounts`);
    expect(accounts.status).toBe(502);
    expect(accounts.body as ApiError).toMatchObject({
      party: 'bank-api',
      status: 401,
      error: 'invalid_token',
      step: 'Read accounts',
    });
    expect((accounts.body as ApiError).error_description).toMatch(/expired/);
    expect(entriesAfter(await timeline(connection.id), since).map(route)).toEqual([
      ['Read accounts', 401],
      ['Refresh the access token', 200],
      ['Check the token is bound to Moneywise', undefined],
      ['Read accounts', 401],
    ]);
  });
});

describe('DPoP nonces', () => {
  /** The entry right after `entry` that went to the same party. */
  function retryOf(entries: TimelineEntry[], entry: TimelineEntry): TimelineEntry {
    const next = entries.slice(entries.indexOf(entry) + 1).find((e) => e.to === entry.to);
    expect(next, `a retry after ${entry.title}`).toBeTruthy();
    return next!;
  }

  const proofOf = (entry: TimelineEntry) =>
    entry.jwts.find((j) => j.header.typ === 'dpop+jwt' && j.by === 'tpp');

  it('answers use_dpop_nonce at the bank’s token endpoint and API with a new proof carrying the nonce', async () => {
    const connection = await connect('fapi2-dpop', 'private_key_jwt');
    const entries = await timeline(connection.id);

    // RFC 9449 §8: the authorization server answers 400 use_dpop_nonce with a DPoP-Nonce header.
    const asRefusal = entries.find(
      (e) =>
        e.to === 'bank-op' && e.status === 400 && (e.responseBody as ApiError)?.error === 'use_dpop_nonce',
    );
    expect(asRefusal, entries.map((e) => `${e.title} ${e.status}`).join(' | ')).toBeTruthy();
    const asNonce = asRefusal!.responseHeaders?.['dpop-nonce'];
    expect(asNonce).toBeTruthy();
    expect(proofOf(asRefusal!)?.claims.nonce).toBeUndefined();
    const asRetry = retryOf(entries, asRefusal!);
    expect(asRetry.title).toBe(`Retry with the server’s DPoP nonce: ${asRefusal!.title}`);
    expect(asRetry.status).toBe(200);
    expect(asRetry.clause).toBe('RFC 9449 §8 (AS), §9 (RS)');
    expect(proofOf(asRetry)?.claims.nonce).toBe(asNonce);
    // Both token requests went to bank-op's web listener (private_key_jwt, no certificate): its records of
    // them are merged into the TPP's back-channel messages, not drawn as browser requests.
    expect(asRefusal!.reportedBy).toEqual(['tpp', 'bank-op']);
    expect(asRetry.reportedBy).toEqual(['tpp', 'bank-op']);
    expect(
      entries.filter((e) => e.from === 'browser' && e.url && new URL(e.url).pathname.endsWith('/token')),
    ).toEqual([]);

    // RFC 9449 §9: the resource server answers 401 with WWW-Authenticate error="use_dpop_nonce".
    const rsRefusal = entries.find(
      (e) =>
        e.to === 'bank-api' &&
        e.status === 401 &&
        /use_dpop_nonce/.test(e.responseHeaders?.['www-authenticate'] ?? ''),
    );
    expect(rsRefusal, entries.map((e) => `${e.title} ${e.status}`).join(' | ')).toBeTruthy();
    const rsNonce = rsRefusal!.responseHeaders?.['dpop-nonce'];
    expect(rsNonce).toBeTruthy();
    const rsRetry = retryOf(entries, rsRefusal!);
    expect(rsRetry.title).toBe(`Retry with the server’s DPoP nonce: ${rsRefusal!.title}`);
    expect(rsRetry.status).toBeGreaterThanOrEqual(200);
    expect(rsRetry.status).toBeLessThan(300);
    expect(proofOf(rsRetry)?.claims.nonce).toBe(rsNonce);
    // bank-api checked the retried proof itself and found the binding intact.
    expect(rsRetry.reportedBy).toEqual(['tpp', 'bank-api']);
    expect(rsRetry.checks.filter((c) => c.by === 'bank-api').every((c) => c.passed)).toBe(true);

    // Later calls to the API carry the remembered nonce at once: one refusal for the whole connection.
    const apiRefusals = entries.filter(
      (e) => e.to === 'bank-api' && /use_dpop_nonce/.test(e.responseHeaders?.['www-authenticate'] ?? ''),
    );
    expect(apiRefusals).toHaveLength(1);
  });
});
