// The authorization request, pushed (RFC 9126): PKCE (RFC 7636), the consent named UK-OB style in the
// claims parameter, DPoP key binding of the code (RFC 9449 §10) or, for FAPI 1.0 Advanced, every
// parameter inside a signed request object (RFC 9101) with JARM as the response mode. FAPI 1.0 Baseline
// allows the plain request instead: every parameter in the browser's URL, nothing pushed or signed.
import { randomBytes } from 'node:crypto';
import {
  type AuthorizationDetail,
  authorizationUrl,
  pushAuthorizationRequest as pushToBank,
  SIGNING_ALG,
} from '@fapi-sandbox/fapi-client';
import { createPkcePair } from '@fapi-sandbox/fapi-core/jose/pkce';
import { PartyError } from '../http/party-error.js';
import { describeStep } from '../trace/trace-log.js';
import type { BoundClient } from './bound-client.js';
import { type TppEngine, tppStep } from './engine.js';

export interface PushedRequest {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** RFC 9126 §2.2; absent for a plain (FAPI 1.0 Baseline) request, which is not pushed. */
  requestUri?: string;
  /** Where the browser goes: the authorization endpoint with client_id and request_uri only (or, plain, every parameter). */
  authorizationUrl: string;
}

/** The claims request that names the consent (UK OB Security Profile; contract: openbanking_intent_id). */
export function intentClaims(consentId: string): Record<string, unknown> {
  return {
    id_token: {
      openbanking_intent_id: { value: consentId, essential: true },
      acr: { essential: true, values: ['urn:openbanking:psd2:sca'] },
    },
    userinfo: { openbanking_intent_id: { value: consentId, essential: true } },
  };
}

/** High-entropy, single-use values (RFC 6749 §10.12 state, OIDC Core §3.1.2.1 nonce). */
function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export async function pushAuthorizationRequest(deps: {
  engine: TppEngine;
  client: BoundClient;
  redirectUri: string;
  scope: 'openid accounts' | 'openid payments';
  /** The UK OB intent the request names; absent when `authorizationDetails` carry the consent instead. */
  consentId?: string;
  /** RFC 9396 §2: what the customer is asked to authorise, pushed instead of an intent. */
  authorizationDetails?: AuthorizationDetail[];
  interactionId: string;
  connectionId: string;
}): Promise<PushedRequest> {
  const { client, engine } = deps;
  const pkce = createPkcePair();
  const state = randomToken();
  const nonce = randomToken();
  const params: Record<string, unknown> = {
    response_type: 'code',
    redirect_uri: deps.redirectUri,
    scope: deps.scope,
    state,
    nonce,
    // RFC 7636 §4.3 / FAPI 2.0 SP §5.3.3.2: S256 only.
    code_challenge: pkce.codeChallenge,
    code_challenge_method: pkce.codeChallengeMethod,
    // UK OB names the consent created at the API; RFC 9396 carries the consent itself (SCA still asked for).
    claims: deps.consentId
      ? intentClaims(deps.consentId)
      : { id_token: { acr: { essential: true, values: ['urn:openbanking:psd2:sca'] } } },
    ...(deps.authorizationDetails ? { authorization_details: deps.authorizationDetails } : {}),
    // RFC 9449 §10: bind the authorization code to the DPoP key that will redeem it.
    ...(client.dpopKey ? { dpop_jkt: client.dpopKey.jkt } : {}),
    // JARM §2.3.4 / FAPI 1.0 Adv §5.2.2-2: the bank answers with a signed JWT in the query.
    ...(client.profile.jarm ? { response_mode: 'jwt' } : {}),
  };

  const checks = [
    {
      name: 'PKCE challenge uses S256',
      passed: true,
      clause: 'RFC 7636 §4.2, FAPI 2.0 SP §5.3.3.2',
      detail: `code_challenge ${pkce.codeChallenge}; the verifier stays in Moneywise's back end`,
    },
    ...(client.profile.signedRequestObject
      ? [
          {
            name: 'Parameters signed in a request object',
            passed: true,
            clause: 'FAPI 1.0 Adv §5.2.2-1, RFC 9101 §4',
            detail: `${SIGNING_ALG}, aud ${client.bank.metadata.issuer}, nbf/exp within 60 minutes`,
          },
        ]
      : []),
  ];
  if (client.profile.plainAuthorizationRequest) {
    // RFC 6749 §4.1.1, FAPI 1.0 Part 1: the browser (and anything running in it) reads and could change
    // every parameter; PKCE (§5.2.2-7) still ties the code to Moneywise's back end.
    const url = new URL(client.bank.metadata.authorization_endpoint);
    for (const [name, value] of Object.entries({ client_id: client.clientId, ...params })) {
      url.searchParams.set(name, typeof value === 'string' ? value : JSON.stringify(value));
    }
    return { state, nonce, codeVerifier: pkce.codeVerifier, authorizationUrl: url.toString() };
  }
  const context = { interactionId: deps.interactionId, connectionId: deps.connectionId };
  // FAPI 1.0 Adv §5.2.2-1 / RFC 9101 §4: a FAPI 1.0 client signs every parameter in a request object.
  const detailType = deps.authorizationDetails?.[0]?.type;
  const step =
    detailType === 'account_information'
      ? 'par-account-details'
      : detailType === 'payment_initiation'
        ? 'par-details'
        : 'par';
  const response = await pushToBank(engine, client, tppStep(step, context, checks), params, {
    signedRequest: client.profile.signedRequestObject,
  });
  if (!response.ok) throw PartyError.fromResponse('bank-op', describeStep(step).title, response);
  const body = response.body as { request_uri?: unknown; expires_in?: unknown };
  // RFC 9126 §2.2: a successful answer is 201 with request_uri and expires_in.
  if (typeof body?.request_uri !== 'string') {
    throw new PartyError({
      party: 'bank-op',
      step: 'Push the authorization request (PAR)',
      upstreamStatus: response.status,
      error: 'invalid_par_response',
      description: 'The PAR response has no request_uri',
      clause: 'RFC 9126 §2.2',
    });
  }
  return {
    state,
    nonce,
    codeVerifier: pkce.codeVerifier,
    requestUri: body.request_uri,
    // RFC 9126 §4: only client_id and request_uri travel through the browser.
    authorizationUrl: authorizationUrl(
      client.bank.metadata.authorization_endpoint,
      client.clientId,
      body.request_uri,
    ).toString(),
  };
}
