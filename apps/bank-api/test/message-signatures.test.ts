// FAPI 2.0 Message Signing NR5/NR6 at the resource server (FAPI 2.0 HTTP Signatures §5.3): with signatures
// required, a payment the TPP signed with its registered key executes once and its answer carries the
// bank's signature, verifiable with the keys bank-api publishes; an unsigned, tampered, stale, partly
// covered or foreign-key request is refused with 401 and the clause. Reads stay unsigned.
import { randomUUID } from 'node:crypto';
import {
  type HttpRequestParts,
  jwksLookup,
  type MessageSigningKey,
  verifyResponse,
} from '@fapi-sandbox/fapi-core/http-signatures';
import { loadSigningKeys } from '@fapi-sandbox/fapi-core/jose/keys';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import type { JWK } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse, CallOptions, TestClient } from './support/clients.js';
import { ALICE, accountAccess, initiation, RISK, type Sandbox, startSandbox } from './support/sandbox.js';

let sb: Sandbox;
let moneywiseKey: MessageSigningKey;
let budgetlyKey: MessageSigningKey;
let bankKeys: { keys: JWK[] };

async function signingKey(file: string, alg: 'PS256' | 'ES256'): Promise<MessageSigningKey> {
  const key = (await loadSigningKeys(file)).forAlg(alg);
  return { kid: key.kid, alg: key.alg, key: key.key };
}

beforeAll(async () => {
  sb = await startSandbox({ requireSignatures: true });
  moneywiseKey = await signingKey(sb.config.participants.demo.signingJwks, 'PS256');
  budgetlyKey = await signingKey(sb.config.participants.second.signingJwks, 'PS256');
  const agent = createSandboxAgent({}, sb.config);
  bankKeys = (await (await fetch(`${sb.config.bankApi.web.origin}/jwks`, { dispatcher: agent })).json()) as {
    keys: JWK[];
  };
  await agent.close();
  // Only the public half leaves bank-api (RFC 7517 §9.3).
  expect(bankKeys.keys.map((key) => [key.alg, 'd' in key])).toEqual([
    ['PS256', false],
    ['ES256', false],
  ]);
}, 120_000);
afterAll(async () => {
  await sb?.stop();
});

const reject = (violation: { description: string }) => new Error(violation.description);

/** The bank's response signature, checked as the TPP checks it (§5.3.2.2). */
function verifyAnswer(response: ApiResponse) {
  const headers: HttpRequestParts['headers'] = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return verifyResponse({ status: response.status, headers, body: response.text }, response.sent, {
    keys: jwksLookup(bankKeys),
    reject,
  });
}

