// GET /trace on bank-api: a participant reads the events that concern it (its token's or its transport
// certificate's software_id) and nothing else; the trace stays readable whatever a caller sent; credentials
// sent in the wrong place are redacted like any other; malformed queries get a 400 naming the parameter.
import { randomUUID } from 'node:crypto';
import { createSandboxAgent, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { type Dispatcher, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountAccess, type Sandbox, startSandbox } from './support/sandbox.js';

let sb: Sandbox;
let agents: { moneywise: Dispatcher; budgetly: Dispatcher; none: Dispatcher; untrusted: Dispatcher };
beforeAll(async () => {
  sb = await startSandbox();
  const { config } = sb;
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
  await sb?.stop();
});

async function readTrace(as: Dispatcher, query = '') {
  const response = await fetch(`${sb.config.bankApi.web.origin}/trace${query}`, { dispatcher: as });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const eventsOf = (body: Record<string, unknown>) => body.events as TraceEvent[];

describe('who reads bank-api’s trace', () => {
  it('refuses a caller without a certificate with 401, naming RFC 8705 and the fix', async () => {
    const { status, body } = await readTrace(agents.none);
    expect(status).toBe(401);
    expect(body.error).toBe('invalid_client');
    expect(body.error_description).toMatch(/RFC 8705 section 2.*Fix: call .*\/trace over mutual TLS/);
  });

  it('refuses a certificate the directory did not issue with 403', async () => {
    const { status, body } = await readTrace(agents.untrusted);
    expect(status).toBe(403);
    expect(body.error).toBe('access_denied');
  });

  it('shows a participant its own calls, and another participant none of them', async () => {
    // A DPoP client's call carries no certificate: the event is filed under its token's software_id.
    const client = sb.clients.moneywiseDpop;
    const { token } = await accountAccess(sb, client);
    const id = randomUUID();
    const read = await sb.call(client, 'GET', '/aisp/accounts', {
      token,
      headers: { 'x-fapi-interaction-id': id },
    });
    expect(read.status).toBe(200);

    const own = eventsOf((await readTrace(agents.moneywise, `?interaction_id=${id}`)).body);
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ participant: sb.config.participants.demo.softwareId, status: 200 });
    expect(JSON.stringify(own[0]!.responseBody)).toContain('Account');

    const theirs = await readTrace(agents.budgetly, `?interaction_id=${id}`);
    expect(theirs.status).toBe(200);
    expect(eventsOf(theirs.body)).toEqual([]);
    // Not even without a filter: nothing Moneywise did is in Budgetly's view.
    const everything = eventsOf((await readTrace(agents.budgetly)).body);
    expect(everything.some((event) => event.participant !== sb.config.participants.second.softwareId)).toBe(
      false,
    );
  });

  it('files a call with no credentials under nobody, so no participant reads it', async () => {
    const id = randomUUID();
    const response = await fetch(`${sb.config.bankApi.baseUrl}/aisp/accounts`, {
      dispatcher: agents.none,
      headers: { 'x-fapi-interaction-id': id },
    });
    expect(response.status).toBe(401);
    expect(sb.api.trace.list({ interactionId: id })).toHaveLength(1);
    for (const agent of [agents.moneywise, agents.budgetly]) {
      expect(eventsOf((await readTrace(agent, `?interaction_id=${id}`)).body)).toEqual([]);
    }
  });
});

describe('a trace that stays readable', () => {
  it.each([
    ['?limit=99999999999999999999', 'limit'],
    ['?interaction_id[]=1', "'interaction_id[]'"],
    ['?interaction_id=1&interaction_id=2', 'interaction_id'],
    ['?interaction_id=not-a-uuid', 'interaction_id'],
    ['?since=yesterday', 'since'],
    ['?limit=ten', 'limit'],
  ])('answers %s with 400 invalid_request naming %s', async (query, named) => {
    const { status, body } = await readTrace(agents.moneywise, query);
    expect(status).toBe(400);
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).toContain(`Trace query parameter ${named}`);
    expect(body.error_description).toContain('Fix:');
  });

  it('still answers 200 after a 20,000-deep JSON body was refused with 401', async () => {
    const id = randomUUID();
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const refused = await fetch(`${sb.config.bankApi.baseUrl}/aisp/account-access-consents`, {
      method: 'POST',
      dispatcher: agents.moneywise,
      headers: { 'content-type': 'application/json', 'x-fapi-interaction-id': id },
      body: deep,
    });
    expect(refused.status).toBe(401);
    const after = await readTrace(agents.moneywise);
    expect(after.status).toBe(200);
    const event = eventsOf(after.body).find((e) => e.interactionId === id)!;
    expect(JSON.stringify(event.requestBody)).toContain('not kept');
  });
});

describe('credentials sent in the wrong place', () => {
  it('redacts ?access_token= and x-api-key like any other credential', async () => {
    const { token } = await accountAccess(sb, sb.clients.moneywiseMtls);
    const id = randomUUID();
    const apiKey = 'sk_live_0123456789abcdefghijklmnop';
    const refused = await fetch(`${sb.config.bankApi.baseUrl}/aisp/accounts?access_token=${token}`, {
      dispatcher: agents.moneywise,
      headers: { 'x-fapi-interaction-id': id, 'x-api-key': apiKey },
    });
    // A token in the query is refused (RFC 6750 §2.3 is not allowed by FAPI), and the refusal is in the trace.
    expect(refused.status).toBe(400);
    const { body } = await readTrace(agents.moneywise, `?interaction_id=${id}`);
    const [event] = eventsOf(body);
    expect(event).toBeDefined();
    const stored = JSON.stringify(event);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(apiKey);
    expect(new URL(event!.url!).searchParams.get('access_token')).toBe(`${token.slice(0, 8)}…`);
    expect(event!.requestHeaders?.['x-api-key']).toBe(`${apiKey.slice(0, 8)}…`);
    expect(JSON.stringify(sb.api.trace.list())).not.toContain(token);
  });
});
