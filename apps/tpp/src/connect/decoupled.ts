// Decoupled authentication (CIBA Core 1.0 as FAPI-CIBA profiles it, an option of FAPI 1.0 Advanced): the
// learner names the customer and a binding message; Moneywise registers a CIBA client (poll or ping),
// creates the account-access consent, sends the signed backchannel request and waits, with no redirect,
// while the customer answers on the bank's app. The tokens come by polling at the bank's pace (CIBA §7.3,
// §11) or, in ping mode, after the bank's ping (decoupled-ping.ts). Then the connection reads accounts
// like any other.
import { randomBytes, randomUUID } from 'node:crypto';
import {
  type CibaDeliveryMode,
  cibaTokenRequest,
  endOfWait,
  isBackchannelAcknowledgement,
  pollForTokens,
  requestBackchannelAuthentication,
} from '@fapi-sandbox/fapi-client';
import { PartyError } from '../http/party-error.js';
import type { DecoupledView } from '../shared/api.js';
import type { BackchannelRequest, BackchannelRequestStore } from '../store/backchannel-requests.js';
import type { Connection } from '../store/connections.js';
import { CIBA_STEPS } from '../trace/ciba-steps.js';
import { runInPhase } from '../trace/phase.js';
import { intentClaims } from './authorization-request.js';
import type { BoundClient } from './bound-client.js';
import { type ConnectionKit, type Customer, toApiError } from './connection-kit.js';
import { ACCOUNTS, type ConnectionTokens } from './connection-tokens.js';
import { type PartyResponse, tppStep } from './engine.js';
import { idTokenTrace, verifyIdToken } from './id-token.js';
import { type ClientAuthMethod, registrationOptions } from './profiles.js';
import { storedToken } from './token-endpoint.js';

/** FAPI-CIBA is an option of FAPI 1.0 Advanced (FAPI-CIBA §5.2.2: the provisions of Part 1 and Part 2). */
const CIBA_PROFILE = 'fapi1-advanced';

export interface StartDecoupled {
  customer: Customer;
  clientAuth: ClientAuthMethod;
  mode: CibaDeliveryMode;
  /** CIBA §7.1: the customer's username at the bank. */
  loginHint: string;
  /** CIBA §7.1: the text shown on Moneywise's page and on the bank app alike. */
  bindingMessage: string;
}

export interface Decoupled {
  start(input: StartDecoupled): Promise<DecoupledView>;
  view(connection: Connection): Promise<DecoupledView | undefined>;
  /** After a genuine ping (decoupled-ping.ts): collect the customer's answer at the token endpoint. */
  collectAfterPing(request: BackchannelRequest): Promise<void>;
  /** Stops every wait in progress (the TPP is shutting down). */
  close(): void;
}

