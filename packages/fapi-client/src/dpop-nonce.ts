// RFC 9449 §8 (authorization server) and §9 (resource server): a server may require a nonce it issued in
// every DPoP proof. It says so with `use_dpop_nonce` and a `DPoP-Nonce` header; the client signs a new
// proof with that nonce and sends the request once more. Later answers may rotate the nonce.
import type { HttpMessage } from './bend.js';
import type { EngineContext, ExchangeResponse } from './exchange.js';
import type { RegisteredClient } from './registered-client.js';

/** Whether the answer asks for a (new) nonce: §8 400 error body, or §9 401 WWW-Authenticate. */
export function asksForNonce(response: ExchangeResponse): boolean {
  if (!response.headers['dpop-nonce']) return false;
  const body = response.body as { error?: unknown } | undefined;
  if (response.status === 400 && body?.error === 'use_dpop_nonce') return true;
  const challenge = response.headers['www-authenticate'] ?? '';
  return response.status === 401 && /error="?use_dpop_nonce"?/.test(challenge);
}

/**
 * Sends the message `build` makes (it signs a fresh proof, and a fresh client assertion, each time it is
 * called: the bank burns each jti), and once more with the server's nonce if it asks for one. The retry
 * is marked `nonceRetry` so an observer can tell the two apart.
 */
export async function sendWithDpopNonce<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  client: RegisteredClient,
  build: () => Promise<HttpMessage>,
): Promise<R> {
  const first = await build();
  const response = await engine.exchange(first);
  client.dpop?.nonces.remember(first.url, response.headers['dpop-nonce']);
  if (!client.dpop || !asksForNonce(response)) return response;
  const retry = await build();
  const again = await engine.exchange({ ...retry, nonceRetry: true });
  client.dpop.nonces.remember(retry.url, again.headers['dpop-nonce']);
  return again;
}
