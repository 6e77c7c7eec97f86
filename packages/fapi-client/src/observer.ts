// What the client engine reports while it works: every HTTP exchange it makes and every check it runs,
// each with the clause behind it. A TPP's flow trace, a test's assertions and an attack lab's log are all
// observers; the engine itself keeps no record.

import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';

/** One step of the flow, as the engine names it (e.g. `par`, `token:authorization_code`, `api`). */
export interface StepRef {
  step: string;
  /** The clause this step implements, e.g. `RFC 9126 §2.1`. */
  clause: string;
  /** Whatever the caller passed with the request (connection id, its own step names), handed back untouched. */
  context?: Record<string, unknown>;
  /**
   * Sent as `x-fapi-interaction-id` (FAPI 1.0 Part 1 §6.2.1-11) with every request of the step, so each
   * party files the exchange under the caller's interaction.
   */
  interactionId?: string;
}

export interface ObservedExchange extends StepRef {
  method: string;
  url: string;
  requestHeaders: Record<string, string>;
  /** The body as sent: the form or JSON object (not yet serialised). */
  requestBody?: unknown;
  /** Absent when no answer arrived. */
  status?: number;
  responseHeaders?: Record<string, string>;
  /** Parsed JSON when the answer is JSON, otherwise its text. */
  responseBody?: unknown;
  durationMs: number;
  /** Why no answer arrived (network error, TLS failure). */
  failure?: unknown;
  /** Whether a bend hook changed this message before it was sent. */
  bent: boolean;
  /** RFC 9449 §8/§9: the same request sent again with the nonce the server asked for. */
  nonceRetry?: boolean;
}

/**
 * One check the client ran, with the clause of that check (which may be narrower than the step's): the
 * same shape every party's trace uses.
 */
export type CheckOutcome = CheckResult;

export interface ObservedCheck extends CheckOutcome {
  step: string;
  context?: Record<string, unknown>;
}

/**
 * `Recorded` is what the observer makes of an exchange (a TPP's trace event): createExchange hands it
 * back with the answer, so a caller can name the step it recorded.
 */
export interface FapiObserver<Recorded = unknown> {
  exchange?(exchange: ObservedExchange): Recorded;
  check?(check: ObservedCheck): void;
}

/** Reports each check to the observer and returns the first that failed, if any. */
export function reportChecks(
  observer: FapiObserver | undefined,
  step: StepRef,
  checks: readonly CheckOutcome[],
): CheckOutcome | undefined {
  for (const check of checks) observer?.check?.({ step: step.step, context: step.context, ...check });
  return checks.find((check) => !check.passed);
}
