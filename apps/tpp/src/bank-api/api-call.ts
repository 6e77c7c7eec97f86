// One call to the bank's UK Open Banking v3.1 API as Moneywise makes it: the engine's bankApiCall (bound
// access token, DPoP proof or certificate, nonce retry, interaction id, idempotency key) with the FAPI
// customer headers, and one refresh when the access token has expired (RFC 6749 §6).
import { bankApiCall, ResponseSignatureRejected, tokenRefused } from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { AUTH_DATE_HEADER, CUSTOMER_IP_HEADER } from '@fapi-sandbox/fapi-core/fapi-headers';
import type { BoundClient } from '../connect/bound-client.js';
import { type PartyResponse, type TppEngine, tppStep } from '../connect/engine.js';
import { PartyError } from '../http/party-error.js';
import type { StepDescription, StepKind } from '../trace/steps.js';
import type { TraceLog } from '../trace/trace-log.js';
import type { BankApiKeys } from './response-keys.js';

/** Where an access token comes from: the stored one, and a way to refresh it (RFC 6749 §6). */
export interface TokenSource {
  current(): Promise<string>;
  /** Refreshes and returns the new token; undefined when there is no refresh token. */
  refresh?(): Promise<string | undefined>;
}

export interface ApiContext {
  interactionId: string;
  connectionId: string;
  /** FAPI 1.0 Part 1 §6.2.2-3/-4: the customer is present; when they logged in to Moneywise and from where. */
  customerAuthDate?: Date;
  customerIp?: string;
}

export interface ApiRequest {
  step: StepKind | StepDescription;
  method: 'GET' | 'POST' | 'DELETE';
  /** Path under the API base URL, e.g. `/aisp/accounts`. */
  path: string;
  json?: unknown;
  idempotencyKey?: string;
  /** Sign the request and accept only the bank's signed answer (FAPI 2.0 HTTP Signatures §5.3). */
  signed?: boolean;
}

export interface ApiCall {
  /** Sends one request with the token (refreshing once if it expired) and returns the answer, ok or not. */
  send(
    client: BoundClient,
    tokens: TokenSource,
    request: ApiRequest,
    context: ApiContext,
  ): Promise<PartyResponse>;
  /** Like `send`, but an answer that is not 2xx throws the bank API's error as a PartyError. */
  ok(
    client: BoundClient,
    tokens: TokenSource,
    request: ApiRequest,
    context: ApiContext,
  ): Promise<PartyResponse>;
}

/** UK OB R/W API v3.1 §Data: a member of the answer's Data, or the error that it is missing. */
export function dataMember<T>(response: PartyResponse, member: string, step: string): T {
  const value = (response.body as { Data?: Record<string, unknown> } | undefined)?.Data?.[member];
  if (value === undefined) {
    throw new PartyError({
      party: 'bank-api',
      step,
      upstreamStatus: response.status,
      error: 'invalid_response',
      description: `${step}: the bank API's answer has no Data.${member}`,
      clause: 'UK OB Read/Write API v3.1 §Data',
    });
  }
  return value as T;
}

/**
 * UK OB R/W API v3.1: a consent is POSTed as its Data with a Risk object, under an idempotency key so a
 * retried POST cannot create a second one; the bank answers the consent's id and status.
 */
export async function postConsent(
  api: ApiCall,
  client: BoundClient,
  tokens: TokenSource,
  consent: {
    step: StepKind;
    title: string;
    path: string;
    data: unknown;
    idempotencyKey: string;
    signed?: boolean;
  },
  context: ApiContext,
): Promise<{ consentId: string; status: string }> {
  const { step, path, idempotencyKey } = consent;
  const json = { Data: consent.data, Risk: {} };
  const response = await api.ok(
    client,
    tokens,
    { step, method: 'POST', path, json, idempotencyKey, ...(consent.signed ? { signed: true } : {}) },
    context,
  );
  return {
    consentId: dataMember<string>(response, 'ConsentId', consent.title),
    status: dataMember<string>(response, 'Status', consent.title),
  };
}

export function createApiCall(deps: {
  config: SandboxConfig;
  engine: TppEngine;
  trace: TraceLog;
  bankApiKeys: BankApiKeys;
}): ApiCall {
  const { engine, trace } = deps;
  const base = deps.config.bankApi.baseUrl;

  /** Moneywise's key from its registered JWKS, and the bank API's published keys. */
  function signingFor(client: BoundClient, context: ApiContext) {
    const key = client.signingKey!;
    return {
      key: { kid: key.kid!, alg: key.alg, key: key.key },
      serverKeys: deps.bankApiKeys(context),
    };
  }

  async function attempt(client: BoundClient, token: string, request: ApiRequest, context: ApiContext) {
    const { interactionId, connectionId } = context;
    try {
      const response = await call(client, token, request, context);
      if (response.signed) {
        trace.recordChecks({
          interactionId,
          connectionId,
          step: 'message-signatures',
          checks: response.signed.checks,
        });
      }
      return response;
    } catch (err) {
      if (!(err instanceof ResponseSignatureRejected)) throw err;
      // FAPI 2.0 HTTP Signatures §5.3.2.2: an answer the bank did not sign is not acted on.
      trace.recordChecks({
        interactionId,
        connectionId,
        step: 'message-signatures',
        checks: err.signed.checks,
      });
      throw new PartyError({
        party: 'bank-api',
        step: 'Check the bank’s signed answer',
        upstreamStatus: 502,
        error: err.error,
        description: err.description,
        ...(err.clause ? { clause: err.clause } : {}),
        ...(err.fix ? { fix: err.fix } : {}),
      });
    }
  }

  function call(client: BoundClient, token: string, request: ApiRequest, context: ApiContext) {
    const { interactionId, connectionId } = context;
    return bankApiCall(engine, client, tppStep(request.step, { interactionId, connectionId }), {
      method: request.method,
      url: `${base}${request.path}`,
      accessToken: token,
      interactionId,
      json: request.json,
      idempotencyKey: request.idempotencyKey,
      headers: {
        // FAPI 1.0 Part 1 §6.2.2-3/-4: the customer is present.
        ...(context.customerAuthDate ? { [AUTH_DATE_HEADER]: context.customerAuthDate.toUTCString() } : {}),
        ...(context.customerIp ? { [CUSTOMER_IP_HEADER]: context.customerIp } : {}),
      },
      ...(request.signed ? { signing: signingFor(client, context) } : {}),
    });
  }

  async function send(client: BoundClient, tokens: TokenSource, request: ApiRequest, context: ApiContext) {
    const response = await attempt(client, await tokens.current(), request, context);
    if (!tokenRefused(response) || !tokens.refresh) return response;
    // RFC 6749 §6: an expired access token is replaced with the refresh token, once, without the customer.
    let refreshed: string | undefined;
    try {
      refreshed = await tokens.refresh();
    } catch (err) {
      // When the bank refuses the refresh too, the API's refusal names the cause (a revoked consent, a
      // participant the directory suspended): that is what the learner sees; the refusal is in the trace.
      if (err instanceof PartyError) return response;
      throw err;
    }
    return refreshed ? attempt(client, refreshed, request, context) : response;
  }

  return {
    send,
    async ok(client, tokens, request, context) {
      const response = await send(client, tokens, request, context);
      if (!response.ok)
        throw PartyError.fromResponse('bank-api', response.recorded.step ?? String(request.step), response);
      return response;
    },
  };
}
