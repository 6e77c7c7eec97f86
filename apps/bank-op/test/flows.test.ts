// Real flows for each profile × client authentication × sender constraint: DCR with the directory's
// SSA, the authorization request the profile demands, the customer's sign-in and consent, the token
// request, and a refresh. Each token must be bound the way the client registered.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Authorized, authorizeFapi1, authorizeFapi2, type Fapi1Mode } from './support/flows.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import {
  type AuthMethod,
  DpopSession,
  type RegisteredClient,
  type SenderConstraint,
  TestTpp,
} from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
});
afterAll(async () => {
  await sandbox?.close();
});

/** The thumbprint of the certificate the client presents on the back channel. */
function presentedThumbprint(client: RegisteredClient): string {
  return certificateThumbprint(new X509Certificate(readFileSync(client.participant.transportCert)));
}

async function redeemAndCheck(authorized: Authorized, dpop: DpopSession | undefined) {
  const { client } = authorized;
  const token = await tpp.redeem(client, authorized.code, authorized.pkce, dpop ? { dpop } : {});
  expect(token.status, JSON.stringify(token.body)).toBe(200);
  expect(token.headers.get('cache-control')).toContain('no-store');
  expect(token.body.token_type).toBe(dpop ? 'DPoP' : 'Bearer');

  const accessToken = String(token.body.access_token);
  expect(decodeProtectedHeader(accessToken)).toMatchObject({ typ: 'at+jwt', alg: 'PS256' });
  const claims = decodeJwt(accessToken);
  expect(claims).toMatchObject({
    iss: tpp.issuer,
    aud: sandbox.config.bankApi.web.origin,
    client_id: client.clientId,
    sub: 'cust-alice',
    scope: 'accounts',
    openbanking_intent_id: authorized.consentId,
    // The directory participant, so bank-api can ask the directory for its status at each call.
    software_id: client.participant.softwareId,
    org_id: client.participant.orgId,
  });
  // RFC 8705 §3 / RFC 9449 §6: bound to the certificate or the DPoP key, nothing else.
  expect(claims.cnf).toEqual(dpop ? { jkt: dpop.key.jkt } : { 'x5t#S256': presentedThumbprint(client) });

  const idToken = decodeJwt(String(token.body.id_token));
  expect(decodeProtectedHeader(String(token.body.id_token)).alg).toBe('PS256');
  expect(idToken).toMatchObject({
    iss: tpp.issuer,
    aud: client.clientId,
    sub: 'cust-alice',
    nonce: authorized.nonce,
    acr: 'urn:openbanking:psd2:sca',
    auth_time: expect.any(Number),
    openbanking_intent_id: authorized.consentId,
  });
  expect(await sandbox.bank.consents.get(authorized.consentId)).toMatchObject({
    status: 'Authorised',
    customerId: 'cust-alice',
  });

  // Refresh: a new access token, the same binding, and no refresh token rotation (FAPI 2.0 SP §5.3.2.1-9).
  const refreshToken = String(token.body.refresh_token);
  const refreshed = await tpp.token(
    client,
    { grant_type: 'refresh_token', refresh_token: refreshToken },
    dpop ? { dpop } : {},
  );
  expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
  expect(refreshed.body.refresh_token === undefined || refreshed.body.refresh_token === refreshToken).toBe(
    true,
  );
  expect(decodeJwt(String(refreshed.body.access_token))).toMatchObject({
    cnf: claims.cnf,
    openbanking_intent_id: authorized.consentId,
    software_id: client.participant.softwareId,
    org_id: client.participant.orgId,
  });
}

const authMethods: AuthMethod[] = ['private_key_jwt', 'tls_client_auth'];
const senderConstraints: SenderConstraint[] = ['mtls', 'dpop'];

describe('FAPI 2.0 Security Profile: PAR, PKCE, code, sender-constrained tokens', () => {
  for (const authMethod of authMethods) {
    for (const senderConstraint of senderConstraints) {
      it(`${authMethod} with ${senderConstraint}-bound tokens`, async () => {
        const client = await tpp.register({ profile: 'fapi2', authMethod, senderConstraint });
        expect(client.metadata).toMatchObject({
          fapi_profile: 'fapi2',
          token_endpoint_auth_method: authMethod,
          require_pushed_authorization_requests: true,
          response_types: ['code'],
        });
        const dpop = senderConstraint === 'dpop' ? await DpopSession.create() : undefined;
        const authorized = await authorizeFapi2(tpp, client, dpop ? { dpop } : {});
        await redeemAndCheck(authorized, dpop);
      });
    }
  }
});

describe('FAPI 1.0 Advanced: signed request objects, hybrid or JARM, mTLS-bound tokens', () => {
  const cases: [AuthMethod, Fapi1Mode][] = [
    ['private_key_jwt', 'hybrid-by-value'],
    ['private_key_jwt', 'hybrid-par'],
    ['private_key_jwt', 'jarm-by-value'],
    ['private_key_jwt', 'jarm-par'],
    ['tls_client_auth', 'hybrid-by-value'],
    ['tls_client_auth', 'jarm-par'],
  ];
  for (const [authMethod, mode] of cases) {
    it(`${authMethod}, ${mode}`, async () => {
      const client = await tpp.register({ profile: 'fapi1-advanced', authMethod });
      expect(client.metadata).toMatchObject({
        fapi_profile: 'fapi1-advanced',
        require_signed_request_object: true,
        tls_client_certificate_bound_access_tokens: true,
      });
      const authorized = await authorizeFapi1(tpp, client, mode);
      await redeemAndCheck(authorized, undefined);
    });
  }
});

describe('client credentials (consent creation at bank-api)', () => {
  it('issues a sender-constrained token with the client as subject and no intent', async () => {
    const client = await tpp.register({ senderConstraint: 'mtls' });
    const token = await tpp.token(client, { grant_type: 'client_credentials', scope: 'accounts' });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    const claims = decodeJwt(String(token.body.access_token));
    expect(claims).toMatchObject({
      sub: client.clientId,
      client_id: client.clientId,
      scope: 'accounts',
      software_id: sandbox.config.participants.demo.softwareId,
      org_id: sandbox.config.participants.demo.orgId,
    });
    expect(claims.aud).toBe(sandbox.config.bankApi.web.origin);
    expect(claims.cnf).toEqual({ 'x5t#S256': presentedThumbprint(client) });
    expect(claims.openbanking_intent_id).toBeUndefined();
  });

  it('binds a DPoP client-credentials token to the DPoP key', async () => {
    const client = await tpp.register({ senderConstraint: 'dpop' });
    const dpop = await DpopSession.create();
    const token = await tpp.token(client, { grant_type: 'client_credentials', scope: 'payments' }, { dpop });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    expect(decodeJwt(String(token.body.access_token))).toMatchObject({
      cnf: { jkt: dpop.key.jkt },
      software_id: sandbox.config.participants.demo.softwareId,
      org_id: sandbox.config.participants.demo.orgId,
    });
  });

  it("names each participant's own software and organisation", async () => {
    const second = new TestTpp(sandbox, sandbox.config.participants.second);
    const client = await second.register({ senderConstraint: 'mtls' });
    const token = await second.token(client, { grant_type: 'client_credentials', scope: 'accounts' });
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    const claims = decodeJwt(String(token.body.access_token));
    expect(claims.software_id).toBe(sandbox.config.participants.second.softwareId);
    expect(claims.org_id).toBe(sandbox.config.participants.second.orgId);
    expect(claims.software_id).not.toBe(sandbox.config.participants.demo.softwareId);
  });
});
