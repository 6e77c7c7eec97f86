// Moneywise's back channel is the client engine (@fapi-sandbox/fapi-client): the engine builds and sends
// every message (client authentication, DPoP proof, nonce retry, directory reads, DCR, PAR, token and API
// requests) and the TPP's trace observes it, so every exchange lands in the connection's trace under the
// TPP's step names. A party that gives no answer at all becomes a PartyError naming it.
import {
  createExchange,
  type EngineContext,
  type ObservedResponse,
  type StepRef,
} from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { CheckResult, TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { unreachable } from '../http/party-error.js';
import type { Lane } from '../shared/timeline.js';
import { type TppStepContext, traceExchanges } from '../trace/exchange-trace.js';
import type { StepDescription, StepKind } from '../trace/steps.js';
import { describeStep, type TraceLog } from '../trace/trace-log.js';

export interface CallContext {
  interactionId: string;
  connectionId?: string;
}

/** An answer, with the trace event the TPP recorded for its exchange. */
export type PartyResponse = ObservedResponse<TraceEvent>;

/** The engine as the TPP's steps use it. */
export type TppEngine = EngineContext<PartyResponse>;

/** The engine's name for a TPP step, carrying the trace context (and the interaction id) with it. */
export function tppStep(
  step: StepKind | StepDescription,
  context: CallContext,
  checks?: CheckResult[],
): StepRef {
  const described = describeStep(step);
  const tpp: TppStepContext = {
    tppStep: step,
    ...(context.connectionId ? { connectionId: context.connectionId } : {}),
    ...(checks ? { checks } : {}),
  };
  return {
    step: typeof step === 'string' ? step : described.title,
    clause: described.clause ?? '',
    interactionId: context.interactionId,
    context: tpp as unknown as Record<string, unknown>,
  };
}

/** Which party a URL belongs to, by host (web or mTLS listener); the TPP's own otherwise. */
export function createPartyOf(config: SandboxConfig): (url: string) => Lane {
  const hosts = new Map<string, Lane>();
  for (const [party, lane] of [
    [config.directory, 'directory'],
    [config.bankOp, 'bank-op'],
    [config.bankApi, 'bank-api'],
    [config.tpp, 'tpp'],
  ] as const) {
    hosts.set(party.web.host, lane);
    if (party.mtls) hosts.set(party.mtls.host, lane);
  }
  return (url) => hosts.get(new URL(url).hostname) ?? 'tpp';
}

export function createTppEngine(deps: { config: SandboxConfig; trace: TraceLog }): TppEngine {
  const partyOf = createPartyOf(deps.config);
  const send = createExchange({ observer: traceExchanges(deps.trace) });
  return {
    async exchange(message) {
      try {
        return await send(message);
      } catch (err) {
        if (err instanceof OAuthError) throw err;
        const step = describeStep((message.context as unknown as TppStepContext).tppStep).title;
        throw unreachable(partyOf(message.url), { step, method: message.method, url: message.url }, err);
      }
    },
  };
}
