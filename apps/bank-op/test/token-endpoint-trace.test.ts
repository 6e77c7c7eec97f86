// The token endpoint reports the bank's own checks to the flow trace, as bank-api reports its pipeline:
// client authentication, the DPoP proof or certificate, the code (issued to this client, unexpired, used
// once), PKCE and the binding of the new token, each named with its clause; a refused request shows the
// checks it passed and the rule that refused it.
import type { CheckResult, TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeFapi2 } from './support/flows.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { DpopSession, type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let mtlsClient: RegisteredClient;
let dpopClient: RegisteredClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  mtlsClient = await tpp.register({ senderConstraint: 'mtls' });
  dpopClient = await tpp.register({ senderConstraint: 'dpop' });
});
afterAll(async () => {
  await sandbox?.close();
});

/** bank-op's trace event of the latest token request. */
function lastTokenRequest(): TraceEvent {
  const event = sandbox.bankOp.trace
    .list()
    .filter((e) => e.step === 'Token request')
    .at(-1);
  expect(event, 'a token request in the trace').toBeTruthy();
  return event!;
}

const named = (checks: CheckResult[]) => checks.map((c) => [c.name, c.passed]);

describe('the token endpoint reports each of its checks with its clause', () => {
  it('FAPI 2.0 + mTLS: client assertion, code, PKCE, certificate and cnf x5t#S256', async () => {
    const authorized = await authorizeFapi2(tpp, mtlsClient);
    const res = await tpp.redeem(mtlsClient, authorized.code, authorized.pkce);
    expect(res.status).toBe(200);
    const { checks } = lastTokenRequest();
    expect(named(checks)).toEqual(
      expect.arrayContaining([
        ['Client authenticated with private_key_jwt: assertion signed by a registered key', true],
        ['Client assertion aud is the issuer', true],
        ['Client assertion jti not used before', true],
        ['Client assertion unexpired', true],
        ['Authorization code issued to this client', true],
        ['Authorization code unexpired', true],
        ['Authorization code used once', true],
        ['PKCE: the code_verifier matches the code_challenge', true],
        [
          "The certificate is a transport certificate the directory issued to the client's own software",
          true,
        ],
        ['Access token bound to the client certificate (cnf x5t#S256)', true],
      ]),
    );
    const clauses = Object.fromEntries(checks.map((c) => [c.name, c.clause]));
    expect(clauses['Client assertion aud is the issuer']).toBe('FAPI 2.0 SP §5.3.2.1-8');
    expect(clauses['Authorization code unexpired']).toBe('FAPI 2.0 SP §5.3.2.1-11');
    expect(clauses['Authorization code used once']).toMatch(/FAPI 2\.0 SP §5\.3\.2\.2-9/);
    expect(clauses['PKCE: the code_verifier matches the code_challenge']).toMatch(/RFC 7636/);
  });

  it('FAPI 2.0 + DPoP: the proof and its nonce, the key named at PAR, and cnf.jkt', async () => {
    const dpop = await DpopSession.create();
    const authorized = await authorizeFapi2(tpp, dpopClient, { dpop });
    const res = await tpp.redeem(dpopClient, authorized.code, authorized.pkce, { dpop });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { checks } = lastTokenRequest();
    expect(named(checks)).toEqual(
      expect.arrayContaining([
        ['DPoP proof valid for this request (typ, signature, htm, htu, iat, jti)', true],
        ['DPoP proof carries a nonce the bank issued', true],
        ['The DPoP key is the one the authorization was pushed with (dpop_jkt)', true],
        ['Access token bound to the DPoP proof key (cnf.jkt)', true],
        ['PKCE: the code_verifier matches the code_challenge', true],
      ]),
    );
    const binding = checks.find((c) => c.name === 'Access token bound to the DPoP proof key (cnf.jkt)')!;
    expect(binding.detail).toContain(dpop.key.jkt);
  });

  it('authorization code replayed: the checks it passed, then the rule that refused it, then only its consequence', async () => {
    const authorized = await authorizeFapi2(tpp, mtlsClient);
    expect((await tpp.redeem(mtlsClient, authorized.code, authorized.pkce)).status).toBe(200);
    const replay = await tpp.redeem(mtlsClient, authorized.code, authorized.pkce);
    expect(replay.status).toBe(400);
    const { checks } = lastTokenRequest();
    const failed = checks.filter((c) => !c.passed);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.clause).toMatch(/5\.3\.2\.2-9/);
    // Client authentication ran and passed before the refusal; PKCE and the binding never ran.
    const before = checks.slice(0, checks.indexOf(failed[0]!)).map((c) => c.name);
    expect(before).toContain(
      'Client authenticated with private_key_jwt: assertion signed by a registered key',
    );
    expect(checks.map((c) => c.name)).not.toContain('PKCE: the code_verifier matches the code_challenge');
    // RFC 6749 §4.1.2: what the refusal caused, once the bank's record holds it; no other check runs.
    expect(checks.slice(checks.indexOf(failed[0]!) + 1).map((c) => c.name)).toEqual([
      "The grant's access tokens are refused at bank-api from now on",
    ]);
  });
});
