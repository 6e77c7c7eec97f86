// An attack run in the connection's trace: every exchange of the run (its own client's onboarding, the
// flow up to the attacked message, the bent message and the answer) becomes an event of the attacked
// connection (the lab runs it in phase 'attacks'), titled "Attack: <title> — <step>"; the bent message
// says so. The run's outcome closes it as one check, so a refusal on the front channel (a bank page, the
// TPP's own state check) shows in the timeline too. The trace log redacts credentials as it records.
import type { Attack, AttackOutcome, FapiObserver, ObservedExchange } from '@fapi-sandbox/fapi-client';
import type { Connection } from '../store/connections.js';
import { type TppStepContext, traceExchanges } from '../trace/exchange-trace.js';
import { DPOP_NONCE_RETRY, type StepDescription } from '../trace/steps.js';
import type { TraceLog } from '../trace/trace-log.js';
import { tppStepOf } from './attack-steps.js';

export function attackTitle(attack: Pick<Attack, 'title'>, step: string): string {
  return `Attack: ${attack.title} — ${step}`;
}

function bentNote(exchange: ObservedExchange): string {
  return exchange.bent ? ' This is the attacked message: the attack changed it before it was sent.' : '';
}

/** Records each exchange of the attack run into the connection's trace, as the TPP records its own. */
export function attackObserver(trace: TraceLog, connection: Connection, attack: Attack): FapiObserver {
  const traced = traceExchanges(trace);
  return {
    exchange(exchange) {
      const found: StepDescription = tppStepOf(exchange) ?? {
        title: exchange.step,
        explanation: `The attack's client, step ${exchange.step}.`,
        clause: exchange.clause,
      };
      const step = exchange.nonceRetry
        ? { ...DPOP_NONCE_RETRY, title: `${DPOP_NONCE_RETRY.title}: ${found.title}` }
        : found;
      const tppStep: StepDescription = {
        ...step,
        title: attackTitle(attack, `${step.title}${exchange.bent ? ' (bent)' : ''}`),
        explanation: `${step.explanation}${bentNote(exchange)}`,
      };
      const context: TppStepContext = { tppStep, connectionId: connection.id };
      return traced.exchange?.({
        ...exchange,
        interactionId: connection.interactionId,
        nonceRetry: false,
        context: context as unknown as Record<string, unknown>,
      });
    },
  };
}

/** The run's outcome as one check of the connection's trace: refused (by whom, why) or a hole. */
export function recordAttackOutcome(
  trace: TraceLog,
  connection: Connection,
  attack: Attack,
  outcome: AttackOutcome,
): void {
  const refusal = outcome.failure
    ? `The attack could not be run: ${outcome.failure}`
    : outcome.refused
      ? `${outcome.by} refused it: ${outcome.status ?? ''} ${outcome.error ?? ''}. ${outcome.errorDescription ?? ''}`
      : 'No party refused it: the bent message was accepted.';
  const verdict = outcome.failure ? 'not run' : outcome.refused ? 'refused' : 'NOT refused';
  trace.record({
    interactionId: connection.interactionId,
    connectionId: connection.id,
    phase: 'attacks',
    party: 'tpp',
    direction: 'internal',
    channel: 'back',
    step: attackTitle(attack, verdict),
    explanation: `Without this rule, ${attack.threat} Fix: ${attack.fix}`,
    clause: outcome.clause ?? outcome.expected.clause,
    checks: [
      {
        name: outcome.check ?? `${outcome.expected.party} refuses the bent message`,
        passed: outcome.refused,
        clause: outcome.clause ?? outcome.expected.clause,
        detail: [refusal, ...outcome.changes.map((change) => `Bent: ${change}`)].join(' '),
      },
    ],
  });
}
