// The attack lab behind the inspector's "Try to break it": runs one attack of fapi-client's catalogue as
// Moneywise (its directory-issued transport certificate and signing keys), under the attacked
// connection's profile, with the demo customer signing in at the bank, and records every message of the
// run into that connection's trace. One run at a time per session: a run signs in, consents and may
// suspend Moneywise at the directory for a moment, which two runs at once would tangle.
import { demoCustomer } from '@fapi-sandbox/bank-domain';
import {
  ATTACKS,
  type Attack,
  attackById,
  type Customer,
  PROFILE_VARIANTS,
  runAttack,
} from '@fapi-sandbox/fapi-client';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { AttackCatalogueView, AttackOutcomeView } from '../shared/attacks.js';
import type { Connection } from '../store/connections.js';
import { runInPhase } from '../trace/phase.js';
import type { TraceLog } from '../trace/trace-log.js';
import { attackObserver, recordAttackOutcome } from './attack-trace.js';
import { catalogueView, outcomeView } from './outcome-view.js';

export interface AttackLab {
  catalogue(): AttackCatalogueView;
  run(connection: Connection, attackId: string, sessionId: string): Promise<AttackOutcomeView>;
}

// RFC 9110 §15.5.5: no such attack.
function unknownAttack(id: string): OAuthError {
  return new OAuthError({
    status: 404,
    error: 'not_found',
    description: `The attack lab has no attack '${id}'`,
    clause: 'RFC 9110 §15.5.5',
    fix: 'pick one from GET /api/attacks, or from the inspector beside the message it bends',
  });
}

// The catalogue says, per profile, which rule stops the attack; a profile it names no refusal for has no
// such message (FAPI 2.0 sends no request object, a DPoP-bound token no certificate).
function notApplicable(attack: Attack, connection: Connection): OAuthError {
  const why = attack.notApplicable?.[connection.profile];
  return new OAuthError({
    status: 400,
    error: 'invalid_request',
    description: `${attack.id} does not apply to this connection's profile ${connection.profile}${why ? `: ${why}` : ''}; it applies to ${attack.profiles.join(', ')}`,
    clause: 'RFC 9110 §15.5.1',
    fix: `run it from a connection made with ${attack.profiles.join(' or ')}`,
  });
}

// RFC 9110 §15.5.10: the session's previous run is still going.
function busy(): OAuthError {
  return new OAuthError({
    status: 409,
    error: 'attack_running',
    description: 'An attack of this session is still running; one runs at a time',
    clause: 'RFC 9110 §15.5.10',
    fix: 'wait for its result, then run the next one',
  });
}

// RFC 9110 §15.6.3: a party the run depends on failed before the attacked message was sent.
function notRun(attack: Attack, failure: string): OAuthError {
  return new OAuthError({
    status: 502,
    error: 'attack_not_run',
    description: `The attack ${attack.id} could not be run: ${failure}`,
    clause: 'RFC 9110 §15.6.3',
    fix: "check that every party is running (pnpm dev shows each one's state), then run it again; the inspector shows how far the run got",
  });
}

export function createAttackLab(deps: {
  config: SandboxConfig;
  trace: TraceLog;
  /** Moneywise: the software whose certificate and keys the attack's client uses. */
  participant: Participant;
  customer?: Customer;
}): AttackLab {
  const running = new Set<string>();
  const catalogue = catalogueView(ATTACKS);
  return {
    catalogue: () => catalogue,
    async run(connection, attackId, sessionId) {
      const attack = attackById(attackId);
      if (!attack) throw unknownAttack(attackId);
      const variant = PROFILE_VARIANTS.find((candidate) => candidate.id === connection.profile);
      // An attack the profile lets through as taught (FAPI 1.0 Baseline) runs too: that is its lesson.
      const runs =
        attack.profiles.includes(connection.profile) || !!attack.succeedsUnder?.[connection.profile];
      if (!variant || !runs) throw notApplicable(attack, connection);
      if (running.has(sessionId)) throw busy();
      running.add(sessionId);
      try {
        const outcome = await runInPhase('attacks', () =>
          runAttack(attack, {
            config: deps.config,
            variant,
            participant: deps.participant,
            customer: deps.customer ?? demoCustomer(),
            observer: attackObserver(deps.trace, connection, attack),
            interactionId: connection.interactionId,
          }),
        );
        recordAttackOutcome(deps.trace, connection, attack, outcome);
        if (outcome.failure) throw notRun(attack, outcome.failure);
        return outcomeView(outcome);
      } finally {
        running.delete(sessionId);
      }
    },
  };
}
