// Revocation reaches the resource server (FAPI 2.0 SP §5.3.4-3): once bank-op revokes a grant or a token,
// bank-api refuses its access tokens at the next call, not when they expire ten minutes later — an
// authorization code redeemed twice (RFC 6749 §4.1.2), a refresh token revoked (RFC 7009 §2.1), one
// access token revoked (RFC 7009 §2), a TPP disconnecting. The trace names the check that refused it.

import { randomUUID } from 'node:crypto';
import type { AccessToken } from '@fapi-sandbox/fapi-client';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse, TestClient } from './support/clients.js';
import { ALICE, ALL_READ, type Sandbox, startSandbox } from './support/sandbox.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const REVOCATION_CHECK = 'Revocation: neither the token nor its grant is revoked';

/** Consent, PAR, alice allows, code: everything up to the code, so a test can redeem it twice. */
async function authorised(client: TestClient) {
  const ccToken = await sb.tokens.clientCredentials(client, 'accounts');
  const created = await sb.call(client, 'POST', '/aisp/account-access-consents', {
    token: ccToken,
    body: { Data: { Permissions: ALL_READ }, Risk: {} },
  });
  expect(created.status).toBe(201);
  const consentId = created.body.Data.ConsentId as string;
  const { flow } = client;
  const pending = await flow.pushAuthorizationRequest(consentId, 'openid accounts');
  const accountIds = [ALICE.current];
  const landing = await flow.customerAuthorizes(pending, ALICE, accountIds);
  const code = await flow.authorizationCode(landing, pending);
  return { consentId, ccToken, pending, code };
}

async function connected(client: TestClient): Promise<AccessToken & { consentId: string; ccToken: string }> {
  const { consentId, ccToken, pending, code } = await authorised(client);
  const token = await client.flow.exchangeCode(pending, code);
  expect(token.refreshToken).toEqual(expect.any(String));
  return { ...token, consentId, ccToken };
}

function readAccounts(client: TestClient, token: string, interactionId = randomUUID()) {
  return sb.call(client, 'GET', '/aisp/accounts', {
    token,
    headers: { 'x-fapi-interaction-id': interactionId },
  });
}

function expectRevoked(response: ApiResponse, description: RegExp, clause: RegExp) {
  expect(response.status, JSON.stringify(response.body)).toBe(401);
  expect(response.body.error).toBe('invalid_token');
  expect(response.body.error_description).toMatch(description);
  expect(response.body.error_description).toMatch(clause);
  expect(response.body.error_description).toMatch(/Fix: /);
  expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
}

/** Moneywise's own trace, read with its transport certificate (a trace is readable only by whom it concerns). */
async function traceOf(interactionId: string) {
  const response = await fetch(`${sb.config.bankApi.web.origin}/trace?interaction_id=${interactionId}`, {
    dispatcher: sb.clients.moneywiseMtls.dispatcher,
  });
  const { events } = (await response.json()) as {
    events: { checks: { name: string; passed: boolean; clause?: string; detail?: string }[] }[];
  };
  return events;
}

describe.each(['moneywiseDpop', 'moneywiseMtls'] as const)('revocation reaches bank-api for %s', (name) => {
  it('refuses the first access token at once when its authorization code is redeemed twice', async () => {
    const client = sb.clients[name];
    const { pending, code } = await authorised(client);
    const first = await client.flow.exchangeCode(pending, code);
    expect((await readAccounts(client, first.value)).status).toBe(200);

    // An attacker who stole the code redeems it again: the bank revokes the grant (RFC 6749 §4.1.2).
    await expect(client.flow.exchangeCode(pending, code)).rejects.toThrow(/invalid_grant/);

    const id = randomUUID();
    expectRevoked(
      await readAccounts(client, first.value, id),
      /grant .* was revoked .*authorization code redeemed twice/,
      /RFC 6749 section 4\.1\.2/,
    );
    const [event] = await traceOf(id);
    expect(event!.checks.at(-1)).toMatchObject({ name: REVOCATION_CHECK, passed: false });
  });

  it("refuses the grant's access token at once when its refresh token is revoked", async () => {
    const client = sb.clients[name];
    const token = await connected(client);
    expect((await readAccounts(client, token.value)).status).toBe(200);

    const revoked = await client.flow.revoke(token.refreshToken!, 'refresh_token');
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);

    expectRevoked(
      await readAccounts(client, token.value),
      /grant .* was revoked .*refresh token revoked.*Fix: .*connect again/,
      /RFC 7009 section 2\.1/,
    );
  });

  it('refuses a revoked access token at once, and its refreshed successor still works', async () => {
    const client = sb.clients[name];
    const token = await connected(client);
    expect((await readAccounts(client, token.value)).status).toBe(200);

    const revoked = await client.flow.revoke(token.value, 'access_token');
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);

    expectRevoked(
      await readAccounts(client, token.value),
      /access token .* was revoked/,
      /RFC 7009 section 2/,
    );
    const successor = await client.flow.refresh(token);
    expect((await readAccounts(client, successor.value)).status).toBe(200);
  });

  it('refuses the access token at once after the TPP disconnects (refresh token revoked, consent deleted)', async () => {
    const client = sb.clients[name];
    const token = await connected(client);
    expect((await readAccounts(client, token.value)).status).toBe(200);

    // What the TPP does on "Disconnect": revoke its tokens at the bank, then delete the consent at the API.
    expect((await client.flow.revoke(token.refreshToken!, 'refresh_token')).status).toBe(200);
    expect((await client.flow.revoke(token.value, 'access_token')).status).toBe(200);
    const deleted = await sb.call(client, 'DELETE', `/aisp/account-access-consents/${token.consentId}`, {
      token: token.ccToken,
    });
    expect(deleted.status).toBe(204);

    const id = randomUUID();
    expectRevoked(await readAccounts(client, token.value, id), /was revoked/, /RFC 7009/);
    const [event] = await traceOf(id);
    expect(event!.checks.map((check) => [check.name, check.passed]).at(-1)).toEqual([
      REVOCATION_CHECK,
      false,
    ]);
  });

  it('lets an unrevoked token through and says what it looked up', async () => {
    const client = sb.clients[name];
    const token = await connected(client);
    const id = randomUUID();
    expect((await readAccounts(client, token.value, id)).status).toBe(200);
    const [event] = await traceOf(id);
    const check = event!.checks.find((c) => c.name === REVOCATION_CHECK);
    expect(check).toMatchObject({ passed: true });
    expect(check!.detail).toMatch(/neither grant .* nor token .* is in the bank's revocation record/);
  });
});

describe('a token that names no grant', () => {
  it("is refused when it is a customer's token, since its grant's revocation could not be seen", async () => {
    const client = sb.clients.moneywiseMtls;
    const token = await connected(client);
    const stripped = await sb.forger.alter(token.value, { grant_id: undefined });
    expectRevoked(await readAccounts(client, stripped), /names no grant/, /FAPI 2\.0 SP section 5\.3\.4-3/);
  });
});
