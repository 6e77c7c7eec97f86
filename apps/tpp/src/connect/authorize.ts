// Sends the customer to the bank for a consent: pushes the authorization request (RFC 9126 §2), remembers
// its state, nonce and PKCE verifier for the callback, and returns the redirect (RFC 9126 §4).
import type { Connection } from '../store/connections.js';
import { STEPS } from '../trace/steps.js';
import { pushAuthorizationRequest } from './authorization-request.js';
import type { BoundClient } from './bound-client.js';
import type { ConnectionKit } from './connection-kit.js';

export interface AuthorizeInput {
  scope: 'openid accounts' | 'openid payments';
  consentId: string;
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
      consentId: input.consentId,
      ...context(connection),
    });
    deps.store.saveAuthorization({
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
      ...STEPS['authorize-redirect'],
      url: pushed.authorizationUrl,
      inbound: false,
    });
    return pushed.authorizationUrl;
  };
}
