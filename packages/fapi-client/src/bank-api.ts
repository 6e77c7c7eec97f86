// A call to the bank's resource server (UK OB Read/Write API v3.1) with a sender-constrained token: the
// Authorization scheme of the binding (RFC 9449 §7.1 DPoP, RFC 6750 §2.1 Bearer), a proof bound to the
// token (ath) for DPoP clients or the transport certificate for mTLS-bound ones (RFC 8705 §3), the FAPI
// interaction id (FAPI 1.0 Part 1 §6.2.2-5), and an idempotency key on POSTs (UK OB R/W API v3.1).
import { INTERACTION_ID_HEADER } from '@fapi-sandbox/fapi-core/fapi-headers';
import { sendWithDpopNonce } from './dpop-nonce.js';
import type { EngineContext, ExchangeResponse } from './exchange.js';
import type { StepRef } from './observer.js';
import { dpopHeaders, type RegisteredClient } from './registered-client.js';

export interface BankApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The full URL, e.g. `${config.bankApi.baseUrl}/aisp/accounts`. */
  url: string;
  accessToken: string;
  interactionId: string;
  json?: unknown;
  /** UK OB R/W API v3.1: the same key makes a retried POST return the first answer, not a second payment. */
  idempotencyKey?: string;
  /** Further headers, e.g. the customer's x-fapi-auth-date and x-fapi-customer-ip-address. */
  headers?: Record<string, string>;
}

export function bankApiCall<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  client: RegisteredClient,
  step: StepRef,
  request: BankApiRequest,
): Promise<R> {
  return sendWithDpopNonce(engine, client, async () => ({
    ...step,
    kind: 'http',
    method: request.method,
    url: request.url,
    dispatcher: client.apiDispatcher,
    json: request.json,
    headers: {
      authorization: `${client.authorizationScheme} ${request.accessToken}`,
      [INTERACTION_ID_HEADER]: request.interactionId,
      ...(await dpopHeaders(engine, client, step, request.method, request.url, request.accessToken)),
      ...request.headers,
      ...(request.idempotencyKey ? { 'x-idempotency-key': request.idempotencyKey } : {}),
    },
  }));
}

/** RFC 6750 §3.1 / RFC 9449 §7.1: the API says the token is no longer good (expired, revoked). */
export function tokenRefused(response: ExchangeResponse): boolean {
  return (
    response.status === 401 &&
    /invalid_token/.test(response.headers['www-authenticate'] ?? JSON.stringify(response.body ?? ''))
  );
}
