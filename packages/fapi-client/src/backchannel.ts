// Decoupled authentication, the client's side (CIBA Core 1.0, profiled by FAPI-CIBA): the client names the
// customer (login_hint) in a signed authentication request (CIBA §7.1.1, FAPI-CIBA §5.2.3.1-1) posted with its
// client authentication, gets an auth_req_id, and then collects the tokens at the token endpoint with the
// CIBA grant: by polling no faster than the bank's interval (poll mode, CIBA §7.3, §11), or once the bank
// has pinged its notification endpoint (ping mode, CIBA §10.2).
import { timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EngineContext, ExchangeResponse } from './exchange.js';
import type { CheckOutcome, StepRef } from './observer.js';
import { signedRequestObject } from './par.js';
import type { RegisteredClient } from './registered-client.js';
import { backChannelPost, tokenRequest } from './token-endpoint.js';

export const CIBA_GRANT_TYPE = 'urn:openid:params:grant-type:ciba';

/** CIBA §5: how the tokens reach the client; FAPI-CIBA §5.2.2-3 leaves out push. */
export type CibaDeliveryMode = 'poll' | 'ping';

/** CIBA §7.3: when the bank names no interval, the client waits 5 seconds between polls. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 5;
/** CIBA §11: after slow_down the interval grows by (at least) 5 seconds, for good. */
export const SLOW_DOWN_STEP_SECONDS = 5;

/** CIBA §7.3: the bank's acknowledgement of an authentication request. */
export interface BackchannelAcknowledgement {
  auth_req_id: string;
  expires_in: number;
  interval?: number;
}

export function isBackchannelAcknowledgement(body: unknown): body is BackchannelAcknowledgement {
  const ack = body as Partial<BackchannelAcknowledgement> | undefined;
  return typeof ack?.auth_req_id === 'string' && typeof ack.expires_in === 'number';
}

/**
 * CIBA §7.1, §7.1.1: every parameter (scope, login_hint, binding_message, claims, requested_expiry,
 * client_notification_token for ping) signed into a request object with iss, aud, exp, iat, nbf and jti
 * (FAPI-CIBA §5.2.3.1-1), posted as `request` with the client's authentication.
 */
export async function requestBackchannelAuthentication<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  client: RegisteredClient,
  step: StepRef,
  params: Record<string, unknown>,
): Promise<R> {
  const request = await signedRequestObject(engine, client, step, params);
  return backChannelPost(engine, client, step, 'backchannel_authentication_endpoint', { request });
}

/** One poll: the CIBA grant at the token endpoint (CIBA §10.1). */
export function cibaTokenRequest<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  client: RegisteredClient,
  step: StepRef,
  authReqId: string,
): Promise<R> {
  return tokenRequest(engine, client, step, { grant_type: CIBA_GRANT_TYPE, auth_req_id: authReqId });
}

const errorOf = (response: ExchangeResponse) => (response.body as { error?: unknown } | undefined)?.error;

/**
 * CIBA §7.3, §11: polls until the answer is no longer authorization_pending or slow_down, waiting the
 * interval between polls and 5 s more after each slow_down. Returns the last answer: tokens, or the
 * error that ended the request (access_denied, expired_token, …). `signal` stops the wait.
 */
export async function pollForTokens<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  client: RegisteredClient,
  step: StepRef,
  authReqId: string,
  options: { intervalSeconds?: number; signal?: AbortSignal; onWait?: (seconds: number) => void } = {},
): Promise<R> {
  let interval = options.intervalSeconds ?? DEFAULT_POLL_INTERVAL_SECONDS;
  for (;;) {
    options.onWait?.(interval);
    await sleep(interval * 1000, undefined, { signal: options.signal });
    const response = await cibaTokenRequest(engine, client, step, authReqId);
    const error = errorOf(response);
    if (error === 'slow_down') interval += SLOW_DOWN_STEP_SECONDS;
    else if (error !== 'authorization_pending') return response;
  }
}

/** CIBA §11: the errors that end a wait, in words, with what to do next. */
const WAIT_ENDINGS: Record<string, { description: string; fix: string }> = {
  access_denied: {
    description: 'The customer denied the request on their bank app',
    fix: 'ask the customer whether they meant to; a new request starts again',
  },
  expired_token: {
    description: 'The customer did not answer on their bank app before the request expired (expires_in)',
    fix: 'start a new backchannel authentication request and ask the customer to answer in time',
  },
  invalid_grant: {
    description: 'The bank does not know this auth_req_id for this client, or its tokens were already issued',
    fix: 'start a new backchannel authentication request',
  },
};

/**
 * CIBA §11: when a poll's answer ended the wait without tokens, what it means: the error, a sentence for
 * the customer's screen and the fix. Undefined for tokens, or while the request is still pending.
 */
export function endOfWait(
  response: ExchangeResponse,
): { error: string; description: string; fix: string; clause: string } | undefined {
  const error = errorOf(response);
  if (response.ok || typeof error !== 'string') return undefined;
  if (error === 'authorization_pending' || error === 'slow_down') return undefined;
  const known = WAIT_ENDINGS[error];
  const said = (response.body as { error_description?: unknown }).error_description;
  return {
    error,
    description:
      known?.description ?? `The bank ended the request: ${typeof said === 'string' ? said : error}`,
    fix: known?.fix ?? 'start a new backchannel authentication request',
    clause: 'CIBA §11',
  };
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * CIBA §10.2: a ping is the bank's POST to the client's notification endpoint, with the
 * client_notification_token the client sent as a Bearer token and the auth_req_id in a JSON body. The
 * checks a client runs before it believes one; every other request to the endpoint is someone else's.
 */
export function pingChecks(
  ping: { authorization: string | undefined; body: unknown },
  expected: { clientNotificationToken: string; authReqId: string },
): CheckOutcome[] {
  const bearer = /^Bearer (.+)$/i.exec(ping.authorization ?? '')?.[1];
  const authReqId = (ping.body as { auth_req_id?: unknown } | undefined)?.auth_req_id;
  return [
    {
      name: 'The ping carries our client_notification_token as its Bearer token',
      passed: bearer !== undefined && sameText(bearer, expected.clientNotificationToken),
      clause: 'CIBA §10.2, RFC 6750 §2.1',
      detail: bearer === undefined ? 'no Bearer token' : 'compared in constant time',
    },
    {
      name: 'The ping names the auth_req_id of our request',
      passed: authReqId === expected.authReqId,
      clause: 'CIBA §10.2',
      detail: `auth_req_id ${JSON.stringify(authReqId ?? null)}`,
    },
  ];
}
