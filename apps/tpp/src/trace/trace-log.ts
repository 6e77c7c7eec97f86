// The TPP's own flow trace: fapi-core TraceEvents (like every party's) kept in a TraceRecorder, and in
// SQLite so that a connection's timeline survives a restart of the TPP. A browser reads them through its
// own connections' inspector (/api/connections/<id>/trace), never all at once.
import {
  type CheckResult,
  type TraceEvent,
  type TraceEventInput,
  TraceRecorder,
} from '@fapi-sandbox/fapi-core/trace';
import type { Db } from '../store/database.js';
import { STEPS, type StepDescription, type StepKind } from './steps.js';

export interface TraceLog {
  readonly recorder: TraceRecorder;
  record(input: TraceEventInput): TraceEvent;
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

export function createTraceLog(db: Db): TraceLog {
  const recorder = new TraceRecorder();
  const insert = db.prepare('INSERT INTO trace_events (scope, event_json) VALUES (?, ?)');
  const select = db.prepare('SELECT event_json FROM trace_events WHERE scope = ? ORDER BY seq');
  recorder.onEvent((event) => insert.run(event.interactionId, JSON.stringify(event)));

  return {
    recorder,
    record: (input) => recorder.record(input),
    recordChecks({ interactionId, connectionId, step, checks, jwts }) {
      const described = describeStep(step);
      return recorder.record({
        interactionId,
        connectionId,
        party: 'tpp',
        direction: 'internal',
        channel: 'back',
        step: described.title,
        explanation: described.explanation,
        clause: described.clause,
        checks,
        jwts,
      });
    },
    forInteraction(interactionId) {
      return (select.all(interactionId) as { event_json: string }[]).map(
        (row) => JSON.parse(row.event_json) as TraceEvent,
      );
    },
  };
}
