// The notification endpoint of ping mode (CIBA §10.2): the bank posts {"auth_req_id": …} with the
// client_notification_token Moneywise sent as a Bearer token (RFC 6750 §2.1). Moneywise believes a ping
// only when both match a request it made (pingChecks), answers 204, and then collects the answer at the
// token endpoint with its own client authentication (the ping itself carries nothing to trust, FAPI-CIBA
// §7.8). Every ping, genuine or not, is shown in the inspector of the connection it names.
import { pingChecks } from '@fapi-sandbox/fapi-client';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { BackchannelRequestStore } from '../store/backchannel-requests.js';
import type { ConnectionStore } from '../store/connections.js';
import { CIBA_STEPS } from '../trace/ciba-steps.js';
import type { TraceLog } from '../trace/trace-log.js';
import type { Decoupled } from './decoupled.js';

/** Where the bank pings Moneywise, on its own origin (registered as backchannel_client_notification_endpoint). */
export const PING_PATH = '/ciba/ping';

export interface Ping {
  authorization: string | undefined;
  body: unknown;
  url: string;
  headers: Record<string, string>;
}

export function createPingReceiver(deps: {
  requests: BackchannelRequestStore;
  store: ConnectionStore;
  trace: TraceLog;
  decoupled: Decoupled;
  now: () => number;
}) {
  /** Handles one ping; throws the OAuth error to answer when it is not one of Moneywise's requests. */
  return async function receive(ping: Ping): Promise<void> {
    const authReqId = (ping.body as { auth_req_id?: unknown } | undefined)?.auth_req_id;
    const request = typeof authReqId === 'string' ? await deps.requests.byAuthReqId(authReqId) : undefined;
    if (!request) {
      throw new OAuthError({
        status: 400,
        error: 'invalid_request',
        description: 'The ping names no backchannel authentication request Moneywise made',
        clause: 'CIBA §10.2',
        fix: 'send the auth_req_id of the request, as JSON {"auth_req_id": …}',
      });
    }
    const checks = pingChecks(ping, {
      clientNotificationToken: request.notificationToken ?? '',
      authReqId: request.authReqId,
    });
    const genuine = request.notificationToken !== undefined && checks.every((check) => check.passed);
    const connection = await deps.store.get(request.connectionId);
    deps.trace.record({
      interactionId: connection?.interactionId ?? request.authReqId,
      connectionId: request.connectionId,
      party: 'tpp',
      direction: 'inbound',
      channel: 'back',
      step: CIBA_STEPS.ping.title,
      explanation: CIBA_STEPS.ping.explanation,
      clause: CIBA_STEPS.ping.clause,
      method: 'POST',
      url: ping.url,
      status: genuine ? 204 : 401,
      requestHeaders: ping.headers,
      requestBody: ping.body,
      checks,
      phase: 'connect',
    });
    if (!genuine) {
      // RFC 6750 §3.1: a Bearer token that is not the one Moneywise sent.
      throw new OAuthError({
        status: 401,
        error: 'invalid_token',
        description: 'The ping does not carry the client_notification_token Moneywise sent with this request',
        clause: 'CIBA §10.2, RFC 6750 §3.1',
        fix: 'send the client_notification_token of the authentication request as the Bearer token',
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      });
    }
    // CIBA §10.2: one ping per request; a repeated one changes nothing, whichever TPP process it reaches.
    if (await deps.requests.notePing(request.authReqId, Math.floor(deps.now() / 1000))) {
      deps.decoupled.collectAfterPing(request);
    }
  };
}
