// Moneywise's back channel through the client engine (@fapi-sandbox/fapi-client): the engine builds each
// message (client authentication, DPoP proof, nonce retry, PAR, token and API requests) and the TPP's
// party client sends it, so every exchange lands in the connection's trace under the TPP's step names.
import type { EngineContext, HttpMessage, StepRef } from '@fapi-sandbox/fapi-client';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import type { PartyClient, PartyResponse } from '../http/party-client.js';
import { DPOP_NONCE_RETRY, type StepDescription, type StepKind } from '../trace/steps.js';
import { describeStep } from '../trace/trace-log.js';

export interface CallContext {
  interactionId: string;
  connectionId?: string;
}

/** What the TPP hands the engine with each step, and gets back in the message to trace it. */
interface TppStepContext extends CallContext {
  tppStep: StepKind | StepDescription;
  /** Checks the TPP ran on what it sends, shown with the message in the trace. */
  checks?: CheckResult[];
}

/** The engine's name for a TPP step, carrying the trace context with it. */
export function tppStep(
  step: StepKind | StepDescription,
  context: CallContext,
  checks?: CheckResult[],
): StepRef {
  const described = describeStep(step);
  const tpp: TppStepContext = { ...context, tppStep: step, ...(checks ? { checks } : {}) };
  return {
    step: typeof step === 'string' ? step : described.title,
    clause: described.clause ?? '',
    context: tpp as unknown as Record<string, unknown>,
  };
}

/** The engine context whose exchanges go through the party client (and so into the trace). */
export function createTppEngine(party: PartyClient): EngineContext<PartyResponse> {
  return {
    exchange(message: HttpMessage) {
      const tpp = message.context as unknown as TppStepContext;
      const step = message.nonceRetry
        ? {
            // RFC 9449 §8/§9: shown as its own step, so a learner sees why the request went twice.
            title: `${DPOP_NONCE_RETRY.title}: ${describeStep(tpp.tppStep).title}`,
            explanation: DPOP_NONCE_RETRY.explanation,
            clause: DPOP_NONCE_RETRY.clause,
          }
        : tpp.tppStep;
      return party.call({
        step,
        method: message.method,
        url: message.url,
        interactionId: tpp.interactionId,
        connectionId: tpp.connectionId,
        dispatcher: message.dispatcher,
        headers: message.headers,
        form: message.form,
        json: message.json,
        checks: tpp.checks,
      });
    },
  };
}
