// The same step under each FAPI profile, side by side: for the selected message, the matching message of
// the learner's latest connection of each profile (FAPI 2.0 + DPoP, FAPI 2.0 + mTLS, FAPI 1.0 Advanced),
// with its status, checks and clauses, the JWTs it carried and its token binding. A profile without a
// connection says so and links to connecting one.
import { useEffect, useState } from 'react';
import type { ApiError, ConnectionView, ProfileId } from '../../shared/api.js';
import { type ConnectionTrace, LANE_TITLES, type TimelineEntry } from '../../shared/timeline.js';
import { apiRequest, asApiError } from '../api.js';
import { Link } from '../router.js';
import { ClauseChip } from './ClauseChip.js';
import { ErrorNotice } from './ErrorNotice.js';
import { outcomeOf } from './outcome.js';

export const PROFILES: { id: ProfileId; title: string }[] = [
  { id: 'fapi2-dpop', title: 'FAPI 2.0 + DPoP' },
  { id: 'fapi2-mtls', title: 'FAPI 2.0 + mTLS' },
  { id: 'fapi1-advanced', title: 'FAPI 1.0 Advanced' },
  { id: 'fapi2-dpop-opaque', title: 'FAPI 2.0 + DPoP, opaque tokens' },
  { id: 'fapi1-baseline', title: 'FAPI 1.0 Baseline' },
];

function pathOf(url: string | undefined): string | undefined {
  return url ? URL.parse(url, 'https://relative.invalid')?.pathname : undefined;
}

/** The message of another trace that is the same step: the same title, else the same method and path. */
export function sameStep(step: TimelineEntry, entries: TimelineEntry[]): TimelineEntry | undefined {
  return (
    entries.find((e) => e.title === step.title && e.from === step.from && e.to === step.to) ??
    entries.find((e) => e.title === step.title) ??
    entries.find(
      (e) => step.url !== undefined && e.method === step.method && pathOf(e.url) === pathOf(step.url),
    )
  );
}

/** The connection a profile is compared with: the current one, else the newest that got as far as a token. */
export function connectionFor(
  profile: ProfileId,
  connections: ConnectionView[],
  current: string,
): ConnectionView | undefined {
  const mine = connections.filter((c) => c.profile === profile);
  return (
    mine.find((c) => c.id === current) ??
    [...mine]
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .sort((a, b) => Number(b.status !== 'failed') - Number(a.status !== 'failed'))[0]
  );
}

type Column =
  | { profile: ProfileId; state: 'none' }
  | { profile: ProfileId; state: 'loading'; connection: ConnectionView }
  | { profile: ProfileId; state: 'error'; connection: ConnectionView; error: ApiError }
  | { profile: ProfileId; state: 'ready'; connection: ConnectionView; entry?: TimelineEntry };

function StepSummary({ entry }: { entry: TimelineEntry }) {
  return (
    <>
      <p className="muted">
        {LANE_TITLES[entry.from]} → {LANE_TITLES[entry.to]}
        {entry.status !== undefined ? ` · ${entry.status}` : ''} · {outcomeOf(entry)}
      </p>
      {entry.method || entry.url ? (
        <p className="compare-request">
          <code>
            {entry.method} {pathOf(entry.url)}
          </code>
        </p>
      ) : null}
      {entry.checks.length > 0 ? (
        <ul className="compare-checks">
          {entry.checks.map((check, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a static list; two parties may run a check of the same name
            <li key={`${check.name}-${i}`} className={check.passed ? 'pass' : 'fail'}>
              <span aria-hidden="true">{check.passed ? '✓ ' : '✗ '}</span>
              <span className="sr-only">{check.passed ? 'Passed: ' : 'Failed: '}</span>
              {check.name} <ClauseChip clause={check.clause} />
            </li>
          ))}
        </ul>
      ) : null}
      {entry.jwts.length > 0 ? (
        <p>JWTs: {entry.jwts.map((jwt) => `${jwt.where} (${String(jwt.header.alg ?? '?')})`).join(', ')}</p>
      ) : null}
      {entry.binding ? (
        <p>
          {entry.binding.kind === 'bearer'
            ? 'A bearer token: bound to nothing (no cnf)'
            : `Bound by ${entry.binding.kind === 'dpop' ? 'DPoP key (cnf.jkt)' : 'mTLS certificate (cnf.x5t#S256)'}`}
        </p>
      ) : null}
      {entry.clause ? (
        <p>
          <ClauseChip clause={entry.clause} />
        </p>
      ) : null}
    </>
  );
}

export function CompareProfiles({ connectionId, step }: { connectionId: string; step: TimelineEntry }) {
  const [columns, setColumns] = useState<Column[] | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  useEffect(() => {
    let live = true;
    (async () => {
      try {
        const { connections } = await apiRequest<{ connections: ConnectionView[] }>('/connections');
        const chosen = PROFILES.map(({ id }) => ({
          profile: id,
          connection: connectionFor(id, connections, connectionId),
        }));
        if (!live) return;
        setColumns(
          chosen.map(({ profile, connection }) =>
            connection ? { profile, state: 'loading', connection } : { profile, state: 'none' },
          ),
        );
        const loaded = await Promise.all(
          chosen.map(async ({ profile, connection }): Promise<Column> => {
            if (!connection) return { profile, state: 'none' };
            try {
              const trace = await apiRequest<ConnectionTrace>(`/connections/${connection.id}/trace`);
              return { profile, state: 'ready', connection, entry: sameStep(step, trace.entries) };
            } catch (err) {
              return { profile, state: 'error', connection, error: asApiError(err) };
            }
          }),
        );
        if (live) setColumns(loaded);
      } catch (err) {
        if (live) setError(asApiError(err));
      }
    })();
    return () => {
      live = false;
    };
  }, [connectionId, step]);
  return (
    <section className="compare" aria-labelledby="compare-title" data-testid="compare-profiles">
      <h3 id="compare-title">“{step.title}” under each profile</h3>
      {error ? <ErrorNotice error={error} /> : null}
      {!columns && !error ? <p>Reading your connections’ traces…</p> : null}
      {columns ? (
        <div className="compare-columns">
          {columns.map((column) => {
            const title = PROFILES.find((p) => p.id === column.profile)!.title;
            return (
              <article
                key={column.profile}
                className="compare-column"
                aria-label={title}
                data-testid={`compare-${column.profile}`}
                data-state={column.state}
              >
                <h4>{title}</h4>
                {column.state === 'none' ? (
                  <p>
                    No {title} connection yet.{' '}
                    <Link to={`/connect?profile=${column.profile}`}>Connect with {title}</Link> to compare.
                  </p>
                ) : column.state === 'loading' ? (
                  <p>Reading its trace…</p>
                ) : column.state === 'error' ? (
                  <ErrorNotice error={column.error} />
                ) : column.entry ? (
                  <>
                    <StepSummary entry={column.entry} />
                    {column.connection.id !== connectionId ? (
                      <p>
                        <Link
                          to={`/connections/${column.connection.id}/inspector#message-${column.entry.id}`}
                        >
                          Open in that connection’s inspector
                        </Link>
                      </p>
                    ) : null}
                  </>
                ) : (
                  <p>This step does not happen in this profile’s flow.</p>
                )}
              </article>
            );
          })}
        </div>
      ) : null}
    </section>
  );
}
