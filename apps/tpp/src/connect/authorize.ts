// Sends the customer to the bank for a consent: pushes the authorization request (RFC 9126 §2), remembers
// its state, nonce and PKCE verifier for the callback, and returns the redirect (RFC 9126 §4).
import type { AuthorizationDetail } from '@fapi-sandbox/fapi-client';
import type { Connection } from '../store/connections.js';
import { STEPS } from '../trace/steps.js';
import { pushAuthorizationRequest } from './authorization-request.js';
import type { BoundClient } from './bound-client.js';
import type { ConnectionKit } from './connection-kit.js';

/** FAPI 1.0 Baseline: the redirect carries the whole request, which is what the inspector must say. */
const PLAIN_REQUEST = {
  ...STEPS['authorize-redirect'],
  explanation:
    'FAPI 1.0 Baseline: the browser carries every authorization parameter in the URL, unsigned (scope, redirect_uri, state, nonce, the PKCE challenge, the consent in claims). The browser and anything running in it can read and change them; only PKCE ties the code to Moneywise. FAPI 1.0 Advanced signs them in a request object; FAPI 2.0 pushes them to the bank first (PAR).',
  clause: 'RFC 6749 §4.1.1, FAPI 1.0 Part 1 §5.2.2-7',
};

export interface AuthorizeInput {
  scope: 'openid accounts' | 'openid payments';
  /** The UK OB intent; absent for a rich authorization request (RFC 9396), whose details are the consent. */
  consentId?: string;
  authorizationDetails?: AuthorizationDetail[];
  purpose: 'accounts' | 'payment';
  paymentId?: string;
  sessionId: string;
}

export type Authorize = (
  connection: Connection,
  client: BoundClient,
  input: AuthorizeInput,
) => Promise<string>;

export function createAuthorize({ deps, context, recordFrontChannel }: ConnectionKit): Authorize {
  return async function authorize(connection, client, input) {
    const pushed = await pushAuthorizationRequest({
      engine: deps.engine,
      client,
      redirectUri: deps.redirectUri,
      scope: input.scope,
      ...(input.consentId ? { consentId: input.consentId } : {}),
      ...(input.authorizationDetails ? { authorizationDetails: input.authorizationDetails } : {}),
      ...context(connection),
    });
    await deps.store.saveAuthorization({
      state: pushed.state,
      connectionId: connection.id,
      sessionId: input.sessionId,
      purpose: input.purpose,
      paymentId: input.paymentId,
      nonce: pushed.nonce,
      codeVerifier: pushed.codeVerifier,
      consentId: input.consentId,
      createdAt: deps.now(),
    });
    recordFrontChannel(connection, {
      ...(client.profile.plainAuthorizationRequest ? PLAIN_REQUEST : STEPS['authorize-redirect']),
      url: pushed.authorizationUrl,
      inbound: false,
    });
    return pushed.authorizationUrl;
  };
}