export function createDecoupled(
  kit: ConnectionKit,
  { clientCredentialsToken }: ConnectionTokens,
  deps: { requests: BackchannelRequestStore },
): Decoupled {
  const { store, trace, now } = kit.deps;
  const waits = new Set<AbortController>();

  /** The customer's answer, as the token endpoint gave it: the connection becomes active or failed. */
  async function finish(connection: Connection, client: BoundClient, response: PartyResponse) {
    const current = await store.get(connection.id);
    if (current?.status !== 'authorising') return;
    const context = kit.context(connection);
    const ended = endOfWait(response);
    if (ended) {
      await store.transition(connection.id, {
        from: ['authorising'],
        to: 'failed',
        error: {
          error: ended.error,
          error_description: `${ended.description} (${ended.clause.replace('§', 'section ')}). Fix: ${ended.fix}.`,
          party: 'bank-op',
          step: CIBA_STEPS.ended.title,
          status: response.status,
        },
      });
      return;
    }
    const tokens = kit.deps.tokens.accept(client, CIBA_STEPS.tokens, response, context);
    const checks: Parameters<typeof verifyIdToken>[0]['checks'] = [];
    let claims: Record<string, unknown> | undefined;
    try {
      claims = await verifyIdToken({
        idToken: tokens.id_token,
        client,
        nonce: undefined,
        consentId: current.consentId ?? '',
        checks,
      });
    } finally {
      trace.recordChecks({
        ...context,
        ...idTokenTrace(client.idTokenDecryptionKeys ? tokens.id_token : undefined, claims),
        checks,
      });
    }
    // The token and the move to active in one transaction, once: a poll and a ping's collection (or two
    // TPP processes) that both get tokens make one active connection.
    await store.transition(connection.id, {
      from: ['authorising'],
      to: 'active',
      saveToken: storedToken(connection.id, ACCOUNTS, tokens, now()),
    });
  }

  /** Runs a wait in the background, its failure recorded on the connection (never thrown to no one). */
  function inBackground(connection: Connection, work: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    waits.add(controller);
    void runInPhase('connect', () => work(controller.signal))
      .catch(async (err: unknown) => {
        if (controller.signal.aborted) return;
        await store.transition(connection.id, {
          from: ['authorising'],
          to: 'failed',
          error: toApiError(err),
        });
      })
      // Not even the failure could be stored (the database is gone): the connection stays authorising
      // until it is abandoned (abandoned.ts); there is no one to throw to.
      .catch(() => undefined)
      .finally(() => waits.delete(controller));
  }

  /** Poll mode: the token endpoint at the bank's interval, 5 s more after each slow_down (CIBA §7.3, §11). */
  function pollUntilAnswered(connection: Connection, request: BackchannelRequest): void {
    inBackground(connection, async (signal) => {
      const client = await kit.clientFor(connection);
      const step = tppStep(CIBA_STEPS.poll, kit.context(connection));
      const response = await pollForTokens(kit.deps.engine, client, step, request.authReqId, {
        intervalSeconds: request.intervalSeconds,
        signal,
      });
      await finish(connection, client, response);
    });
  }

  async function view(connection: Connection): Promise<DecoupledView | undefined> {
    const request = await deps.requests.forConnection(connection.id);
    if (!request || !connection.ciba) return undefined;
    const bank = await kit.deps.onboarding.bank(kit.context(connection));
    return {
      connectionId: connection.id,
      status: connection.status,
      mode: connection.ciba,
      loginHint: request.loginHint,
      bindingMessage: request.bindingMessage,
      // The bank's app stands for the customer's phone: a page of the bank's own origin (its issuer).
      bankAppUrl: new URL('/bank-app', bank.metadata.issuer).href,
      intervalSeconds: request.intervalSeconds,
      expiresAt: new Date(request.expiresAt * 1000).toISOString(),
      ...(request.pingedAt ? { pingedAt: new Date(request.pingedAt * 1000).toISOString() } : {}),
      ...(connection.error ? { error: connection.error } : {}),
    };
  }

  return {
    view,
    async start({ customer, clientAuth, mode, loginHint, bindingMessage }) {
      const created = new Date().toISOString();
      let connection: Connection = {
        id: randomUUID(),
        sessionId: customer.sessionId,
        profile: CIBA_PROFILE,
        clientAuth,
        interactionId: randomUUID(),
        status: 'authorising',
        ciba: mode,
        createdAt: created,
        updatedAt: created,
      };
      await store.create(connection);
      try {
        const registration = await kit.deps.onboarding.ensureRegistration(
          CIBA_PROFILE,
          clientAuth,
          kit.context(connection),
          registrationOptions(connection),
        );
        connection = await store.update(connection.id, { clientId: registration.clientId });
        const outcome = await kit.withRegisteredClient(connection, async (client) => {
          const ccToken = await clientCredentialsToken(connection, client, 'accounts');
          const consent = await kit.deps.bankApi.createAccountAccessConsent(
            client,
            ccToken,
            kit.apiContext(connection, customer),
          );
          await store.update(connection.id, { consentId: consent.consentId });
          // CIBA §7.1: ping mode sends the Bearer token the bank's ping must carry (CIBA §10.2).
          const notificationToken = mode === 'ping' ? randomBytes(32).toString('base64url') : undefined;
          const step = tppStep(CIBA_STEPS.request, kit.context(connection));
          const response = await requestBackchannelAuthentication(kit.deps.engine, client, step, {
            scope: 'openid accounts',
            login_hint: loginHint,
            binding_message: bindingMessage,
            claims: intentClaims(consent.consentId),
            ...(notificationToken ? { client_notification_token: notificationToken } : {}),
          });
          if (!response.ok) throw PartyError.fromResponse('bank-op', CIBA_STEPS.request.title, response);
          const ack = response.body;
          const acknowledged = isBackchannelAcknowledgement(ack);
          trace.recordChecks({
            ...kit.context(connection),
            step: CIBA_STEPS.acknowledgement,
            checks: [
              {
                name: 'The bank acknowledged the request with an auth_req_id and expires_in',
                passed: acknowledged,
                clause: 'CIBA §7.3',
                detail: acknowledged
                  ? `expires in ${ack.expires_in} s; poll every ${ack.interval ?? 5} s`
                  : `the answer was ${JSON.stringify(ack).slice(0, 200)}`,
              },
            ],
          });
          if (!acknowledged) {
            throw new PartyError({
              party: 'bank-op',
              step: CIBA_STEPS.request.title,
              upstreamStatus: response.status,
              error: 'invalid_backchannel_response',
              description: 'The bank’s answer has no auth_req_id or expires_in',
              clause: 'CIBA §7.3',
            });
          }
          const at = Math.floor(now() / 1000);
          const request: BackchannelRequest = {
            connectionId: connection.id,
            authReqId: ack.auth_req_id,
            loginHint,
            bindingMessage,
            ...(notificationToken ? { notificationToken } : {}),
            // CIBA §7.3: without an interval the client waits 5 s.
            intervalSeconds: ack.interval ?? 5,
            expiresAt: at + ack.expires_in,
            createdAt: at,
          };
          await deps.requests.save(request);
          return request;
        });
        connection = outcome.connection;
        if (mode === 'poll') pollUntilAnswered(connection, outcome.result);
        return (await view((await store.get(connection.id))!))!;
      } catch (err) {
        await store.transition(connection.id, {
          from: ['authorising'],
          to: 'failed',
          error: toApiError(err),
        });
        throw err;
      }
    },

    async collectAfterPing(request) {
      const connection = await store.get(request.connectionId);
      if (connection?.status !== 'authorising') return;
      inBackground(connection, async () => {
        const client = await kit.clientFor(connection);
        const step = tppStep(CIBA_STEPS.poll, kit.context(connection));
        await finish(
          connection,
          client,
          await cibaTokenRequest(kit.deps.engine, client, step, request.authReqId),
        );
      });
    },

    close() {
      for (const wait of waits) wait.abort();
    },
  };
}
