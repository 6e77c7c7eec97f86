// The TPP's trace as an observer of the client engine: each exchange the engine makes becomes one trace
// event of the connection, under the TPP's step name and explanation (the recorder redacts secrets and
// decodes JWTs as it stores it). The recorded event goes back to the caller with the answer.
import type { FapiObserver, ObservedExchange } from '@fapi-sandbox/fapi-client';
import { isOpaqueToken } from '@fapi-sandbox/fapi-core/introspection';
import { jweHeaderOf } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { CheckResult, TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { networkReason } from '../http/party-error.js';
import { CIBA_STEPS, cibaPollOutcome } from './ciba-steps.js';
import { DPOP_NONCE_RETRY, OPAQUE_ACCESS_TOKEN, type StepDescription, type StepKind } from './steps.js';
import { describeStep, type TraceLog } from './trace-log.js';

/** What the TPP hands the engine with each step (StepRef.context), and reads back to trace it. */
export interface TppStepContext {
  tppStep: StepKind | StepDescription;
  connectionId?: string;
  /** Checks the TPP ran on what it sends, shown with the message in the trace. */
  checks?: CheckResult[];
}

/** The JWE protected header of an encrypted request object the exchange sends (RFC 9101 §6.1). */
function requestObjectJwe(exchange: ObservedExchange) {
  return jweHeaderOf((exchange.requestBody as { request?: unknown } | undefined)?.request);
}

/** A resource call whose Authorization header carries an opaque access token (RFC 6750 §2.1, RFC 9449 §7.1). */
function sendsOpaqueToken(exchange: ObservedExchange): boolean {
  const token = /^(?:DPoP|Bearer) (\S+)$/i.exec(exchange.requestHeaders.authorization ?? '')?.[1];
  return token !== undefined && isOpaqueToken(token);
}

/** The step an exchange is shown under; a DPoP nonce retry (RFC 9449 §8/§9) is its own step. */
function tracedStep(exchange: ObservedExchange): StepDescription {
  const tppStep = (exchange.context as unknown as TppStepContext).tppStep;
  const named = describeStep(tppStep === 'par' && requestObjectJwe(exchange) ? 'par-encrypted' : tppStep);
  // A CIBA poll is shown by its answer: not yet, slower, the tokens, or the end (CIBA §11).
  const step =
    named.title === CIBA_STEPS.poll.title ? cibaPollOutcome(exchange.status, exchange.responseBody) : named;
  const described = sendsOpaqueToken(exchange)
    ? {
        ...step,
        explanation: `${step.explanation} ${OPAQUE_ACCESS_TOKEN.explanation}`,
        clause: `${step.clause}; ${OPAQUE_ACCESS_TOKEN.clause}`,
      }
    : step;
  if (!exchange.nonceRetry) return described;
  return { ...DPOP_NONCE_RETRY, title: `${DPOP_NONCE_RETRY.title}: ${described.title}` };
}

export function traceExchanges(trace: TraceLog): FapiObserver<TraceEvent> {
  return {
    exchange(exchange) {
      const context = exchange.context as unknown as TppStepContext;
      const step = tracedStep(exchange);
      const answered = exchange.responseHeaders !== undefined;
      const jwe = requestObjectJwe(exchange);
      return trace.record({
        interactionId: exchange.interactionId ?? '',
        connectionId: context.connectionId,
        party: 'tpp',
        direction: 'outbound',
        channel: 'back',
        step: step.title,
        explanation: `${step.explanation} (${exchange.durationMs} ms)`,
        clause: step.clause,
        method: exchange.method,
        url: exchange.url,
        status: exchange.status,
        requestHeaders: exchange.requestHeaders,
        requestBody: exchange.requestBody,
        responseHeaders: exchange.responseHeaders,
        responseBody: answered ? exchange.responseBody : undefined,
        // The sender cannot show the content it encrypted as the bank reads it: only the JWE header.
        ...(jwe
          ? { jwts: [{ where: 'request (JWE protected header)', header: { ...jwe }, claims: {} }] }
          : {}),
        checks: [
          ...(context.checks ?? []),
          ...(jwe
            ? [
                {
                  name: `Request object signed, then encrypted to the bank's key ${String(jwe.kid)}`,
                  passed: true,
                  clause: 'RFC 9101 §6.1, OIDC Core §10.2',
                  detail: `JWE alg ${String(jwe.alg)}, enc ${String(jwe.enc)}, cty ${String(jwe.cty)}`,
                },
              ]
            : []),
          ...(exchange.failure === undefined
            ? []
            : [
                {
                  name: 'The party answered',
                  passed: false,
                  clause: 'RFC 9110 §6',
                  detail: networkReason(exchange.failure),
                },
              ]),
        ],
      });
    },
  };
}
