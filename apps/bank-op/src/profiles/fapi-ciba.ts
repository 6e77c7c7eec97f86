// FAPI-CIBA (Financial-grade API: Client Initiated Backchannel Authentication Profile, Implementer's
// Draft 1) as bank-op enforces it: decoupled authentication, where the TPP names the customer (login_hint)
// and the customer approves on the bank's app. FAPI-CIBA builds on FAPI 1.0 Part 1 and Part 2 (§5.2.2:
// "shall support the provisions ... of Part 1 and Part 2"), so it is an option of the FAPI 1.0 Advanced
// profile here: a client of that profile that registers the CIBA grant gets these rules on top of
// Advanced's (certificate-bound tokens, PS256/ES256, confidential clients). One object holds the values
// oidc-provider and provider/ciba.ts are configured with; the rules quote them.
import { bankOp, both, oidcProvider, type Rule } from './rule.js';

export const CIBA_GRANT_TYPE = 'urn:openid:params:grant-type:ciba';

export type CibaDeliveryMode = 'poll' | 'ping';

export interface CibaPolicy {
  /** FAPI-CIBA §5.2.2-3/-4/-5: poll always, ping allowed, push never. */
  deliveryModes: readonly CibaDeliveryMode[];
  /** CIBA §7.3: the minimum seconds between two polls of one auth_req_id (the response's `interval`). */
  pollIntervalSeconds: number;
  /** CIBA §11: each slow_down adds this to the interval the client must keep. */
  slowDownStepSeconds: number;
  /** CIBA §7.3 expires_in: how long the customer has to approve (a request_expiry may shorten it). */
  requestSeconds: number;
  /** CIBA §7.1: the binding message is short and plain, shown on the TPP's screen and in the bank's app. */
  bindingMessage: { maxLength: number; pattern: RegExp; description: string };
}

export const FAPI_CIBA: CibaPolicy = {
  deliveryModes: ['poll', 'ping'],
  pollIntervalSeconds: 5,
  slowDownStepSeconds: 5,
  requestSeconds: 10 * 60,
  bindingMessage: {
    maxLength: 40,
    // Letters and digits of any script, spaces and the punctuation a reference or a code needs.
    pattern: /^[\p{L}\p{N} .,:;!?#'()+/-]{1,40}$/u,
    description: "letters, digits, spaces and . , : ; ! ? # ' ( ) + / -, at most 40 characters",
  },
};

const CIBA = 'FAPI-CIBA';

export const fapiCibaRules: Rule[] = [
  {
    id: 'ciba-modes',
    clause: `${CIBA} §5.2.2-3, §5.2.2-4, §5.2.2-5`,
    requirement: `Tokens are delivered by poll or ping (${FAPI_CIBA.deliveryModes.join(', ')}), never pushed to the client`,
    enforcedBy: both("features.ciba.deliveryModes ['poll', 'ping']", 'registration/metadata-checks/ciba.ts'),
    fix: 'register backchannel_token_delivery_mode "poll", or "ping" with an https backchannel_client_notification_endpoint',
  },
  {
    id: 'ciba-signed-request',
    clause: `${CIBA} §5.2.2-6/-9, CIBA §7.1.1`,
    requirement:
      'The backchannel authentication request is a signed request object (iss, aud, exp, iat, nbf, jti; exp at most 60 minutes after nbf), with the alg the client registered',
    enforcedBy: both(
      'client metadata backchannel_authentication_request_signing_alg',
      'provider/ciba.ts, provider/jwt-checks.ts',
    ),
    fix: 'sign every parameter into a JWT (PS256 or ES256) with iss, aud (the issuer), exp, iat, nbf and jti, and send it as request',
    violations: [
      {
        error: 'invalid_request',
        message: /^Request Object must be used by this client$/,
        route: 'backchannel_authentication',
      },
    ],
  },
  {
    id: 'ciba-binding-message',
    clause: `${CIBA} §5.2.2-2, CIBA §7.1`,
    requirement: `A binding_message is required and shown on both devices: ${FAPI_CIBA.bindingMessage.description}`,
    enforcedBy: both('features.ciba.validateBindingMessage', 'provider/ciba.ts'),
    fix: 'send a short binding_message (e.g. "Moneywise 4821") and show the same text to the customer',
  },
  {
    id: 'ciba-login-hint',
    clause: `${CIBA} §5.2.2-11, CIBA §7.1, §13`,
    requirement:
      "login_hint is the customer's username at the bank, and only names them (the consent travels in claims); an unknown one is refused",
    enforcedBy: both('features.ciba.processLoginHint', 'provider/ciba.ts'),
    fix: 'send the username the customer signs in to the bank with as login_hint',
  },
  {
    id: 'ciba-poll-interval',
    clause: `${CIBA} §5.2.2-4, CIBA §7.3, §11`,
    requirement: `Polls of one auth_req_id are at least ${FAPI_CIBA.pollIntervalSeconds} s apart; a faster poll gets slow_down and ${FAPI_CIBA.slowDownStepSeconds} s more`,
    enforcedBy: bankOp('provider/ciba.ts'),
    fix: 'wait the interval the backchannel response gave between polls, and add 5 s after each slow_down',
  },
  {
    id: 'ciba-request-lifetime',
    clause: 'CIBA §7.3, §11',
    requirement: `An auth_req_id lives ${FAPI_CIBA.requestSeconds} s (or the requested_expiry); polled later it is expired_token`,
    enforcedBy: oidcProvider(`ttl.BackchannelAuthenticationRequest: ${FAPI_CIBA.requestSeconds}`),
    fix: 'start a new backchannel authentication request',
    violations: [{ error: 'expired_token', message: /./ }],
  },
  {
    id: 'ciba-customer-approves',
    clause: `${CIBA} §5.2.2-7/-8, CIBA §8, FAPI 1.0 Part 1 §5.2.2-12`,
    requirement:
      "The customer signs in to the bank's app and approves or denies each request, seeing the TPP, the binding message and the consent",
    enforcedBy: bankOp('interactions/bank-app-page.ts'),
  },
];
