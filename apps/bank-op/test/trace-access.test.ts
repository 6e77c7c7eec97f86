// GET /trace at bank-op: on the mTLS listener only, for the participant whose transport certificate asks,
// with the events of its clients (back channel and the customer's pages of its authorizations); another
// participant sees none of them. Malformed queries get a 400 naming the parameter; credentials sent in
// the wrong place are redacted like any other.
import { randomUUID } from 'node:crypto';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { type Dispatcher, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { json, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let moneywise: TestTpp;
let budgetly: TestTpp;
let untrusted: Dispatcher;

beforeAll(async () => {
  sandbox = await startSandbox();
  moneywise = new TestTpp(sandbox, sandbox.config.participants.demo);
  budgetly = new TestTpp(sandbox, sandbox.config.participants.second);
  const { negative } = sandbox.config;
  untrusted = createSandboxAgent(
    { certFile: negative.untrustedTransportCert, keyFile: negative.untrustedTransportKey },
    sandbox.config,
  );
});
afterAll(async () => {
  await untrusted?.close();
  await sandbox?.close();
});

async function readTrace(as: Dispatcher, query = '') {
  return json(await fetch(`${sandbox.config.bankOp.mtls.origin}/trace${query}`, { dispatcher: as }));
}

/** A client-credentials token request of `tpp`'s client, filed under `interactionId`. */
async function tokenRequest(tpp: TestTpp, interactionId: string, extra: Record<string, string> = {}) {
  const client = await tpp.register();
  const response = await fetch(`${tpp.endpoint(client, '/token')}${extra.query ?? ''}`, {
    method: 'POST',
    dispatcher: tpp.transport,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-fapi-interaction-id': interactionId,
      ...(extra.apiKey ? { 'x-api-key': extra.apiKey } : {}),
    },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'accounts',
      ...(await tpp.clientAuth(client)),
    }).toString(),
  });
  await response.body?.cancel();
  return response.status;
}

describe('who reads bank-op’s trace', () => {
  it('points a caller of the web listener to the mTLS one with 401', async () => {
    const response = await json(
      await fetch(`${sandbox.config.bankOp.issuer}/trace`, { dispatcher: sandbox.plain }),
    );
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_client');
    expect(response.body.error_description).toContain(`${sandbox.config.bankOp.mtls.origin}/trace`);
  });

  it('refuses a caller without a certificate with 401, and one the directory did not issue with 403', async () => {
    const none = await readTrace(sandbox.plain);
    expect(none.status).toBe(401);
    expect(none.body.error_description).toMatch(/RFC 8705 section 2.*Fix: call/);
    const foreign = await readTrace(untrusted);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toBe('access_denied');
  });

  it('shows Moneywise its token request, and Budgetly nothing of it', async () => {
    const interactionId = randomUUID();
    expect(await tokenRequest(moneywise, interactionId)).toBe(200);

    const own = await readTrace(moneywise.transport, `?interaction_id=${interactionId}`);
    expect(own.status).toBe(200);
    expect(own.body.events).toEqual([
      expect.objectContaining({ step: 'Token request', participant: moneywise.participant.softwareId }),
    ]);
    const theirs = await readTrace(budgetly.transport, `?interaction_id=${interactionId}`);
    expect(theirs.status).toBe(200);
    expect(theirs.body.events).toEqual([]);
    const everything = (await readTrace(budgetly.transport)).body.events as TraceEvent[];
    expect(everything.every((event) => event.participant === budgetly.participant.softwareId)).toBe(true);
  });
});

describe('a trace that stays readable', () => {
  it.each([
    ['?limit=99999999999999999999', 'limit'],
    ['?interaction_id[]=1', "'interaction_id[]'"],
    ['?interaction_id=not-a-uuid', 'interaction_id'],
    ['?since=yesterday', 'since'],
  ])('answers %s with 400 invalid_request naming %s', async (query, named) => {
    const response = await readTrace(moneywise.transport, query);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_request');
    expect(response.body.error_description).toContain(`Trace query parameter ${named}`);
  });

  it('keeps no credential sent in the query or in x-api-key', async () => {
    const interactionId = randomUUID();
    const apiKey = 'sk_live_0123456789abcdef';
    await tokenRequest(moneywise, interactionId, { query: '?access_token=leaked-token-0123456789', apiKey });
    const { body } = await readTrace(moneywise.transport, `?interaction_id=${interactionId}`);
    const [event] = body.events as TraceEvent[];
    expect(event).toBeDefined();
    const stored = JSON.stringify(sandbox.bankOp.trace.list());
    expect(stored).not.toContain('leaked-token-0123456789');
    expect(stored).not.toContain(apiKey);
    expect(event!.requestHeaders?.['x-api-key']).toBe('sk_live_…');
  });
});
