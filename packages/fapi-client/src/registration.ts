// Dynamic client registration at the bank (RFC 7591 §3.1) over mutual TLS with the transport certificate
// (RFC 8705 §2: the bank checks the SSA and that the certificate belongs to the same software), and the
// management of a registration with its registration access token (RFC 7592): the read that tells whether
// the bank still knows a client (§2.1), the update (§2.2) and the delete (§2.3).
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

/** Where a registration is managed, and the token that grants it (RFC 7592 §2, §3). */
export interface RegistrationManagement {
  registrationClientUri: string;
  registrationAccessToken: string;
  transport: Dispatcher;
}

/** RFC 7592 §2: a request to the client configuration endpoint, the access token as a bearer token. */
function manage<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  step: StepRef,
  input: RegistrationManagement,
  method: 'GET' | 'PUT' | 'DELETE',
  metadata?: Record<string, unknown>,
): Promise<R> {
  return engine.exchange({
    ...step,
    kind: 'http',
    method,
    url: input.registrationClientUri,
    dispatcher: input.transport,
    headers: { authorization: `Bearer ${input.registrationAccessToken}` },
    ...(metadata ? { json: metadata } : {}),
  });
}

/** RFC 7592 §2.1: GET the client configuration; the answer as received. */
export function readRegistration<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  step: StepRef,
  input: RegistrationManagement,
): Promise<R> {
  return manage(engine, step, input, 'GET');
}

/** RFC 7592 §2.2: PUT the whole metadata (client_id included), which replaces what was registered. */
export function updateRegistration<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  step: StepRef,
  input: RegistrationManagement & { metadata: Record<string, unknown> },
): Promise<R> {
  return manage(engine, step, input, 'PUT', input.metadata);
}

/** RFC 7592 §2.3: DELETE the registration; the bank answers 204 and forgets the client. */
export function deleteRegistration<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  step: StepRef,
  input: RegistrationManagement,
): Promise<R> {
  return manage(engine, step, input, 'DELETE');
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
