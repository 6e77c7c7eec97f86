// The steps of decoupled authentication (CIBA Core 1.0, profiled by FAPI-CIBA) as the flow inspector shows
// them: the signed backchannel request, the bank's acknowledgement, each poll by its answer
// (authorization_pending, slow_down, the tokens, or the end of the request), and the bank's ping.
import type { StepDescription } from './steps.js';

export const CIBA_STEPS = {
  request: {
    title: 'Ask the bank to authenticate the customer (CIBA backchannel request)',
    explanation:
      'No redirect: Moneywise names the customer (login_hint, their username at the bank) and sends a short binding message it also shows on its own screen. Every parameter, the consent in claims included, is signed into one request object with iss, aud, exp, nbf, iat and jti, and posted to the bank’s backchannel authentication endpoint with Moneywise’s client authentication. FAPI-CIBA accepts no unsigned request, and FAPI 1.0 Advanced’s rules still hold (certificate-bound tokens, PS256).',
    clause: 'CIBA §7.1, §7.1.1, FAPI-CIBA §5.2.2-2/-6, FAPI-CIBA §5.2.3.1-1/-2, FAPI 1.0 Adv §5.2.2-1',
  },
  acknowledgement: {
    title: 'Read the bank’s acknowledgement (auth_req_id, interval)',
    explanation:
      'The bank accepted the request and answered at once, before the customer has done anything: auth_req_id names the request from now on, expires_in says how long the customer has, and interval how many seconds Moneywise must wait between two polls of the token endpoint. The customer now answers on the bank’s app, another device; Moneywise waits.',
    clause: 'CIBA §7.3',
  },
  poll: {
    title: 'Poll the token endpoint (CIBA grant)',
    explanation:
      'Moneywise asks the token endpoint for the tokens with the CIBA grant and the auth_req_id, authenticated as for any token request.',
    clause: 'CIBA §10.1',
  },
  pending: {
    title: 'Poll: authorization_pending (the customer has not answered yet)',
    explanation:
      'The customer has not answered on the bank app yet. Moneywise polls again after the interval the bank set, no sooner.',
    clause: 'CIBA §10.1, §11, FAPI-CIBA §5.2.2-4',
  },
  slowDown: {
    title: 'Poll: slow_down (polled sooner than the interval)',
    explanation:
      'Moneywise polled sooner than the bank’s interval, so the bank answered slow_down: the interval grows by 5 seconds for this poll and every later one, and Moneywise waits that much longer.',
    clause: 'CIBA §7.3, §11',
  },
  tokens: {
    title: 'Collect the tokens (CIBA grant)',
    explanation:
      'The customer approved on the bank app, so the token endpoint answers with an access token bound to Moneywise’s transport certificate (cnf x5t#S256), an ID token and a refresh token: the same tokens a redirect flow ends with. The auth_req_id is used up: a second redemption is refused.',
    clause: 'CIBA §10.1, §10.1.1, FAPI 1.0 Adv §5.2.2-5',
  },
  ended: {
    title: 'Poll: the request ended without tokens',
    explanation:
      'The bank ended the request: access_denied when the customer denied it on the bank app, expired_token when they did not answer before expires_in. Moneywise stops waiting and says why; only a new request can start again.',
    clause: 'CIBA §11',
  },
  ping: {
    title: 'The bank pings Moneywise (CIBA ping)',
    explanation:
      'Ping mode: once the customer has answered, the bank posts the auth_req_id to the notification endpoint Moneywise registered, with the client_notification_token Moneywise sent in its request as a Bearer token. The ping carries no token and proves little: Moneywise checks both values, answers 204, and then collects the answer at the token endpoint with its own client authentication, as when polling.',
    clause: 'CIBA §10.2, FAPI-CIBA §7.8',
  },
} satisfies Record<string, StepDescription>;

/** The step a CIBA poll is shown under, by what the bank answered (CIBA §10.1.1, §11). */
export function cibaPollOutcome(status: number | undefined, body: unknown): StepDescription {
  if (status !== undefined && status < 400) return CIBA_STEPS.tokens;
  const error = (body as { error?: unknown } | undefined)?.error;
  if (error === 'authorization_pending') return CIBA_STEPS.pending;
  if (error === 'slow_down') return CIBA_STEPS.slowDown;
  return status === undefined ? CIBA_STEPS.poll : CIBA_STEPS.ended;
}

/** The titles of the polls that say "not yet": expected answers, not refusals. */
export const CIBA_WAITING_TITLES = new Set([CIBA_STEPS.pending.title, CIBA_STEPS.slowDown.title]);
