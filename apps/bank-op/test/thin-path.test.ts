// The thin path every other party relies on: discovery, registration, PAR, sign-in and consent, tokens
// bound with mTLS and with DPoP.
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { DpopSession, json, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
});
afterAll(async () => {
  await sandbox?.close();
});

describe('bank-op thin path', () => {
  it('serves discovery at the issuer', async () => {
    const res = await json(
      await fetch(`${sandbox.config.bankOp.issuer}/.well-known/openid-configuration`, {
        dispatcher: sandbox.plain,
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.issuer).toBe(sandbox.config.bankOp.issuer);
  });

  it('issues an mTLS-bound JWT access token for bank-api after PAR, sign-in and consent', async () => {
    const client = await tpp.register();
    const pkce = tpp.pkce();
    const consentId = await tpp.accountConsent(client);
    const par = await tpp.par(client, tpp.authorizationParams(client, consentId, pkce));
    expect(par.status).toBe(201);
    const landing = await tpp.customerAuthorizes(tpp.authorizationUrl(client, String(par.body.request_uri)));
    const token = await tpp.post(client, tpp.endpoint(client, '/token'), {
      grant_type: 'authorization_code',
      code: landing.searchParams.get('code')!,
      redirect_uri: tpp.participant.redirectUris[0]!,
      code_verifier: pkce.codeVerifier,
      ...(await tpp.clientAuth(client)),
    });
    expect(token.status).toBe(200);
    const accessToken = String(token.body.access_token);
    expect(decodeProtectedHeader(accessToken)).toMatchObject({ typ: 'at+jwt', alg: 'PS256' });
    expect(decodeJwt(accessToken)).toMatchObject({
      iss: sandbox.config.bankOp.issuer,
      aud: sandbox.config.bankApi.web.origin,
      client_id: client.clientId,
      sub: 'cust-alice',
      scope: 'accounts',
      openbanking_intent_id: consentId,
      cnf: { 'x5t#S256': expect.any(String) },
    });
    expect(decodeJwt(String(token.body.id_token))).toMatchObject({
      openbanking_intent_id: consentId,
      acr: 'urn:openbanking:psd2:sca',
      auth_time: expect.any(Number),
    });
  });

  it('issues a DPoP-bound access token to a private_key_jwt client without a certificate', async () => {
    const client = await tpp.register({ senderConstraint: 'dpop' });
    const dpop = await DpopSession.create();
    const pkce = tpp.pkce();
    const par = await tpp.par(
      client,
      tpp.authorizationParams(client, await tpp.accountConsent(client), pkce),
      {
        dpop,
      },
    );
    expect(par.status).toBe(201);
    const landing = await tpp.customerAuthorizes(tpp.authorizationUrl(client, String(par.body.request_uri)));
    const token = await tpp.post(
      client,
      tpp.endpoint(client, '/token'),
      async () => ({
        grant_type: 'authorization_code',
        code: landing.searchParams.get('code')!,
        redirect_uri: tpp.participant.redirectUris[0]!,
        code_verifier: pkce.codeVerifier,
        ...(await tpp.clientAuth(client)),
      }),
      { dpop },
    );
    expect(token.status).toBe(200);
    expect(token.body.token_type).toBe('DPoP');
    expect(decodeJwt(String(token.body.access_token)).cnf).toEqual({ jkt: dpop.key.jkt });
  });
});
