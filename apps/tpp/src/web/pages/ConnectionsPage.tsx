// Home: the learner's connections, newest first, and any error the bank's callback brought back.
import type { ConnectionView } from '../../shared/api.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { formatDate } from '../components/format.js';
import { useResource } from '../components/useResource.js';
import { Link, useRouter } from '../router.js';

export const STATUS_TEXT: Record<ConnectionView['status'], string> = {
  authorising: 'Waiting for the bank',
  active: 'Connected',
  failed: 'Failed',
  ended: 'Ended by the bank',
  disconnected: 'Disconnected',
};

export function ConnectionsPage() {
  const { search } = useRouter();
  const list = useResource<{ connections: ConnectionView[] }>('/connections');
  const callbackError = search.get('error');
  return (
    <section aria-labelledby="connections-title">
      <h1 id="connections-title">Your connections</h1>
      {callbackError ? (
        <ErrorNotice
          title="The bank’s answer was not accepted"
          error={{ error: callbackError, error_description: search.get('error_description') ?? '' }}
        />
      ) : null}
      {list.error ? <ErrorNotice error={list.error} /> : null}
      {list.data && list.data.connections.length === 0 ? (
        <div className="card empty">
          <p>No connections yet. Onboard Moneywise with the directory, then connect Sandbox Bank.</p>
          <div className="actions">
            <Link to="/onboarding" className="button primary">
              Start onboarding
            </Link>
            <Link to="/connect" className="button">
              Connect a bank
            </Link>
          </div>
        </div>
      ) : null}
      {list.data && list.data.connections.length > 0 ? (
        <ul className="connection-list" data-testid="connection-list">
          {list.data.connections.map((c) => (
            <li key={c.id} className="card connection-card" data-testid="connection" data-status={c.status}>
              <div>
                <h2 className="card-title">
                  <Link to={`/connections/${c.id}`}>Sandbox Bank · {c.profileTitle}</Link>
                </h2>
                <p className="muted">
                  <code>{c.clientAuth}</code> · started {formatDate(c.createdAt)}
                </p>
              </div>
              <span className={`badge badge-${c.status}`}>{STATUS_TEXT[c.status]}</span>
              {c.error ? <ErrorNotice error={c.error} /> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {list.loading && !list.data ? <p>Loading…</p> : null}
    </section>
  );
}
