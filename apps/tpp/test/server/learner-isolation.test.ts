// A room shares one Moneywise: each learner's browser session sees and drives only its own connections.
// Another session is told "no connection with this id in your session" (404, not 403: it learns nothing of
// what exists) for every read, payment, attack, trace and removal of someone else's connection, and its
// list stays empty. (The bank's redirect back carrying someone else's state is full-flow.test.ts's CSRF case.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionView, StartConnectionResponse } from '../../src/shared/api.js';
import { visitBank } from './bank-browser.js';
import { Browser, realBank, type Sandbox, startSandbox } from './harness.js';

const ALICE = { username: 'alice', password: 'wonderland' };

let sandbox: Sandbox;
let stranger: Browser;
let connection: ConnectionView;

beforeAll(async () => {
  sandbox = await startSandbox({ bank: realBank });
  stranger = new Browser(sandbox.config);
  const started = await sandbox.browser.api('/connections', {
    json: { profile: 'fapi2-dpop', clientAuth: 'private_key_jwt' },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const { connection: created, authorizationUrl } = started.body as StartConnectionResponse;
  await visitBank(sandbox.browser, authorizationUrl, ALICE);
  connection = (await sandbox.browser.api(`/connections/${created.id}`)).body as ConnectionView;
  expect(connection.status).toBe('active');
});
afterAll(async () => {
  await stranger?.close();
  await sandbox?.close();
});

describe("another learner's session", () => {
  it("lists none of this learner's connections", async () => {
    const mine = await sandbox.browser.api('/connections');
    expect(JSON.stringify(mine.body)).toContain(connection.id);
    const theirs = await stranger.api('/connections');
    expect(theirs.status).toBe(200);
    expect(JSON.stringify(theirs.body)).not.toContain(connection.id);
  });

  it.each([
    ['GET', ''],
    ['GET', '/accounts'],
    ['GET', '/accounts/70000101/balances'],
    ['GET', '/accounts/70000101/transactions'],
    ['GET', '/trace'],
    ['GET', '/trace/export'],
    ['GET', '/decoupled'],
    ['POST', '/payments'],
    ['POST', '/attacks/code-reuse'],
    ['POST', '/disconnect'],
    ['DELETE', ''],
  ])('is answered 404 not_found for %s /connections/:id%s of this learner', async (method, suffix) => {
    const response = await stranger.api(`/connections/${connection.id}${suffix}`, {
      method,
      ...(method === 'POST' ? { json: {} } : {}),
    });
    expect(response.status, JSON.stringify(response.body)).toBe(404);
    expect(response.body).toMatchObject({ error: 'not_found' });
    expect(String((response.body as { error_description?: string }).error_description)).toMatch(
      /in your session/,
    );
  });

  it('still works for the learner it belongs to', async () => {
    const accounts = await sandbox.browser.api(`/connections/${connection.id}/accounts`);
    expect(accounts.status, JSON.stringify(accounts.body)).toBe(200);
  });
});
