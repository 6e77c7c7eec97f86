// The TPP's trace as an observer of the client engine: each exchange the engine makes becomes one trace
// event of the connection, under the TPP's step name and explanation (the recorder redacts secrets and
// decodes JWTs as it stores it). The recorded event goes back to the caller with the answer.
import type { FapiObserver, ObservedExchange } from '@fapi-sandbox/fapi-client';
import type { CheckResult, TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { networkReason } from '../http/party-error.js';
import { DPOP_NONCE_RETRY, type StepDescription, type StepKind } from './steps.js';
import { describeStep, type TraceLog } from './trace-log.js';

/** What the TPP hands the engine with each step (StepRef.context), and reads back to trace it. */
export interface TppStepContext {
  tppStep: StepKind | StepDescription;
  connectionId?: string;
  /** Checks the TPP ran on what it sends, shown with the message in the trace. */
  checks?: CheckResult[];
}

/** The step an exchange is shown under; a DPoP nonce retry (RFC 9449 §8/§9) is its own step. */
function tracedStep(exchange: ObservedExchange): StepDescription {
  const described = describeStep((exchange.context as unknown as TppStepContext).tppStep);
  if (!exchange.nonceRetry) return described;
  return { ...DPOP_NONCE_RETRY, title: `${DPOP_NONCE_RETRY.title}: ${described.title}` };
}

export function traceExchanges(trace: TraceLog): FapiObserver<TraceEvent> {
  return {
    exchange(exchange) {
      const context = exchange.context as unknown as TppStepContext;
      const step = tracedStep(exchange);
      const answered = exchange.responseHeaders !== undefined;
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
        checks: [
          ...(context.checks ?? []),
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
