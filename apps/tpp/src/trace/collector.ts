// The inspector's data: the TPP's own events of an interaction plus what the directory, bank-op and
// bank-api report for the same x-fapi-interaction-id through their `GET /trace`, read on their mTLS
// listeners with Moneywise's transport certificate: each party answers with Moneywise's own events, as it
// would to any participant reading its trace. A party that cannot be read is named in the answer rather
// than silently missing from the timeline.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { redactEvent } from '@fapi-sandbox/fapi-core/redact';
import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { type Dispatcher, fetch } from 'undici';
import type { Lane, TimelineEntry } from '../shared/timeline.js';
import { buildTimeline, type TimelineOptions } from './timeline.js';
import type { TraceLog } from './trace-log.js';

export interface TraceCollector {
  collect(
    interactionIds: string[],
    options?: TimelineOptions,
  ): Promise<{ entries: TimelineEntry[]; unavailable: { party: Lane; error: string }[] }>;
}

interface Source {
  party: Lane;
  origin: string;
  dispatcher: Dispatcher;
}

/**
 * The parties redact at record time with fapi-core's rules; the same rules run again here, so a party
 * that forgot (or another bank's implementation) still cannot hand the browser a usable credential.
 */
function sanitize(event: TraceEvent): TraceEvent {
  return { ...redactEvent(event), checks: event.checks ?? [] } as TraceEvent;
}

async function readTrace(source: Source, interactionId: string): Promise<TraceEvent[]> {
  const url = new URL('/trace', source.origin);
  url.searchParams.set('interaction_id', interactionId);
  const response = await fetch(url, { dispatcher: source.dispatcher, signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`GET /trace answered ${response.status}`);
  const body = (await response.json()) as { events?: unknown } | unknown[];
  const events = Array.isArray(body) ? body : (body as { events?: unknown }).events;
  if (!Array.isArray(events)) throw new Error('GET /trace answered without an events list');
  return (events as TraceEvent[]).filter((event) => event.interactionId === interactionId);
}

export function createTraceCollector(deps: {
  config: SandboxConfig;
  trace: TraceLog;
  /** Presents Moneywise's directory-issued transport certificate: what identifies it as a trace reader. */
  transportAgent: Dispatcher;
  partyOf: (url: string) => Lane;
}): TraceCollector {
  const { config } = deps;
  const sources: Source[] = [
    { party: 'directory', origin: config.directory.mtls.origin, dispatcher: deps.transportAgent },
    { party: 'bank-op', origin: config.bankOp.mtls.origin, dispatcher: deps.transportAgent },
    // bank-api has one listener, which asks for a client certificate.
    { party: 'bank-api', origin: config.bankApi.web.origin, dispatcher: deps.transportAgent },
  ];

  return {
    async collect(interactionIds, options) {
      const events: TraceEvent[] = (
        await Promise.all(interactionIds.map((id) => deps.trace.forInteraction(id)))
      ).flat();
      const unavailable: { party: Lane; error: string }[] = [];
      await Promise.all(
        sources.map(async (source) => {
          try {
            for (const id of interactionIds) events.push(...(await readTrace(source, id)).map(sanitize));
          } catch (err) {
            const cause = (err as { cause?: { code?: string } }).cause?.code;
            unavailable.push({
              party: source.party,
              error: cause ?? (err instanceof Error ? err.message : String(err)),
            });
          }
        }),
      );
      return { entries: await buildTimeline(events, deps.partyOf, options), unavailable };
    },
  };
}
