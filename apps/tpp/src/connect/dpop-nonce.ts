// RFC 9449 §8 (authorization server) and §9 (resource server): a server may require a nonce it issued in
// every DPoP proof. It says so with `use_dpop_nonce` and a `DPoP-Nonce` header; the client signs a new
// proof with that nonce and sends the request once more. Later answers may rotate the nonce.
import type { PartyClient, PartyRequest, PartyResponse } from '../http/party-client.js';
import { DPOP_NONCE_RETRY } from '../trace/steps.js';
import { describeStep } from '../trace/trace-log.js';
import type { BoundClient } from './bound-client.js';

/** Whether the answer asks for a (new) nonce: §8 400 error body, or §9 401 WWW-Authenticate. */
export function asksForNonce(response: PartyResponse): boolean {
  if (!response.headers['dpop-nonce']) return false;
  const body = response.body as { error?: unknown } | undefined;
  if (response.status === 400 && body?.error === 'use_dpop_nonce') return true;
  const challenge = response.headers['www-authenticate'] ?? '';
  return response.status === 401 && /error="?use_dpop_nonce"?/.test(challenge);
}

/**
 * Sends a request built by `build` (which signs a fresh proof each time it is called), and once more with
 * the server's nonce if it asks for one.
 */
export async function sendWithDpop(
  party: PartyClient,
  client: BoundClient,
  build: () => Promise<PartyRequest>,
): Promise<PartyResponse> {
  const first = await build();
  const response = await party.call(first);
  const nonce = response.headers['dpop-nonce'];
  if (nonce && client.dpopKey) client.rememberNonce(first.url, nonce);
  if (!client.dpopKey || !asksForNonce(response)) return response;
  const retry = await build();
  const again = await party.call({
    ...retry,
    step: {
      title: `${DPOP_NONCE_RETRY.title}: ${describeStep(retry.step).title}`,
      explanation: DPOP_NONCE_RETRY.explanation,
      clause: DPOP_NONCE_RETRY.clause,
    },
  });
  const rotated = again.headers['dpop-nonce'];
  if (rotated) client.rememberNonce(retry.url, rotated);
  return again;
}
