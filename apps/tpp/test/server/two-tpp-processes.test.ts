// Two TPP processes sharing one PostgreSQL database (FAPI_TPP_DATABASE_URL), as a hosted sandbox may run
// them behind one address: the learner's browser session begun at one is honoured by the other, and the
// bank's redirect back delivered to both at the same instant redeems its code once and makes one active
// connection (RFC 6749 §10.5). Runs in the hosted run (pnpm test:hosted), where each sandbox's TPP has a
// PostgreSQL database of its own; an embedded SQLite file belongs to the processes of one host.
import { CustomerBrowser, cookieHeader, redirectOf } from '@fapi-sandbox/fapi-client/customer';
import { workerPort } from '@fapi-sandbox/fapi-core/testing';
import { hostedStorageRequested } from '@fapi-sandbox/fapi-core/testing-services';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningTpp, startTpp } from '../../src/index.js';
import type { ConnectionView, StartConnectionResponse } from '../../src/shared/api.js';
import { STEPS } from '../../src/trace/steps.js';
import { realBank, type Sandbox, startSandbox } from './harness.js';
import { withTppDatabase } from './tpp-database.js';

const ALICE = { username: 'alice', password: 'wonderland' };

describe.skipIf(!hostedStorageRequested())('two TPP processes sharing one PostgreSQL database', () => {
  let sandbox: Sandbox;
  let second: RunningTpp;
  let secondOrigin: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ bank: realBank });
    const { config } = sandbox;
    const port = await workerPort();
    secondOrigin = `https://${config.tpp.web.host}:${port}`;
    second = await startTpp({
      config: { ...config, tpp: { ...config.tpp, web: { ...config.tpp.web, port, origin: secondOrigin } } },
      web: 'none',
    });
  });
  afterAll(async () => {
    await second?.stop();
    await sandbox?.close();
  });

  /** The same browser at the second process: a browser's cookies are per host, not per port (RFC 6265 §8.5). */
  async function atSecond(path: string): Promise<{ status: number; location: string | null; body: unknown }> {
    const cookie = cookieHeader(sandbox.browser.cookies, new URL(sandbox.config.tpp.web.origin));
    const response = await fetch(`${secondOrigin}${path}`, {
      headers: cookie ? { cookie } : {},
      dispatcher: sandbox.browser.agent,
      redirect: 'manual',
    });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
    return { status: response.status, location: response.headers.get('location'), body: json };
  }

  it('honours at one process the session begun at the other, and redeems a callback sent to both at once exactly once', async () => {
    expect(sandbox.config.tppDatabaseUrl).toMatch(/^postgres/);
    const started = await sandbox.browser.api('/connections', {
      json: { profile: 'fapi2-dpop', clientAuth: 'private_key_jwt' },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const { connection, authorizationUrl } = started.body as StartConnectionResponse;

    const seen = await atSecond(`/api/connections/${connection.id}`);
    expect(seen.status, JSON.stringify(seen.body)).toBe(200);
    expect((seen.body as ConnectionView).status).toBe('authorising');

    const atTheBank = new CustomerBrowser({
      dispatcher: sandbox.browser.agent,
      bank: sandbox.config.bankOp.issuer,
      cookies: sandbox.browser.cookies,
    });
    const back = redirectOf(await atTheBank.authorize(authorizationUrl, ALICE, { decision: 'allow' }));
    const query = `${back.url.pathname}${back.url.search}`;
    const landings = await Promise.all([
      sandbox.browser.request(`${sandbox.config.tpp.web.origin}${query}`),
      atSecond(query),
    ]);
    expect(landings.map((landing) => landing.status)).toEqual([303, 303]);

    const listed = (await atSecond('/api/connections')).body as { connections: ConnectionView[] };
    expect(listed.connections.map((c) => [c.id, c.status])).toEqual([[connection.id, 'active']]);
    // The code went to the bank's token endpoint once: the other process claimed nothing and sent nothing.
    // (Reading each process's inspector first waits for the trace events it has yet to store.)
    await sandbox.browser.api(`/connections/${connection.id}/trace`);
    await atSecond(`/api/connections/${connection.id}/trace`);
    const exchanges = await withTppDatabase(sandbox.config, (db) =>
      db
        .selectFrom('trace_events')
        .select('event_json')
        .where('scope', '=', connection.interactionId)
        .execute(),
    );
    const tokenCalls = exchanges
      .map((row) => JSON.parse(row.event_json) as { step: string; direction: string })
      .filter((event) => event.step === STEPS['token-code'].title && event.direction === 'outbound');
    expect(tokenCalls).toHaveLength(1);
  });
});
