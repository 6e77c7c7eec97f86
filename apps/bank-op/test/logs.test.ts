// bank-op's log lines over a whole FAPI 2.0 flow: one JSON line per request, filed under the flow's
// x-fapi-interaction-id even on the front channel (where the browser sends none), and never a credential:
// no client assertion, DPoP proof, code, token, request_uri or password (RFC 6750 §5.3).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { DpopSession, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
});
afterAll(async () => {
  await sandbox?.close();
});

const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

describe("bank-op's log", () => {
  it('files every step of a DPoP flow under its interaction id and logs no credential of it', async () => {
    const client = await tpp.register({ senderConstraint: 'dpop' });
    const dpop = await DpopSession.create();
    const interactionId = randomUUID();
    const pkce = tpp.pkce();
    const par = await tpp.par(
      client,
      tpp.authorizationParams(client, await tpp.accountConsent(client), pkce),
      {
        dpop,
        headers: { 'x-fapi-interaction-id': interactionId },
      },
    );
    expect(par.status, JSON.stringify(par.body)).toBe(201);
    const requestUri = String(par.body.request_uri);
    const landing = await tpp.customerAuthorizes(tpp.authorizationUrl(client, requestUri));
    const code = landing.searchParams.get('code')!;
    const first = await tpp.redeem(client, code, pkce, { dpop });
    expect(first.status).toBe(200);
    // A code redeemed twice: refused, and logged as such (RFC 6749 §4.1.2).
    const second = await tpp.redeem(client, code, pkce, { dpop });
    expect(second.body.error).toBe('invalid_grant');

    const lines = sandbox.logs.filter((line) => line.party === 'bank-op');
    const flow = lines.filter((line) => line.interactionId === interactionId);
    // The browser's steps carry no header: bank-op finds the flow from the request_uri and interaction.
    const steps = flow
      .filter((line) => typeof line.durationMs === 'number')
      .map(
        (line) =>
          `${line.method} ${String(line.path).replace(/\/(interaction|authorize)\/[\w-]+/, '/$1/<uid>')}`,
      );
    expect(steps).toEqual([
      'POST /par', // 400 use_dpop_nonce, then again with the nonce (RFC 9449 §8)
      'POST /par',
      'GET /authorize',
      'GET /interaction/<uid>',
      'POST /interaction/<uid>/login',
      'GET /authorize/<uid>',
      'GET /interaction/<uid>',
      'POST /interaction/<uid>/consent',
      'GET /authorize/<uid>',
    ]);

    const refusal = lines.findLast((line) => line.msg.startsWith('refused POST /token'));
    expect(refusal).toMatchObject({ level: 40, status: 400, error: 'invalid_grant' });

    const raw = JSON.stringify(sandbox.logs);
    expect(raw).not.toMatch(JWT);
    for (const secret of [code, requestUri, 'wonderland', String(first.body.refresh_token)]) {
      expect(raw).not.toContain(secret);
    }
  });
});
