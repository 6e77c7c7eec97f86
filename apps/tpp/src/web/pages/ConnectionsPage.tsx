// Home: where to start (onboard → connect → inspect → break it → rules, each step marked done), the
// learner's connections, newest first, each removable, and any error the bank's callback brought back.
import { useState } from 'react';
import type { AccountView, ApiError, ConnectionView, OnboardingView } from '../../shared/api.js';
import { apiRequest, asApiError } from '../api.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { formatDate, sortCodeAccount } from '../components/format.js';
import { useResource } from '../components/useResource.js';
import { Link, useRouter } from '../router.js';

export const STATUS_TEXT: Record<ConnectionView['status'], string> = {
  authorising: 'Waiting for the bank',
  active: 'Connected',
  failed: 'Failed',
  ended: 'Ended by the bank',
  disconnected: 'Disconnected',
};

/** "Everyday (Sort code 60-16-13 · Account 31926819)", or the nickname alone when there is no number. */
function sharedAccountLabel(account: AccountView): string {
  const identification = account.identification?.[0]?.identification;
  const name = account.nickname ?? account.accountId;
  return identification ? `${name} (${sortCodeAccount(identification)})` : name;
}

/** The learner's path through the sandbox, with what is done so far. */
function StartHere({ onboarded, connection }: { onboarded: boolean; connection?: ConnectionView }) {
  const connected = connection !== undefined;
  const steps = [
    { done: onboarded, to: '/onboarding', title: 'Onboard', text: 'register Moneywise with the bank (DCR).' },
    {
      done: connected,
      to: '/connect',
      title: 'Connect',
      text: 'pick a FAPI profile and sign in at the bank.',
    },
    {
      done: false,
      to: connection ? `/connections/${connection.id}/inspector` : '/connect',
      title: 'Inspect',
      text: 'read every message of the flow and the check behind it.',
    },
    {
      done: false,
      to: connection ? `/connections/${connection.id}/inspector` : '/connect',
      title: 'Break it',
      text: 'use “Try to break it” in the inspector and watch the bank refuse.',
    },
    { done: false, to: '/rules', title: 'Rules', text: 'every rule the bank enforces, with its clause.' },
  ];
  return (
    <nav className="card start-here" aria-labelledby="start-here-title" data-testid="start-here">
      <h2 id="start-here-title">Where to start</h2>
      <ol>
        {steps.map((step) => (
          <li
            key={step.title}
            data-testid={`start-${step.title.toLowerCase().replace(' ', '-')}`}
            data-done={step.done}
          >
            <Link to={step.to}>{step.title}</Link>: {step.text}
            {step.done ? <span className="badge badge-active"> Done</span> : null}
          </li>
        ))}
      </ol>
    </nav>
  );
}

function ConnectionCard({ connection: c, onRemoved }: { connection: ConnectionView; onRemoved: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const remove = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await apiRequest(`/connections/${c.id}`, { method: 'DELETE' });
      onRemoved();
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };
  return (
    <li className="card connection-card" data-testid="connection" data-status={c.status}>
      <div>
        <h2 className="card-title">
          <Link to={`/connections/${c.id}`}>Sandbox Bank · {c.profileTitle}</Link>
        </h2>
        <p className="muted">
          <code>{c.clientAuth}</code> · started {formatDate(c.createdAt)}
          {c.consentId ? (
            <>
              {' '}
              · consent <code>{c.consentId}</code>
            </>
          ) : null}
        </p>
      </div>
      <span className={`badge badge-${c.status}`}>{STATUS_TEXT[c.status]}</span>
      {c.sharedAccounts?.length ? (
        <p data-testid="shared-accounts">Shares {c.sharedAccounts.map(sharedAccountLabel).join(', ')}</p>
      ) : null}
      {c.error ? <ErrorNotice error={c.error} /> : null}
      <div className="actions">
        {confirming ? (
          <>
            <span role="status">
              {c.status === 'active'
                ? 'Remove it? Moneywise disconnects first: the tokens are revoked and the consent deleted.'
                : 'Remove it from this list?'}
            </span>
            <button
              type="button"
              className="button danger"
              onClick={remove}
              disabled={busy}
              data-testid="remove-confirm"
            >
              {busy ? 'Removing…' : 'Yes, remove'}
            </button>
            <button type="button" className="button" onClick={() => setConfirming(false)} disabled={busy}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" className="button" onClick={() => setConfirming(true)} data-testid="remove">
            Remove
          </button>
        )}
      </div>
      {error ? <ErrorNotice error={error} title="The connection could not be removed" /> : null}
    </li>
  );
}

export function ConnectionsPage() {
  const { search } = useRouter();
  const list = useResource<{ connections: ConnectionView[] }>('/connections');
  const onboarding = useResource<OnboardingView>('/onboarding');
  const callbackError = search.get('error');
  const connections = list.data?.connections ?? [];
  return (
    <section aria-labelledby="connections-title">
      <h1 id="connections-title">Your connections</h1>
      {callbackError ? (
        <ErrorNotice
          title="The bank’s answer was not accepted"
          error={{ error: callbackError, error_description: search.get('error_description') ?? '' }}
        />
      ) : null}
      <StartHere
        onboarded={onboarding.data?.status === 'done'}
        connection={connections.find((c) => c.status === 'active') ?? connections[0]}
      />
      {list.error ? <ErrorNotice error={list.error} /> : null}
      {list.data && connections.length === 0 ? (
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
      {connections.length > 0 ? (
        <ul className="connection-list" data-testid="connection-list">
          {connections.map((c) => (
            <ConnectionCard key={c.id} connection={c} onRemoved={() => void list.reload()} />
          ))}
        </ul>
      ) : null}
      {list.loading && !list.data ? <p>Loading…</p> : null}
    </section>
  );
}
