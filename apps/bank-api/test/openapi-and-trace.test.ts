// The API describes itself (OpenAPI at /open-banking/v3.1/openapi.json) and shows its work: every call's
// checks, in order, pass or fail with their clause, at GET /trace?interaction_id=.
import { randomUUID } from 'node:crypto';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { Ajv } from 'ajv';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, accountAccess, type Sandbox, startSandbox } from './support/sandbox.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

/** Moneywise's own trace, read with its transport certificate: every call here is Moneywise's. */
async function traceOf(interactionId: string): Promise<TraceEvent[]> {
  const response = await fetch(`${sb.config.bankApi.web.origin}/trace?interaction_id=${interactionId}`, {
    dispatcher: sb.clients.moneywiseMtls.dispatcher,
  });
  const { events } = (await response.json()) as { events: TraceEvent[] };
  return events;
}

const CHECKS = [
  'FAPI headers and token location',
  'Transport: DPoP proof or mutual-TLS client certificate',
  'Token: signed by bank-op, for this API, in date',
  'Binding: token cnf matches the proof key or certificate',
  'Revocation: neither the token nor its grant is revoked',
  'Participant: the software is active in the directory',
  'Message signature: the client signed the request (RFC 9421)',
  'Authorisation: scope, grant and consent',
];

describe('the OpenAPI document', () => {
  it('is served with this sandbox as its server and compiles with ajv', () => {
    expect(sb.openapi.openapi).toBe('3.0.3');
    expect(sb.openapi.servers).toEqual([expect.objectContaining({ url: sb.config.bankApi.baseUrl })]);
    const ajv = new Ajv({ strict: false });
    const schemas = (sb.openapi.components as { schemas: Record<string, unknown> }).schemas;
    ajv.addSchema({ ...sb.openapi, $id: 'doc' });
    for (const name of Object.keys(schemas))
      expect(() => ajv.compile({ $ref: `doc#/components/schemas/${name}` })).not.toThrow();
  });

  it('describes routes the API serves, and only those answer', async () => {
    const token = await sb.tokens.clientCredentials(sb.clients.moneywiseMtls, 'accounts');
    const documented = Object.entries(sb.openapi.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) =>
        Object.keys(ops).map((method) => [method.toUpperCase(), path.replace(/\{[^}]+\}/g, 'x')] as const),
    );
    expect(documented).toHaveLength(12);
    for (const [method, path] of documented) {
      const response = await sb.call(sb.clients.moneywiseMtls, method, path, {
        token,
        validate: false,
        body: method === 'POST' ? {} : undefined,
      });
      expect(response.status, `${method} ${path}`).not.toBe(404);
    }
    const unknown = await sb.call(sb.clients.moneywiseMtls, 'GET', '/aisp/standing-orders', {
      token,
      validate: false,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.Errors[0].ErrorCode).toBe('UK.OBIE.Resource.NotFound');
  });
});

describe('the flow trace', () => {
  it('records every check of a successful call, in order, with its clause', async () => {
    const client = sb.clients.moneywiseDpop;
    const { token } = await accountAccess(sb, client);
    const id = randomUUID();
    const ok = await sb.call(client, 'GET', `/aisp/accounts/${ALICE.current}/balances`, {
      token,
      headers: { 'x-fapi-interaction-id': id },
    });
    expect(ok.status).toBe(200);
    const events = await traceOf(id);
    const event = events.at(-1)!;
    expect(event).toMatchObject({
      party: 'bank-api',
      direction: 'inbound',
      status: 200,
      step: 'GET balances',
      interactionId: id,
    });
    expect(event.checks.map((c) => c.name)).toEqual(CHECKS);
    expect(event.checks.every((c) => c.passed && c.clause.length > 0)).toBe(true);
    expect(event.checks[1]!.detail).toMatch(/DPoP proof verified .* nonce current/);
    expect(event.jwts.map((j) => [j.where, j.verified])).toEqual([
      ['DPoP header', true],
      ['access token', true],
    ]);
    expect(event.requestHeaders?.authorization).toMatch(/^DPoP .{8}…$/);
  });

  it('records where a refused call stopped, and why', async () => {
    const { token } = await accountAccess(sb, sb.clients.moneywiseMtls);
    const id = randomUUID();
    const refused = await sb.call(sb.clients.moneywiseMtls, 'GET', '/aisp/accounts', {
      token,
      dispatcher: sb.clients.budgetlyMtls.dispatcher,
      headers: { 'x-fapi-interaction-id': id },
    });
    expect(refused.status).toBe(401);
    const [event] = await traceOf(id);
    expect(event!.status).toBe(401);
    expect(event!.certificate?.subject).toMatch(/CN=Bd8Kx2NvQm5Wt4RsY7jGhA/);
    expect(event!.checks.map((c) => [c.name, c.passed])).toEqual([
      [CHECKS[0], true],
      [CHECKS[1], true],
      [CHECKS[2], true],
      [CHECKS[3], false],
    ]);
    expect(event!.checks[3]!.clause).toBe('RFC 8705 §3');
  });

  it('answers health', async () => {
    const agent = createSandboxAgent({}, sb.config);
    const response = await fetch(`${sb.config.bankApi.web.origin}/health`, { dispatcher: agent });
    expect(await response.json()).toEqual({ status: 'ok', party: 'bank-api' });
    await agent.close();
  });
});
