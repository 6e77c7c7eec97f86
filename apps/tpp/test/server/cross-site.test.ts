// Cross-site request forgery against Moneywise: another site's page makes the learner's browser POST to
// the TPP's JSON API (a text/plain POST needs no CORS preflight). Every state-changing endpoint refuses
// what does not come from the TPP's own pages, before it does anything; the React app's requests pass.
import path from 'node:path';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { openSqlDatabase } from '@fapi-sandbox/fapi-core/sql-database';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OnboardingView } from '../../src/shared/api.js';
import { storedRegistrations } from './bank-registrations.js';
import { type Sandbox, startSandbox } from './harness.js';

/** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E. */
const OAUTH_DESCRIPTION_CHARSET = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    bank: async (config) => [await startBankOp({ config })],
  });
});
afterAll(async () => {
  await sandbox?.close();
});

const tpp = () => sandbox.config.tpp.web.origin;

/** Clients the bank has registered, read from bank-op's own store (its SQLite file, or PostgreSQL). */
async function clientsAtTheBank(): Promise<number> {
  const { db } = openSqlDatabase<{ oidc_model: { model: string } }>({
    file: path.join(sandbox.config.dataDir, 'bank-op', 'oidc.sqlite'),
    url: sandbox.config.databaseUrl,
  });
  try {
    const { n } = await db
      .selectFrom('oidc_model')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('model', '=', 'Client')
      .executeTakeFirstOrThrow();
    return Number(n);
  } finally {
    await db.destroy();
  }
}

async function post(apiPath: string, headers: Record<string, string>, body = 'onboard=please') {
  const response = await fetch(`${tpp()}/api${apiPath}`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', ...headers },
    body,
    dispatcher: sandbox.browser.agent,
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

function expectCrossSiteRefusal(response: { status: number; body: Record<string, string> }) {
  expect(response.status).toBe(403);
  expect(response.body.error).toBe('access_denied');
  const description = response.body.error_description ?? '';
  expect(description).toMatch(OAUTH_DESCRIPTION_CHARSET);
  expect(description).toMatch(
    /^Cross-site request refused: a state-changing request must come from a page of https:\/\/tpp\.localhost:\d+ itself/,
  );
  expect(description).toMatch(/\(W3C Fetch Metadata section 2\.4, RFC 6454 section 7\)\. Fix: use Moneywise/);
}

describe('a page on another site', () => {
  it.each([
    [
      'a modern browser (Origin and Sec-Fetch-Site)',
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    ],
    ['an older browser (Origin only)', { origin: 'https://evil.example' }],
    [
      'a sibling host of the sandbox',
      { origin: 'https://bank.localhost:9443', 'sec-fetch-site': 'same-site' },
    ],
    ['a page that hides its origin (Origin null)', { origin: 'null' }],
    ['a request that names no origin at all', {}],
  ])('cannot make the browser run onboarding: %s', async (_who, headers) => {
    expectCrossSiteRefusal(await post('/onboarding', headers));
    expect(await clientsAtTheBank()).toBe(0);
    expect(await storedRegistrations(sandbox.config)).toEqual([]);
    const view = (await sandbox.browser.api('/onboarding')).body as OnboardingView;
    expect(view.status).toBe('not-started');
  });

  it('cannot connect, pay or disconnect either, whatever the body says', async () => {
    const crossSite = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    const json = JSON.stringify({ profile: 'fapi2-dpop', clientAuth: 'private_key_jwt' });
    expectCrossSiteRefusal(await post('/connections', crossSite, json));
    expectCrossSiteRefusal(await post('/connections/c1/disconnect', crossSite));
    expectCrossSiteRefusal(await post('/connections/c1/payments', crossSite, '{"amount":"10.00"}'));
    const connections = (await sandbox.browser.api('/connections')).body as { connections: unknown[] };
    expect(connections.connections).toEqual([]);
  });

  it('cannot use our own Origin when the browser says the request is cross-site', async () => {
    expectCrossSiteRefusal(await post('/onboarding', { origin: tpp(), 'sec-fetch-site': 'cross-site' }));
    expect(await clientsAtTheBank()).toBe(0);
  });
});

describe("Moneywise's own pages", () => {
  it("still onboard: Chromium's Origin null under no-referrer passes on Sec-Fetch-Site same-origin", async () => {
    const response = await post(
      '/onboarding',
      { origin: 'null', 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
      '{}',
    );
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect((response.body as unknown as OnboardingView).status).toBe('done');
  });

  it('still onboard the way the React app does: same Origin, Sec-Fetch-Site same-origin, JSON', async () => {
    const response = await post(
      '/onboarding',
      { origin: tpp(), 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
      '{}',
    );
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect((response.body as unknown as OnboardingView).status).toBe('done');
    expect(await clientsAtTheBank()).toBeGreaterThan(0);
    expect((await storedRegistrations(sandbox.config)).length).toBe(await clientsAtTheBank());
  });
});
