// Opaque access tokens at the resource server: bank-api cannot read them, so at every call it asks bank-op
// (RFC 7662 introspection over mTLS, answer signed per RFC 9701), then runs the same binding, revocation,
// participant and consent checks as for a JWT. A revoked grant is refused at the next call; when bank-op
// cannot be asked, the call fails closed with 503, never 500 and never accepted.
import { randomUUID } from 'node:crypto';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { FLOW_VARIANTS, withOpaqueAccessTokens } from '@fapi-sandbox/fapi-client';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, connectTestClient, type TestClient } from './support/clients.js';
import { ALICE, ALL_READ, type Sandbox, startSandbox } from './support/sandbox.js';

let sb: Sandbox;
const opaque: Partial<Record<'dpop' | 'mtls', TestClient>> = {};

beforeAll(async () => {
  sb = await startSandbox();
  const { demo } = sb.config.participants;
  for (const binding of ['dpop', 'mtls'] as const) {
    const variant = FLOW_VARIANTS.find((v) => v.id === `fapi2-${binding}`)!;
    opaque[binding] = await connectTestClient(
      sb.config,
      demo,
      withOpaqueAccessTokens(variant),
      `Moneywise (${binding}, opaque)`,
    );
  }
});
afterAll(async () => {
  await Promise.all(Object.values(opaque).map((client) => client.flow.close()));
  await sb?.stop();
});

const INTROSPECTED = 'Token: introspected at bank-op (opaque), active, for this API, in date';

/** Consent, PAR, alice allows, code, token: a connection whose access token is opaque. */
async function connected(client: TestClient) {
  const ccToken = await sb.tokens.clientCredentials(client, 'accounts');
  expect(ccToken.split('.')).toHaveLength(1);
  const created = await sb.call(client, 'POST', '/aisp/account-access-consents', {
    token: ccToken,
    body: { Data: { Permissions: ALL_READ }, Risk: {} },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { flow } = client;
  const pending = await flow.pushAuthorizationRequest(created.body.Data.ConsentId, 'openid accounts');
  const landing = await flow.customerAuthorizes(pending, ALICE, [ALICE.current]);
  return flow.exchangeCode(pending, await flow.authorizationCode(landing, pending));
}

function readAccounts(
  client: TestClient,
  token: string,
  options: { interactionId?: string; with?: TestClient } = {},
) {
  const caller = options.with ?? client;
  return sb.call(caller, 'GET', '/aisp/accounts', {
    token,
    headers: { 'x-fapi-interaction-id': options.interactionId ?? randomUUID() },
  });
}

function expectInvalidToken(response: ApiResponse, description: RegExp) {
  expect(response.status, JSON.stringify(response.body)).toBe(401);
  expect(response.body.error).toBe('invalid_token');
  expect(response.body.error_description).toMatch(description);
  expect(response.body.error_description).toMatch(/Fix: /);
}

async function traceOf(interactionId: string) {
  const response = await fetch(`${sb.config.bankApi.web.origin}/trace?interaction_id=${interactionId}`, {
    dispatcher: sb.clients.moneywiseMtls.dispatcher,
  });
  const { events } = (await response.json()) as {
    events: {
      checks: { name: string; passed: boolean; detail: string }[];
      jwts: { where: string; verified?: boolean }[];
    }[];
  };
  return events;
}

describe.each(['dpop', 'mtls'] as const)('an opaque %s-bound access token', (binding) => {
  it('is introspected at bank-op and accepted, and the trace shows the round trip', async () => {
    const client = opaque[binding]!;
    const token = await connected(client);
    expect(token.value.split('.')).toHaveLength(1);
    const interactionId = randomUUID();
    const response = await readAccounts(client, token.value, { interactionId });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.Data.Account).toHaveLength(1);

    const [event] = await traceOf(interactionId);
    const check = event!.checks.find((c) => c.name === INTROSPECTED);
    expect(check).toMatchObject({ passed: true, detail: expect.stringMatching(/introspection round trip/) });
    expect(event!.checks.find((c) => c.name.startsWith('Binding'))).toMatchObject({ passed: true });
    expect(event!.jwts.map((jwt) => jwt.where)).toContain('introspection response (RFC 9701)');
  });

  it("is refused with another client's key or certificate (the cnf bank-op reports)", async () => {
    const token = await connected(opaque[binding]!);
    const thief = binding === 'dpop' ? sb.clients.budgetlyDpop : sb.clients.budgetlyMtls;
    expectInvalidToken(
      await readAccounts(opaque[binding]!, token.value, { with: thief }),
      binding === 'dpop'
        ? /DPoP proof is signed by key .* bound to key/
        : /certificate's thumbprint .* is not the token's cnf/,
    );
  });

  it('is refused at the next call once its refresh token is revoked', async () => {
    const client = opaque[binding]!;
    const token = await connected(client);
    expect((await readAccounts(client, token.value)).status).toBe(200);
    const revoked = await client.flow.revoke(token.refreshToken!, 'refresh_token');
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    expectInvalidToken(
      await readAccounts(client, token.value),
      /bank-op says the token is not active.*RFC 7662 section 2\.2/,
    );
  });
});

describe('when bank-op cannot be asked', () => {
  it('fails closed with 503 naming introspection, never 500, never accepted', async () => {
    // The mTLS client: its certificate files the refused call under Moneywise, whose trace the test reads.
    const client = opaque.mtls!;
    const token = await connected(client);
    await sb.bankOp.stop();
    try {
      const interactionId = randomUUID();
      const response = await readAccounts(client, token.value, { interactionId });
      expect(response.status, JSON.stringify(response.body)).toBe(503);
      const [event] = await traceOf(interactionId);
      expect(event!.checks.at(-1)).toMatchObject({ name: INTROSPECTED, passed: false });
      expect(response.body.Code).toBe('503 ServiceUnavailable');
      expect(response.body.error).toBe('temporarily_unavailable');
      expect(response.body.error_description).toMatch(
        /introspection endpoint .* could not be reached.*RFC 7662/,
      );
    } finally {
      sb.bankOp = await startBankOp({ config: sb.config });
    }
  });
});
