// Dynamic client registration at the bank (RFC 7591 §3.1) over mutual TLS with the transport certificate
// (RFC 8705 §2: the bank checks the SSA and that the certificate belongs to the same software), and the
// registration read that tells whether the bank still knows a client (RFC 7592 §2.1).
import type { Dispatcher } from 'undici';
import type { EngineContext, ExchangeResponse } from './exchange.js';
import type { StepRef } from './observer.js';

/** RFC 7591 §3.1: POST the metadata (with the software statement) as JSON; the answer as received. */
export function registerClient<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  step: StepRef,
  input: { registrationEndpoint: string; transport: Dispatcher; metadata: Record<string, unknown> },
): Promise<R> {
  return engine.exchange({
    ...step,
    kind: 'http',
    method: 'POST',
    url: input.registrationEndpoint,
    dispatcher: input.transport,
    headers: {},
    json: input.metadata,
  });
}

/** RFC 7592 §2.1: GET the client configuration with the registration access token; the answer as received. */
export function readRegistration<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  step: StepRef,
  input: { registrationClientUri: string; registrationAccessToken: string; transport: Dispatcher },
): Promise<R> {
  return engine.exchange({
    ...step,
    kind: 'http',
    method: 'GET',
    url: input.registrationClientUri,
    dispatcher: input.transport,
    headers: { authorization: `Bearer ${input.registrationAccessToken}` },
  });
}

/**
 * What a registration read says: 'known', or 'forgotten' when the bank no longer knows the client (or
 * revoked the registration token): 401, or 403/404 by policy (RFC 7592 §2.1); undefined otherwise.
 */
export function registrationStatus(response: ExchangeResponse): 'known' | 'forgotten' | undefined {
  if (response.ok) return 'known';
  if ([401, 403, 404].includes(response.status)) return 'forgotten';
  return undefined;
}
