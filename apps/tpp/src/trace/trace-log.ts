// The TPP's own flow trace: fapi-core TraceEvents (like every party's) kept in a TraceRecorder, and in
// the TPP's database so that a connection's timeline survives a restart of the TPP and is the same
// whichever TPP process sharing the database a browser asks. A browser reads them through its
// own connections' inspector (/api/connections/<id>/trace), never all at once.

import type { Logger } from '@fapi-sandbox/fapi-core/log';
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
  /** Every TPP event of an interaction, oldest first (this process's writes included). */
  forInteraction(interactionId: string): Promise<TraceEvent[]>;
  /** Settles when every event recorded so far is stored (or its failure logged). */
  written(): Promise<void>;
}

export function describeStep(step: StepKind | StepDescription): StepDescription {
  return typeof step === 'string' ? STEPS[step] : step;
}

/** A step's own phase first (a refresh, the registration checks), else the phase of the request. */
function withPhase(input: TppTraceEventInput): TppTraceEventInput {
  const phase = input.phase ?? phaseOfStep(input.step) ?? currentPhase();
  return phase ? { ...input, phase } : input;
}

export function createTraceLog(db: Db, log?: Pick<Logger, 'warn'>): TraceLog {
  const recorder = new TraceRecorder();
  // Recording never holds up the request it describes: each event is written after the one before (so
  // seq keeps their order), and a read waits for the writes already queued. A lost write costs one
  // line of the inspector, never the flow: it is logged, not thrown.
  let written: Promise<void> = Promise.resolve();
  recorder.onEvent((event) => {
    written = written
      .then(async () => {
        await db
          .insertInto('trace_events')
          .values({ scope: event.interactionId, event_json: JSON.stringify(event) })
          .execute();
      })
      .catch((err: unknown) => log?.warn({ err, step: event.step }, 'a trace event was not stored'));
  });

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
    written: () => written,
    async forInteraction(interactionId) {
      await written;
      const rows = await db
        .selectFrom('trace_events')
        .select('event_json')
        .where('scope', '=', interactionId)
        .orderBy('seq')
        .execute();
      return rows.map((row) => JSON.parse(row.event_json) as TraceEvent);
    },
  };
}
