// The flow inspector: every message of a connection (or of onboarding) from every party, as a timeline
// and as a sequence diagram, with the selected message in full beside them; a permalink per message
// (#message-<id>), the same step under the other profiles, and the JSON and SVG exports.
import { useEffect, useState } from 'react';
import {
  type ConnectionTrace,
  LANE_TITLES,
  PHASE_TITLES,
  type Phase,
  type TimelineEntry,
} from '../../shared/timeline.js';
import { AttackPanel } from '../components/AttackPanel.js';
import { CompareProfiles } from '../components/CompareProfiles.js';
import { ConsentModels } from '../components/ConsentModels.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { formatTime } from '../components/format.js';
import { outcomeOf } from '../components/outcome.js';
import { ProfileLadder } from '../components/ProfileLadder.js';
import { SequenceDiagram } from '../components/SequenceDiagram.js';
import { TimelineDetail } from '../components/TimelineDetail.js';
import { useResource } from '../components/useResource.js';
import { Link } from '../router.js';

/** The message a permalink (`#message-<id>`) names, when it is in this trace. */
function messageInHash(entries: TimelineEntry[]): string | undefined {
  const id = /^#message-(.+)$/.exec(window.location.hash)?.[1];
  return id && entries.some((e) => e.id === decodeURIComponent(id)) ? decodeURIComponent(id) : undefined;
}

/** Consecutive entries of one phase, under one heading; a phase met again later gets a heading again. */
function byPhase(entries: TimelineEntry[]): { phase: Phase; entries: TimelineEntry[] }[] {
  const groups: { phase: Phase; entries: TimelineEntry[] }[] = [];
  for (const entry of entries) {
    const last = groups.at(-1);
    if (last?.phase === entry.phase) last.entries.push(entry);
    else groups.push({ phase: entry.phase, entries: [entry] });
  }
  return groups;
}

/** The message a learner starts from: the first of the connect phase, not the registration checks before it. */
export function startOfFlow(entries: TimelineEntry[]): TimelineEntry | undefined {
  return entries.find((entry) => entry.phase === 'connect') ?? entries[0];
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
    <section className="timeline" aria-label="Timeline of messages">
      {byPhase(entries).map((group, index) => (
        <section
          key={`${group.phase}-${group.entries[0]!.id}`}
          data-testid="timeline-phase"
          data-phase={group.phase}
        >
          <h2 className="timeline-phase" id={`phase-${index}`}>
            {PHASE_TITLES[group.phase]}
          </h2>
          <ol className="timeline-list" aria-labelledby={`phase-${index}`}>
            {group.entries.map((entry) => (
              <li key={entry.id}>
                <button
                  type="button"
                  className={`timeline-entry ${entry.id === selectedId ? 'selected' : ''} outcome-${outcomeOf(entry)}`}
                  aria-pressed={entry.id === selectedId}
                  onClick={() => onSelect(entry.id)}
                  data-testid="timeline-entry"
                  data-outcome={outcomeOf(entry)}
                  title={entry.expectedBecause}
                >
                  <span className="timeline-time">{formatTime(entry.at)}</span>
                  <span className="timeline-title">{entry.title}</span>
                  <span className="timeline-route muted">
                    {LANE_TITLES[entry.from]} → {LANE_TITLES[entry.to]}
                    {entry.status !== undefined ? ` · ${entry.status}` : ''}
                    {entry.expected ? ' · expected refusal' : ''}
                  </span>
                </button>
              </li>
            ))}
          </ol>
        </section>
      ))}
    </section>
  );
}