/** A signed payment consent, authorised by Alice, and the token that can execute it. */
async function signedPaymentAccess(client: TestClient) {
  const ccToken = await sb.tokens.clientCredentials(client, 'payments');
  const created = await sb.call(client, 'POST', '/pisp/domestic-payment-consents', {
    token: ccToken,
    body: { Data: { Initiation: initiation() }, Risk: RISK },
    signed: { key: moneywiseKey },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await verifyAnswer(created);
  const consentId = created.body.Data.ConsentId as string;
  const token = await sb.tokens.authorizationCode(client, 'payments', consentId, {
    ...ALICE,
    accountIds: [ALICE.current],
  });
  return { consentId, token, body: { Data: { ConsentId: consentId, Initiation: initiation() }, Risk: RISK } };
}

function expectRefused(response: ApiResponse, clause: RegExp) {
  expect(response.status, JSON.stringify(response.body)).toBe(401);
  expect(response.body.error).toBe('invalid_request');
  expect(response.body.error_description).toMatch(clause);
  expect(response.body.error_description).toMatch(/Fix: /);
}

describe.each(['moneywiseDpop', 'moneywiseMtls'] as const)('a signed payment from %s', (name) => {
  it('executes once, and every answer is signed by bank-api and bound to the request', async () => {
    const client = sb.clients[name];
    const { token, body } = await signedPaymentAccess(client);
    const key = randomUUID();
    const first = await sb.call(client, 'POST', '/pisp/domestic-payments', {
      token,
      body,
      idempotencyKey: key,
      signed: { key: moneywiseKey },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const signature = await verifyAnswer(first);
    expect(signature).toMatchObject({
      tag: 'fapi-2-response',
      keyid: bankKeys.keys.find((k) => k.alg === 'ES256')!.kid,
    });
    expect(signature.covered).toEqual(
      expect.arrayContaining(['"@status"', '"content-digest"', '"signature";req;key="fapi"']),
    );
    // The retry (a fresh signature, the same key) answers with the same payment: it executed once.
    const retry = await sb.call(client, 'POST', '/pisp/domestic-payments', {
      token,
      body,
      idempotencyKey: key,
      signed: { key: moneywiseKey },
    });
    expect(retry.body.Data.DomesticPaymentId).toBe(first.body.Data.DomesticPaymentId);
    await verifyAnswer(retry);
    // The pipeline's verdict is in the trace, naming the key.
    const events = sb.api.trace.list().filter((e) => e.step === 'POST domestic payment');
    const check = events.at(-1)!.checks.find((c) => c.name.startsWith('Message signature'));
    expect(check).toMatchObject({ passed: true });
    expect(check!.detail).toContain(`signed by key ${moneywiseKey.kid} (PS256)`);
  });
});

describe('a payment request the bank refuses (FAPI 2.0 HTTP Signatures §5.3.1.2)', () => {
  let access: Awaited<ReturnType<typeof signedPaymentAccess>>;
  const client = () => sb.clients.moneywiseDpop;
  const pay = (signed: CallOptions['signed']) =>
    sb.call(client(), 'POST', '/pisp/domestic-payments', {
      token: access.token,
      body: access.body,
      ...(signed ? { signed } : {}),
      validate: false,
    });

  beforeAll(async () => {
    access = await signedPaymentAccess(client());
  }, 60_000);

  it('unsigned, when the bank requires signatures: 401', async () => {
    expectRefused(await pay(undefined), /section 5\.3\.1\.2-3/);
  });

  it('an unsigned payment consent too', async () => {
    const ccToken = await sb.tokens.clientCredentials(client(), 'payments');
    const response = await sb.call(client(), 'POST', '/pisp/domestic-payment-consents', {
      token: ccToken,
      body: { Data: { Initiation: initiation() }, Risk: RISK },
    });
    expectRefused(response, /section 5\.3\.1\.2-3/);
  });

  it('with the amount changed after signing: the Content-Digest no longer matches', async () => {
    const tampered = JSON.stringify(access.body).replace('25.50', '2550.00');
    const response = await pay({ key: moneywiseKey, bodyAfterSigning: tampered });
    expectRefused(response, /does not match its Content-Digest.*RFC 9530/);
    // The refusal is signed too: the bank stands by its answer.
    await verifyAnswer(response);
  });

  it('leaving content-digest out of the signature', async () => {
    const response = await pay({
      key: moneywiseKey,
      fields: ['@method', '@target-uri', 'authorization', 'dpop'],
    });
    expectRefused(response, /does not cover 'content-digest'.*section 5\.3\.1\.2-8/);
  });

  it('leaving the DPoP proof out of the signature', async () => {
    const response = await pay({
      key: moneywiseKey,
      fields: ['@method', '@target-uri', 'authorization', 'content-digest'],
    });
    expectRefused(response, /does not cover 'dpop'.*section 5\.3\.1\.2-7/);
  });

  it('signed 2 minutes ago (a replayed signature)', async () => {
    const response = await pay({ key: moneywiseKey, created: new Date(Date.now() - 120_000) });
    expectRefused(response, /section 5\.3\.1\.2-6/);
  });

  it("signed with another TPP's key: keyid not in the client's registered JWKS", async () => {
    const response = await pay({ key: budgetlyKey });
    expectRefused(response, /is not a key of the signer's registered JWKS.*section 5\.3\.1\.2-1/);
  });

  it("signed with another TPP's key under the client's kid: the signature does not verify", async () => {
    const response = await pay({ key: { ...budgetlyKey, kid: moneywiseKey.kid } });
    expectRefused(response, /does not verify.*section 5\.3\.1\.2-2/);
  });

  it('leaves reads alone: an unsigned account read is answered, unsigned', async () => {
    const reader = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, reader);
    const response = await sb.call(reader, 'GET', '/aisp/accounts', { token });
    expect(response.status).toBe(200);
    expect(response.headers.get('signature')).toBeNull();
  });
});
