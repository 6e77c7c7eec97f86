// GET /trace at the directory: on the mTLS listener only, for the participant whose transport certificate
// asks, with the events its certificate made; malformed queries get a 400 naming the parameter; nothing a
// caller sends (a deep body, a credential in the query) breaks the trace or stays in it whole.
import { randomUUID } from 'node:crypto';
import { createSandboxAgent, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { type Dispatcher, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SSA_PATH, oauthError, startTestDirectory, type TestDirectory } from './helpers.js';

let t: TestDirectory;
let agents: { moneywise: Dispatcher; budgetly: Dispatcher; none: Dispatcher; untrusted: Dispatcher };
beforeAll(async () => {
  t = await startTestDirectory();
  const { config } = t;
  agents = {
    moneywise: transportAgentFor(config.participants.demo, config),
    budgetly: transportAgentFor(config.participants.second, config),
    none: createSandboxAgent({}, config),
    untrusted: createSandboxAgent(
      { certFile: config.negative.untrustedTransportCert, keyFile: config.negative.untrustedTransportKey },
      config,
    ),
  };
});
afterAll(async () => {
  await Promise.all(Object.values(agents ?? {}).map((agent) => agent.close()));
  await t?.close();
});

const mtls = (path: string, as: Dispatcher, init: Parameters<typeof fetch>[1] = {}) =>
  fetch(`${t.config.directory.mtls.origin}${path}`, { dispatcher: as, ...init });

async function eventsOf(response: Awaited<ReturnType<typeof fetch>>): Promise<TraceEvent[]> {
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: TraceEvent[] }).events;
}

async function fetchSsa(as: Dispatcher, interactionId: string, query = '') {
  return mtls(`${DEMO_SSA_PATH(t.config)}/ssa${query}`, as, {
    headers: { 'x-fapi-interaction-id': interactionId },
  });
}

describe('who reads the directory’s trace', () => {
  it('points a caller of the web listener to the mTLS one with 401', async () => {
    const response = await t.call('/trace');
    expect(response.status).toBe(401);
    const error = await oauthError(response);
    expect(error.error).toBe('invalid_client');
    expect(error.error_description).toContain(`${t.config.directory.mtls.origin}/trace`);
  });

  it('refuses a caller without a certificate with 401, and a certificate it did not issue with 403', async () => {
    const none = await mtls('/trace', agents.none);
    expect(none.status).toBe(401);
    expect((await oauthError(none)).error_description).toMatch(/RFC 8705 section 2/);
    expect((await mtls('/trace', agents.untrusted)).status).toBe(403);
  });

  it('shows Moneywise its SSA fetch, and Budgetly nothing of it', async () => {
    const interactionId = randomUUID();
    expect((await fetchSsa(agents.moneywise, interactionId)).status).toBe(200);
    const own = await eventsOf(await mtls(`/trace?interaction_id=${interactionId}`, agents.moneywise));
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ participant: t.config.participants.demo.softwareId, status: 200 });
    expect(own[0]!.jwts[0]?.claims.software_id).toBe(t.config.participants.demo.softwareId);

    expect(await eventsOf(await mtls(`/trace?interaction_id=${interactionId}`, agents.budgetly))).toEqual([]);
    const everything = await eventsOf(await mtls('/trace', agents.budgetly));
    expect(everything.every((e) => e.participant === t.config.participants.second.softwareId)).toBe(true);
  });

  it('files Budgetly’s refused attempt at Moneywise’s SSA under Budgetly', async () => {
    const interactionId = randomUUID();
    expect((await fetchSsa(agents.budgetly, interactionId)).status).toBe(403);
    expect(await eventsOf(await mtls(`/trace?interaction_id=${interactionId}`, agents.moneywise))).toEqual(
      [],
    );
    const [attempt] = await eventsOf(await mtls(`/trace?interaction_id=${interactionId}`, agents.budgetly));
    expect(attempt).toMatchObject({ status: 403, participant: t.config.participants.second.softwareId });
  });
});

describe('a trace that stays readable', () => {
  it.each([
    ['?limit=99999999999999999999', 'limit'],
    ['?interaction_id[]=1', "'interaction_id[]'"],
    ['?interaction_id=not-a-uuid', 'interaction_id'],
    ['?since=yesterday', 'since'],
  ])('answers %s with 400 invalid_request naming %s', async (query, named) => {
    const response = await mtls(`/trace${query}`, agents.moneywise);
    expect(response.status).toBe(400);
    const error = await oauthError(response);
    expect(error.error).toBe('invalid_request');
    expect(error.error_description).toContain(`Trace query parameter ${named}`);
  });

  it('still answers 200 after a 20,000-deep JSON body, and keeps no credential sent in the query', async () => {
    const interactionId = randomUUID();
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const posted = await mtls(
      `${DEMO_SSA_PATH(t.config)}/ssa?access_token=leaked-token-0123456789`,
      agents.moneywise,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-fapi-interaction-id': interactionId,
          'x-api-key': 'sk_live_0123456789abcdef',
        },
        body: deep,
      },
    );
    expect(posted.status).toBeLessThan(500);
    const events = await eventsOf(await mtls('/trace', agents.moneywise));
    const event = events.find((e) => e.interactionId === interactionId)!;
    const stored = JSON.stringify(event);
    expect(stored).not.toContain('leaked-token-0123456789');
    expect(stored).not.toContain('sk_live_0123456789abcdef');
    expect(event.url).toContain('access_token=leaked-t');
    expect(event.requestHeaders?.['x-api-key']).toBe('sk_live_…');
  });
});
