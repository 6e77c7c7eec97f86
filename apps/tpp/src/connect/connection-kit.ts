// What every step of a connection shares: the dependencies handed in by the composition root, the
// bound client for a connection (re-registering once on invalid_client), and the trace context.
import type { SigningKeySet } from '@fapi-sandbox/fapi-core/jose/keys';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import type { JWK } from 'jose';
import type { Dispatcher } from 'undici';
import type { ApiContext, BankApiClient } from '../bank-api/client.js';
import { PartyError } from '../http/party-error.js';
import type { Onboarding } from '../onboarding/onboarding.js';
import type { ApiError } from '../shared/api.js';
import type { BackchannelRequestStore } from '../store/backchannel-requests.js';
import type { Connection, ConnectionStore } from '../store/connections.js';
import type { TraceLog } from '../trace/trace-log.js';
import { type BoundClient, createBoundClient, DpopNonces } from './bound-client.js';
import type { TppEngine } from './engine.js';
import { PROFILES, registrationOptions } from './profiles.js';
import { type TokenEndpoint, UnknownClientError } from './token-endpoint.js';

export interface Customer {
  sessionId: string;
  /** When the session started: x-fapi-auth-date. */
  authDate?: Date;
  ip?: string;
}

export interface ConnectionDeps {
  store: ConnectionStore;
  /** The decoupled authentication requests sent (FAPI-CIBA). */
  backchannelRequests: BackchannelRequestStore;
  onboarding: Onboarding;
  tokens: TokenEndpoint;
  bankApi: BankApiClient;
  engine: TppEngine;
  trace: TraceLog;
  /** The signing keys now (they change when the directory reissues a signing certificate). */
  signingKeys: () => Promise<SigningKeySet>;
  /** Moneywise's private encryption keys (use enc): what the bank encrypts ID tokens and JARM responses to. */
  encryptionKeys: () => Promise<{ keys: JWK[] }>;
  transportAgent: Dispatcher;
  webAgent: Dispatcher;
  /** The transport certificate's x5t#S256 now (it changes when the directory reissues it). */
  transportThumbprint: () => string;
  redirectUri: string;
  /** The TPP's clock (ms since the epoch): when tokens expire, how old an authorization is. */
  now: () => number;
}

/** The trace context of a connection: one x-fapi-interaction-id ties its messages together. */
export interface ConnectionContext {
  interactionId: string;
  connectionId: string;
}

export interface ConnectionKit {
  deps: ConnectionDeps;
  clientFor(connection: Connection, clientId?: string): Promise<BoundClient>;
  context(connection: Connection): ConnectionContext;
  apiContext(connection: Connection, customer: Customer): ApiContext;
  withRegisteredClient<T>(
    connection: Connection,
    work: (client: BoundClient) => Promise<T>,
  ): Promise<{ result: T; connection: Connection }>;
  recordFrontChannel(
    connection: Connection,
    input: {
      title: string;
      explanation: string;
      clause: string;
      url: string;
      inbound: boolean;
      checks?: CheckResult[];
    },
  ): void;
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof PartyError) return err.toJSON();
  if (err instanceof Error && typeof (err as { toJSON?: unknown }).toJSON === 'function') {
    return (err as unknown as { toJSON(): ApiError }).toJSON();
  }
  return { error: 'server_error', error_description: err instanceof Error ? err.message : String(err) };
}

export function createConnectionKit(deps: ConnectionDeps): ConnectionKit {
  const { store, onboarding, trace } = deps;
  const nonces = new DpopNonces();

  async function clientFor(connection: Connection, clientId = connection.clientId): Promise<BoundClient> {
    if (!clientId) throw new Error(`connection ${connection.id} has no client_id`);
    const bank = await onboarding.bank({
      interactionId: connection.interactionId,
      connectionId: connection.id,
    });
    return createBoundClient({
      clientId,
      profile: PROFILES[connection.profile],
      clientAuth: connection.clientAuth,
      bank,
      signingKeys: await deps.signingKeys(),
      transportAgent: deps.transportAgent,
      webAgent: deps.webAgent,
      transportThumbprint: deps.transportThumbprint(),
      dpopPrivateJwk: connection.dpopPrivateJwk,
      requestObjectEncryption: connection.requestObjectEncryption,
      ...(connection.idTokenEncryption ? { idTokenDecryptionKeys: await deps.encryptionKeys() } : {}),
      ...(connection.jarmEncryption
        ? {
            jarmDecryption: {
              alg: connection.jarmEncryption,
              enc: 'A256GCM',
              keys: await deps.encryptionKeys(),
            },
          }
        : {}),
      nonces,
    });
  }

  const context = (connection: Connection): ConnectionContext => ({
    interactionId: connection.interactionId,
    connectionId: connection.id,
  });
  const apiContext = (connection: Connection, customer: Customer): ApiContext => ({
    ...context(connection),
    customerAuthDate: customer.authDate,
    customerIp: customer.ip,
  });

  /** Runs `work` with the connection's client; if the bank says invalid_client, registers again once. */
  async function withRegisteredClient<T>(
    connection: Connection,
    work: (client: BoundClient) => Promise<T>,
  ): Promise<{ result: T; connection: Connection }> {
    try {
      return { result: await work(await clientFor(connection)), connection };
    } catch (err) {
      if (!(err instanceof UnknownClientError)) throw err;
      const registration = await onboarding.reregister(
        connection.profile,
        connection.clientAuth,
        context(connection),
        registrationOptions(connection),
      );
      const updated = await store.update(connection.id, { clientId: registration.clientId });
      return { result: await work(await clientFor(updated)), connection: updated };
    }
  }

  function recordFrontChannel(
    connection: Connection,
    input: {
      title: string;
      explanation: string;
      clause: string;
      url: string;
      inbound: boolean;
      checks?: CheckResult[];
    },
  ) {
    // The recorder redacts the code or JARM response in the URL and decodes its JWTs.
    trace.record({
      ...context(connection),
      party: 'tpp',
      direction: input.inbound ? 'inbound' : 'outbound',
      channel: 'front',
      step: input.title,
      explanation: input.explanation,
      clause: input.clause,
      method: 'GET',
      url: input.url,
      checks: input.checks,
    });
  }

  return { deps, clientFor, context, apiContext, withRegisteredClient, recordFrontChannel };
}
