// The redirect back from the bank: match the state (RFC 6749 §10.12), verify the authorization response,
// exchange the code once (RFC 6749 §4.1.3, §10.5) and verify the ID token before the connection is active.
import { type AccountInformationDetail, checkGrantedDetails } from '@fapi-sandbox/fapi-client';
import { isCompactJwe } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import { PartyError } from '../http/party-error.js';
import type { ApiError } from '../shared/api.js';
import { STEPS } from '../trace/steps.js';
import { describeStep } from '../trace/trace-log.js';
import {
  AuthorizationResponseRejected,
  responseChecksTrace,
  startedInThisBrowser,
  stateOf,
  verifyAuthorizationResponse,
} from './authorization-response.js';
import { type ConnectionKit, type Customer, toApiError } from './connection-kit.js';
import { ACCOUNTS, paymentGrant } from './connection-tokens.js';
import { idTokenTrace, verifyIdToken } from './id-token.js';
import { byAuthorizationDetails, type CompletePayment, paymentDetailFor } from './payments.js';
import { storedToken } from './token-endpoint.js';

export interface CallbackOutcome {
  connectionId?: string;
  paymentId?: string;
  error?: ApiError;
}

export type CompleteConnection = (input: {
  sessionId: string | undefined;
  params: Record<string, string>;
  url: string;
}) => Promise<CallbackOutcome>;

/** RFC 6749 §10.5: the answer to a callback whose state another request (or TPP process) redeemed first. */
const ALREADY_USED: ApiError = {
  error: 'invalid_state',
  error_description:
    'This authorization response was already used (RFC 6749 section 10.5): the same callback arrived twice and the first one redeemed its code. Fix: open the connection from the Connect page; to connect again, start a new connection.',
};

export function createCompleteConnection(
  { deps, clientFor, context, recordFrontChannel }: ConnectionKit,
  completePayment: CompletePayment,
): CompleteConnection {
  const { store, trace, now } = deps;
  return async function complete({ sessionId, params, url }) {
    // JARM §2.2: an encrypted response's state is read with Moneywise's key, only to find the request.
    const encrypted = isCompactJwe(params.response);
    const keys = encrypted ? await deps.encryptionKeys().catch(() => undefined) : undefined;
    const state = await stateOf(params, keys);
    const pending = state ? await store.authorization(state) : undefined;
    if (!pending) {
      return {
        error: {
          error: 'invalid_state',
          error_description:
            encrypted && state === undefined
              ? 'This authorization response is encrypted (JWE) to a key Moneywise does not hold, so it matches no request and was discarded (RFC 7516 §5.2, JARM §2.2). Fix: start the connection again; the bank must encrypt to the key Moneywise publishes at its jwks_uri.'
              : 'This authorization response matches no request Moneywise made (unknown or missing state) and was discarded (RFC 6749 §10.12). Fix: start the connection again from the Connect page.',
        },
      };
    }
    let connection = (await store.get(pending.connectionId))!;
    recordFrontChannel(connection, { ...STEPS.callback, url, inbound: true });
    const payment = pending.paymentId ? await store.payment(pending.paymentId) : undefined;
    const outcome: CallbackOutcome = { connectionId: connection.id, paymentId: payment?.id };
    const customer: Customer = { sessionId: pending.sessionId };
    const fail = async (err: unknown) => {
      const error = toApiError(err);
      // Only what still waits for this callback fails: a replayed callback leaves an active connection
      // and a submitted payment be.
      if (payment) await store.movePayment(payment.id, { from: ['authorising'], to: 'failed', error });
      else await store.transition(connection.id, { from: ['authorising'], to: 'failed', error });
      return { ...outcome, error };
    };
    try {
      const client = await clientFor(connection);
      let verified: Awaited<ReturnType<typeof verifyAuthorizationResponse>>;
      try {
        verified = await verifyAuthorizationResponse({ params, pending, sessionId, client, now: now() });
        trace.recordChecks({
          ...context(connection),
          ...responseChecksTrace(verified.decryptedJarm),
          checks: verified.checks,
        });
      } catch (err) {
        if (err instanceof AuthorizationResponseRejected)
          trace.recordChecks({ ...context(connection), step: 'response-checks', checks: err.checks });
        throw err;
      }
      // RFC 6749 §10.5: the response is used once, even if what follows fails. Claimed in one conditional
      // write: the same callback reaching another TPP process at this instant loses here, sends nothing
      // to the bank and changes nothing (the winner's connection is left to the winner).
      if (!(await store.completeAuthorization(pending.state))) return { ...outcome, error: ALREADY_USED };
      const grant = payment ? paymentGrant(payment.id) : ACCOUNTS;
      const response = await deps.tokens.request(
        client,
        'token-code',
        {
          grant_type: 'authorization_code',
          code: verified.code,
          redirect_uri: deps.redirectUri,
          code_verifier: pending.codeVerifier,
        },
        context(connection),
      );
      const checks: CheckResult[] = [];
      let idTokenClaims: Record<string, unknown> | undefined;
      try {
        idTokenClaims = await verifyIdToken({
          idToken: response.id_token,
          client,
          nonce: pending.nonce,
          consentId: pending.consentId,
          checks,
        });
      } finally {
        trace.recordChecks({
          ...context(connection),
          ...idTokenTrace(client.idTokenDecryptionKeys ? response.id_token : undefined, idTokenClaims),
          checks,
        });
      }
      // RFC 9396 §7: the bank granted the details Moneywise pushed, adding only the customer's choice.
      const requested = payment
        ? byAuthorizationDetails(payment.request)
          ? [paymentDetailFor(payment.request)]
          : undefined
        : connection.authorizationDetails;
      if (requested) {
        const granted = checkGrantedDetails(requested, response.authorization_details);
        const step = payment ? 'granted-details' : 'granted-account-details';
        trace.recordChecks({ ...context(connection), step, checks: [granted] });
        if (!granted.passed) {
          throw new PartyError({
            party: 'bank-op',
            step: describeStep(step).title,
            upstreamStatus: 200,
            error: 'invalid_authorization_details',
            description: granted.detail,
            clause: granted.clause,
            fix: payment
              ? 'do not submit this payment; start it again'
              : 'do not use this grant; connect again',
          });
        }
        if (!payment) {
          connection = await store.update(connection.id, {
            authorizationDetails: response.authorization_details as AccountInformationDetail[],
          });
        }
      }
      const token = storedToken(connection.id, grant, response, now());
      if (payment) {
        await store.saveToken(token);
        await completePayment(connection, client, payment, customer);
      } else {
        // The token and the move to active in one transaction: never an active connection without it.
        await store.transition(connection.id, { from: ['authorising'], to: 'active', saveToken: token });
      }
      return outcome;
    } catch (err) {
      if (!startedInThisBrowser(pending, sessionId)) {
        // RFC 6749 §10.12: the response came back in another browser, so its code may be in other hands: the
        // flow ends here, its response spent for good (not even its own browser redeems it later), and the
        // browser that brought it is shown nothing of the connection.
        await store.completeAuthorization(pending.state);
        return { error: (await fail(err)).error };
      }
      return fail(err);
    }
  };
}