export function InspectorView({
  trace,
  exportHref,
  backTo,
  onReload,
}: {
  trace: ConnectionTrace | Omit<ConnectionTrace, 'connectionId'>;
  exportHref?: string;
  backTo: string;
  /** Reads the trace again (after an attack run added its messages). */
  onReload?: () => void;
}) {
  const [selectedId, setSelectedId] = useState<string | undefined>(
    () => messageInHash(trace.entries) ?? startOfFlow(trace.entries)?.id,
  );
  const [comparing, setComparing] = useState(false);
  const selected = trace.entries.find((e) => e.id === selectedId);
  const connectionId = 'connectionId' in trace ? trace.connectionId : undefined;
  // A FAPI 1.0 Baseline connection (its token is a bearer token): show what each rung above adds.
  const baseline = trace.entries.some((entry) => entry.binding?.kind === 'bearer');
  // A payment was made: contrast the intent with a rich authorization request (RFC 9396), naming the one used.
  const payments = trace.entries.filter((entry) => entry.phase === 'pay');
  const lastPush = payments
    .filter((entry) => /authorization_details|Push the authorization request/.test(entry.title))
    .at(-1);
  const consentModel = lastPush
    ? /authorization_details/.test(lastPush.title)
      ? 'authorization-details'
      : 'intent'
    : undefined;
  // How the account access was asked for: by account_information details (RFC 9396) or a UK intent.
  const connectPush = trace.entries
    .filter((entry) => entry.phase === 'connect')
    .find((entry) => /authorization_details|Push the authorization request/.test(entry.title));
  const accountsModel = connectPush
    ? /authorization_details/.test(connectPush.title)
      ? 'authorization-details'
      : 'intent'
    : undefined;
  // Selecting a message makes the address its permalink (replaceState: Back still leaves the inspector).
  const select = (id: string) => {
    setSelectedId(id);
    window.history.replaceState(window.history.state, '', `${window.location.pathname}#message-${id}`);
  };
  // Opened from a permalink: the message is selected, and scrolled to in the list and the detail.
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the inspector opens
  useEffect(() => {
    if (!messageInHash(trace.entries)) return;
    document
      .querySelector('[data-testid="timeline-entry"][aria-pressed="true"]')
      ?.scrollIntoView?.({ block: 'nearest' });
    document.querySelector('[data-testid="timeline-detail"]')?.scrollIntoView?.({ block: 'start' });
  }, []);
  useEffect(() => {
    const onHash = () => {
      const id = messageInHash(trace.entries);
      if (id) setSelectedId(id);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [trace.entries]);
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
          <SequenceDiagram
            entries={trace.entries}
            selectedId={selectedId}
            onSelect={select}
            fileName={`fapi-flow-${trace.interactionId}.svg`}
          />
          <div className="inspector">
            <Timeline entries={trace.entries} selectedId={selectedId} onSelect={select} />
            {selected ? (
              <div className="detail-column">
                <TimelineDetail
                  entry={selected}
                  permalink={`${window.location.origin}${window.location.pathname}#message-${selected.id}`}
                >
                  {connectionId ? (
                    <AttackPanel
                      key={selected.id}
                      connectionId={connectionId}
                      entry={selected}
                      onRan={onReload}
                    />
                  ) : null}
                </TimelineDetail>
                {connectionId ? (
                  comparing ? (
                    <CompareProfiles connectionId={connectionId} step={selected} />
                  ) : (
                    <button
                      type="button"
                      className="button"
                      data-testid="compare-open"
                      onClick={() => setComparing(true)}
                    >
                      Compare this step across profiles
                    </button>
                  )
                ) : null}
              </div>
            ) : null}
          </div>
          {baseline ? <ProfileLadder /> : null}
          {payments.length > 0 || accountsModel === 'authorization-details' ? (
            <ConsentModels used={consentModel} accountsUsed={accountsModel} />
          ) : null}
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
          key={trace.data.interactionId}
          trace={trace.data}
          exportHref={connectionId ? `/api/connections/${connectionId}/trace/export` : undefined}
          backTo={connectionId ? `/connections/${connectionId}` : '/onboarding'}
          onReload={() => void trace.reload()}
        />
      ) : trace.loading ? (
        <p>Collecting every party’s trace…</p>
      ) : null}
    </section>
  );
}
