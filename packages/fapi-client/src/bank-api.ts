// A call to the bank's resource server (UK OB Read/Write API v3.1) with a sender-constrained token: the
// Authorization scheme of the binding (RFC 9449 §7.1 DPoP, RFC 6750 §2.1 Bearer), a proof bound to the
// token (ath) for DPoP clients or the transport certificate for mTLS-bound ones (RFC 8705 §3), the FAPI
// interaction id (FAPI 1.0 Part 1 §6.2.2-5), and an idempotency key on POSTs (UK OB R/W API v3.1).
import { INTERACTION_ID_HEADER } from '@fapi-sandbox/fapi-core/fapi-headers';
import type { HttpRequestParts, MessageSignature } from '@fapi-sandbox/fapi-core/http-signatures';
import { sendWithDpopNonce } from './dpop-nonce.js';
import type { EngineContext, ExchangeResponse } from './exchange.js';
import {
  checkSignedResponse,
  type MessageSigning,
  type SignedExchange,
  signResourceRequest,
} from './message-signing.js';
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
  /** Sign the request and accept only a signed answer (FAPI 2.0 HTTP Signatures §5.3). */
  signing?: MessageSigning;
}

/**
 * Sends the request (signed when `signing` is given: each attempt, the DPoP nonce retry too, gets a fresh
 * signature). A signed request's answer carries `signed`: both signatures and the checks of the answer;
 * an answer that is not signed as FAPI asks throws ResponseSignatureRejected.
 */
export async function bankApiCall<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  client: RegisteredClient,
  step: StepRef,
  request: BankApiRequest,
): Promise<R & { signed?: SignedExchange }> {
  let sent: { parts: HttpRequestParts; signature: MessageSignature } | undefined;
  const response = await sendWithDpopNonce(engine, client, async () => {
    const headers: Record<string, string> = {
      authorization: `${client.authorizationScheme} ${request.accessToken}`,
      [INTERACTION_ID_HEADER]: request.interactionId,
      ...(await dpopHeaders(engine, client, step, request.method, request.url, request.accessToken)),
      ...request.headers,
      ...(request.idempotencyKey ? { 'x-idempotency-key': request.idempotencyKey } : {}),
    };
    if (request.signing) {
      // The exchange sends JSON.stringify(json): the digest is over those very bytes.
      const parts: HttpRequestParts = {
        method: request.method,
        url: request.url,
        headers,
        ...(request.json !== undefined ? { body: JSON.stringify(request.json) } : {}),
      };
      const signed = await signResourceRequest(request.signing, parts);
      Object.assign(headers, signed.headers);
      sent = { parts: { ...parts, headers }, signature: signed.signature };
    }
    return {
      ...step,
      kind: 'http' as const,
      method: request.method,
      url: request.url,
      dispatcher: client.apiDispatcher,
      json: request.json,
      headers,
    };
  });
  if (!request.signing || !sent) return response;
  const signed = await checkSignedResponse(request.signing, sent.parts, sent.signature, response);
  return Object.assign(response, { signed });
}

/** RFC 6750 §3.1 / RFC 9449 §7.1: the API says the token is no longer good (expired, revoked). */
export function tokenRefused(response: ExchangeResponse): boolean {
  return (
    response.status === 401 &&
    /invalid_token/.test(response.headers['www-authenticate'] ?? JSON.stringify(response.body ?? ''))
  );
}
