// openid-client 6 — a certified FAPI relying party — against bank-op: discovery, dynamic registration,
// PAR with PKCE, the customer's sign-in and consent, the code grant (RFC 9207 iss checked, ID token
// verified), and refresh, with DPoP-bound and with mTLS-bound tokens.
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { type Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
});
afterAll(async () => {
  await sandbox?.close();
});

/** openid-client's HTTP goes through undici: the mTLS alias with the transport certificate, else no certificate. */
function sandboxFetch(certificateAgent: Agent | undefined): oidc.CustomFetch {
  return ((url: string, options: oidc.CustomFetchOptions) => {
    const mtls = new URL(url).origin === sandbox.config.bankOp.mtls.origin;
    return undiciFetch(url, {
      ...(options as object),
      dispatcher: mtls && certificateAgent ? certificateAgent : sandbox.plain,
    }) as unknown as Promise<Response>;
  }) as oidc.CustomFetch;
}

function intentClaims(consentId: string): string {
  return JSON.stringify({
    id_token: {
      openbanking_intent_id: { value: consentId, essential: true },
      acr: { essential: true, values: ['urn:openbanking:psd2:sca'] },
    },
  });
}

async function authorize(config: oidc.Configuration, consentId: string, options: oidc.DPoPOptions) {
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = await oidc.buildAuthorizationUrlWithPAR(
    config,
    {
      redirect_uri: tpp.participant.redirectUris[0]!,
      scope: 'openid accounts',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      claims: intentClaims(consentId),
    },
    options,
  );
  // FAPI 2.0 SP §5.3.3.2-4 (client side): only client_id and request_uri reach the authorization endpoint.
  expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
  const landing = await tpp.customerAuthorizes(url);
  return oidc.authorizationCodeGrant(
    config,
    landing,
    { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
    undefined,
    options,
  );
}

describe('openid-client as the TPP', () => {
  it('FAPI 2.0 with private_key_jwt and DPoP (registered by openid-client over mTLS)', async () => {
    const keys = await tpp.signingKeys();
    const signing = keys.forAlg('PS256');
    const registered = await oidc.dynamicClientRegistration(
      new URL(tpp.issuer),
      {
        software_statement: await tpp.ssa(),
        redirect_uris: [tpp.participant.redirectUris[0]!],
        token_endpoint_auth_method: 'private_key_jwt',
        dpop_bound_access_tokens: true,
        id_token_signed_response_alg: 'PS256',
      },
      oidc.PrivateKeyJwt({ key: signing.key, kid: signing.kid }),
      { [oidc.customFetch]: sandboxFetch(tpp.transport) },
    );
    const config = registered;
    config[oidc.customFetch] = sandboxFetch(undefined);
    const clientId = config.clientMetadata().client_id;
    const consentId = (
      await sandbox.bank.consents.createAccountAccess({
        clientId,
        permissions: ['ReadAccountsBasic'],
      })
    ).consentId;

    const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    const tokens = await authorize(config, consentId, { DPoP });
    expect(tokens.token_type.toLowerCase()).toBe('dpop');
    expect(tokens.claims()).toMatchObject({
      openbanking_intent_id: consentId,
      acr: 'urn:openbanking:psd2:sca',
    });
    const accessClaims = decodeJwt(tokens.access_token);
    expect(accessClaims.cnf).toEqual({ jkt: expect.any(String) });
    expect(accessClaims.openbanking_intent_id).toBe(consentId);

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, undefined, { DPoP });
    expect(decodeJwt(refreshed.access_token).cnf).toEqual(accessClaims.cnf);
  });

  it('FAPI 2.0 with tls_client_auth and mTLS-bound tokens through mtls_endpoint_aliases', async () => {
    const client = await tpp.register({ authMethod: 'tls_client_auth', senderConstraint: 'mtls' });
    const config = await oidc.discovery(
      new URL(tpp.issuer),
      client.clientId,
      { use_mtls_endpoint_aliases: true, id_token_signed_response_alg: 'PS256' },
      oidc.TlsClientAuth(),
      { [oidc.customFetch]: sandboxFetch(tpp.transport) },
    );
    const consentId = await tpp.accountConsent(client);
    const tokens = await authorize(config, consentId, {});
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(decodeJwt(tokens.access_token)).toMatchObject({
      cnf: { 'x5t#S256': expect.any(String) },
      openbanking_intent_id: consentId,
    });
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(decodeJwt(refreshed.access_token).openbanking_intent_id).toBe(consentId);
  });

  it('FAPI 2.0 with private_key_jwt and mTLS-bound tokens', async () => {
    const client = await tpp.register({ authMethod: 'private_key_jwt', senderConstraint: 'mtls' });
    const signing = (await tpp.signingKeys()).forAlg('ES256');
    const config = await oidc.discovery(
      new URL(tpp.issuer),
      client.clientId,
      { use_mtls_endpoint_aliases: true, id_token_signed_response_alg: 'PS256' },
      oidc.PrivateKeyJwt({ key: signing.key, kid: signing.kid }),
      { [oidc.customFetch]: sandboxFetch(tpp.transport) },
    );
    const tokens = await authorize(config, await tpp.accountConsent(client), {});
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ 'x5t#S256': expect.any(String) });
  });
});
