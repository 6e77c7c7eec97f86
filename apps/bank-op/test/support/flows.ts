// Whole authorizations as each profile does them, up to the authorization response: the building
// block of the matrix and of the negative tests that tamper with the token request afterwards.
import type { PkcePair } from '@fapi-sandbox/fapi-core/jose/pkce';
import { createLocalJWKSet, decodeJwt, type JSONWebKeySet, jwtVerify } from 'jose';
import { fetch } from 'undici';
import { expect } from 'vitest';
import { type DpopSession, type RegisteredClient, TestTpp } from './tpp.js';

export interface Authorized {
  client: RegisteredClient;
  code: string;
  pkce: PkcePair;
  consentId: string;
  state: string;
  nonce: string;
  /** The authorization response parameters as the TPP received them (decoded from JARM if used). */
  response: Record<string, string>;
}

/** FAPI 1.0 Advanced variants: request object by value or pushed; hybrid or JARM response. */
export type Fapi1Mode = 'hybrid-by-value' | 'hybrid-par' | 'jarm-by-value' | 'jarm-par';

export async function bankJwks(tpp: TestTpp): Promise<JSONWebKeySet> {
  const response = await fetch(`${tpp.issuer}/jwks`, { dispatcher: tpp.sandbox.plain });
  return (await response.json()) as JSONWebKeySet;
}

/** FAPI 2.0: PAR (with DPoP when the client is DPoP-bound), then the customer, then the code. */
export async function authorizeFapi2(
  tpp: TestTpp,
  client: RegisteredClient,
  options: { dpop?: DpopSession; consentId?: string; customer?: { username: string; password: string } } = {},
): Promise<Authorized> {
  const pkce = tpp.pkce();
  const consentId = options.consentId ?? (await tpp.accountConsent(client));
  const params = tpp.authorizationParams(client, consentId, pkce);
  const par = await tpp.par(client, params, options.dpop ? { dpop: options.dpop } : {});
  expect(par.status, JSON.stringify(par.body)).toBe(201);
  const landing = await tpp.customerAuthorizes(
    tpp.authorizationUrl(client, String(par.body.request_uri)),
    options.customer ?? {},
  );
  const response = Object.fromEntries(landing.searchParams);
  expect(response.error, JSON.stringify(response)).toBeUndefined();
  // RFC 9207: the response says who issued it; state comes back unchanged.
  expect(response.iss).toBe(tpp.issuer);
  expect(response.state).toBe(params.state);
  return {
    client,
    code: response.code!,
    pkce,
    consentId,
    state: params.state!,
    nonce: params.nonce!,
    response,
  };
}

/** FAPI 1.0 Advanced: a signed request object, by value or pushed, and a hybrid or JARM response. */
export async function authorizeFapi1(
  tpp: TestTpp,
  client: RegisteredClient,
  mode: Fapi1Mode,
): Promise<Authorized> {
  const pkce = tpp.pkce();
  const consentId = await tpp.accountConsent(client);
  const hybrid = mode.startsWith('hybrid');
  const params: Record<string, string> = {
    ...tpp.authorizationParams(client, consentId, pkce),
    response_type: hybrid ? 'code id_token' : 'code',
    ...(hybrid ? {} : { response_mode: 'jwt' }),
  };
  const request = await tpp.requestObject(client, params);
  let url: URL;
  if (mode.endsWith('par')) {
    const par = await tpp.par(client, { request });
    expect(par.status, JSON.stringify(par.body)).toBe(201);
    url = tpp.authorizationUrl(client, String(par.body.request_uri));
  } else {
    // FAPI 1.0 Adv §5.2.3-9: response_type, client_id and scope are repeated outside the request object.
    url = new URL(`${tpp.issuer}/authorize`);
    url.search = new URLSearchParams({
      client_id: client.clientId,
      response_type: params.response_type!,
      scope: params.scope!,
      request,
    }).toString();
  }
  const landing = await tpp.customerAuthorizes(url);
  let response: Record<string, string>;
  if (hybrid) {
    response = Object.fromEntries(TestTpp.responseParams(landing));
    expect(response.error, JSON.stringify(response)).toBeUndefined();
    const idToken = decodeJwt(response.id_token!);
    // FAPI 1.0 Adv §5.2.2.1-5: the front-channel ID token protects state with s_hash (and code with c_hash).
    expect(idToken.s_hash).toEqual(expect.any(String));
    expect(idToken.c_hash).toEqual(expect.any(String));
    expect(idToken.nonce).toBe(params.nonce);
  } else {
    const jarm = landing.searchParams.get('response');
    expect(jarm, landing.href).toBeTruthy();
    // JARM §4.4: the response is a JWT signed by the bank, for this client.
    const { payload } = await jwtVerify(jarm!, createLocalJWKSet(await bankJwks(tpp)), {
      issuer: tpp.issuer,
      audience: client.clientId,
    });
    response = Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, String(v)]));
  }
  expect(response.state).toBe(params.state);
  return {
    client,
    code: response.code!,
    pkce,
    consentId,
    state: params.state!,
    nonce: params.nonce!,
    response,
  };
}
