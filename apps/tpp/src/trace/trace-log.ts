// The TPP's own flow trace: fapi-core TraceEvents (like every party's) kept in a TraceRecorder, and in
// SQLite so that a connection's timeline survives a restart of the TPP. A browser reads them through its
// own connections' inspector (/api/connections/<id>/trace), never all at once.
import {
  type CheckResult,
  type TraceEvent,
  type TraceEventInput,
  TraceRecorder,
} from '@fapi-sandbox/fapi-core/trace';
import type { Phase } from '../shared/timeline.js';
import type { Db } from '../store/database.js';
import { currentPhase } from './phase.js';
import { phaseOfStep, STEPS, type StepDescription, type StepKind } from './steps.js';

/** The TPP's events carry the phase of the connection they belong to (shared/timeline.ts). */
export type TppTraceEventInput = TraceEventInput & { phase?: Phase };

export interface TraceLog {
  readonly recorder: TraceRecorder;
  record(input: TppTraceEventInput): TraceEvent;
  /** A check the TPP ran itself (state, iss, JARM, ID token), as an internal event. */
  recordChecks(input: {
    interactionId: string;
    connectionId?: string;
    step: StepKind | StepDescription;
    checks: CheckResult[];
    jwts?: TraceEvent['jwts'];
  }): TraceEvent;
  /** Every TPP event of an interaction, oldest first. */
  forInteraction(interactionId: string): TraceEvent[];
}

export function describeStep(step: StepKind | StepDescription): StepDescription {
  return typeof step === 'string' ? STEPS[step] : step;
}

/** A step's own phase first (a refresh, the registration checks), else the phase of the request. */
function withPhase(input: TppTraceEventInput): TppTraceEventInput {
  const phase = input.phase ?? phaseOfStep(input.step) ?? currentPhase();
  return phase ? { ...input, phase } : input;
}

export function createTraceLog(db: Db): TraceLog {
  const recorder = new TraceRecorder();
  const insert = db.prepare('INSERT INTO trace_events (scope, event_json) VALUES (?, ?)');
  const select = db.prepare('SELECT event_json FROM trace_events WHERE scope = ? ORDER BY seq');
  recorder.onEvent((event) => insert.run(event.interactionId, JSON.stringify(event)));

  return {
    recorder,
    record: (input) => recorder.record(withPhase(input)),
    recordChecks({ interactionId, connectionId, step, checks, jwts }) {
      const described = describeStep(step);
      return recorder.record(
        withPhase({
          interactionId,
          connectionId,
          ...(described.phase ? { phase: described.phase } : {}),
          party: 'tpp',
          direction: 'internal',
          channel: 'back',
          step: described.checksTitle ?? described.title,
          explanation: described.explanation,
          clause: described.clause,
          checks,
          jwts,
        }),
      );
    },
    forInteraction(interactionId) {
      return (select.all(interactionId) as { event_json: string }[]).map(
        (row) => JSON.parse(row.event_json) as TraceEvent,
      );
    },
  };
}
