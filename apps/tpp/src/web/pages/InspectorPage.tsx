// The flow inspector: every message of a connection (or of onboarding) from every party, as a timeline
// and as a sequence diagram, with the selected message in full beside them; and the JSON export.
import { useState } from 'react';
import { type ConnectionTrace, LANE_TITLES, type TimelineEntry } from '../../shared/timeline.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { formatTime } from '../components/format.js';
import { SequenceDiagram } from '../components/SequenceDiagram.js';
import { TimelineDetail } from '../components/TimelineDetail.js';
import { useResource } from '../components/useResource.js';
import { Link } from '../router.js';

function outcome(entry: TimelineEntry): 'ok' | 'failed' | 'info' {
  if ((entry.status !== undefined && entry.status >= 400) || entry.checks.some((c) => !c.passed))
    return 'failed';
  return entry.status !== undefined || entry.checks.length > 0 ? 'ok' : 'info';
}

export function Timeline({
  entries,
  selectedId,
  onSelect,
}: {
  entries: TimelineEntry[];
  selectedId?: string;
  onSelect: (id: string) => void;
}) {
  return (
    <ol className="timeline" aria-label="Timeline of messages">
      {entries.map((entry) => (
        <li key={entry.id}>
          <button
            type="button"
            className={`timeline-entry ${entry.id === selectedId ? 'selected' : ''} outcome-${outcome(entry)}`}
            aria-pressed={entry.id === selectedId}
            onClick={() => onSelect(entry.id)}
            data-testid="timeline-entry"
            data-outcome={outcome(entry)}
          >
            <span className="timeline-time">{formatTime(entry.at)}</span>
            <span className="timeline-title">{entry.title}</span>
            <span className="timeline-route muted">
              {LANE_TITLES[entry.from]} → {LANE_TITLES[entry.to]}
              {entry.status !== undefined ? ` · ${entry.status}` : ''}
            </span>
          </button>
        </li>
      ))}
    </ol>
  );
}

export function InspectorView({
  trace,
  exportHref,
  backTo,
}: {
  trace: ConnectionTrace | Omit<ConnectionTrace, 'connectionId'>;
  exportHref?: string;
  backTo: string;
}) {
  const [selectedId, setSelectedId] = useState<string | undefined>(trace.entries[0]?.id);
  const selected = trace.entries.find((e) => e.id === selectedId);
  return (
    <>
      <div className="actions">
        <Link to={backTo} className="button">
          Back
        </Link>
        {exportHref ? (
          <a className="button" href={exportHref} download data-testid="export-trace">
            Export as JSON
          </a>
        ) : null}
      </div>
      <p className="muted">
        x-fapi-interaction-id <code>{trace.interactionId}</code> · {trace.entries.length} messages
      </p>
      {trace.unavailable.map((u) => (
        <ErrorNotice
          key={u.party}
          title={`${LANE_TITLES[u.party]}’s trace could not be read`}
          error={{
            error: 'trace_unavailable',
            error_description: `${u.error}. Its side of the messages is missing below.`,
            party: u.party,
          }}
        />
      ))}
      {trace.entries.length === 0 ? <p>No messages yet.</p> : null}
      {trace.entries.length > 0 ? (
        <>
          <SequenceDiagram entries={trace.entries} selectedId={selectedId} onSelect={setSelectedId} />
          <div className="inspector">
            <Timeline entries={trace.entries} selectedId={selectedId} onSelect={setSelectedId} />
            {selected ? <TimelineDetail entry={selected} /> : null}
          </div>
        </>
      ) : null}
    </>
  );
}

export function InspectorPage({ connectionId }: { connectionId?: string }) {
  const path = connectionId ? `/connections/${connectionId}/trace` : '/onboarding/trace';
  const trace = useResource<ConnectionTrace>(path);
  return (
    <section aria-labelledby="inspector-title">
      <div className="page-head">
        <h1 id="inspector-title">Flow inspector{connectionId ? '' : ': onboarding'}</h1>
        <button type="button" className="button" onClick={() => void trace.reload()}>
          Refresh
        </button>
      </div>
      {trace.error ? <ErrorNotice error={trace.error} /> : null}
      {trace.data ? (
        <InspectorView
          trace={trace.data}
          exportHref={connectionId ? `/api/connections/${connectionId}/trace/export` : undefined}
          backTo={connectionId ? `/connections/${connectionId}` : '/onboarding'}
        />
      ) : trace.loading ? (
        <p>Collecting every party’s trace…</p>
      ) : null}
    </section>
  );
}
