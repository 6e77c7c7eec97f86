// One connection: its accounts, the selected account's balance and transactions, a payment, and
// disconnecting. Every figure here came from the bank's API through Moneywise's bound token.
import { useEffect, useState } from 'react';
import type {
  AccountView,
  ApiError,
  BalanceView,
  ConnectionView,
  StartConnectionResponse,
  TransactionView,
} from '../../shared/api.js';
import { apiRequest, asApiError } from '../api.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { formatDate, formatMoney, sortCodeAccount } from '../components/format.js';
import { GrantedDetails } from '../components/GrantedDetails.js';
import { useResource } from '../components/useResource.js';
import { Link } from '../router.js';
import { STATUS_TEXT } from './ConnectionsPage.js';

function AccountDetail({ connectionId, account }: { connectionId: string; account: AccountView }) {
  const base = `/connections/${connectionId}/accounts/${encodeURIComponent(account.accountId)}`;
  const balances = useResource<{ balances: BalanceView[] }>(`${base}/balances`);
  const transactions = useResource<{ transactions: TransactionView[] }>(`${base}/transactions`);
  const booked =
    balances.data?.balances.find((b) => b.type === 'InterimBooked') ?? balances.data?.balances[0];
  const available = balances.data?.balances.find((b) => b.type === 'InterimAvailable');
  return (
    <section className="card" aria-labelledby="account-detail-title" data-testid="account-detail">
      <h2 id="account-detail-title">{account.nickname ?? account.accountId}</h2>
      {balances.error ? <ErrorNotice error={balances.error} /> : null}
      {booked ? (
        <dl className="balances">
          <div>
            <dt>Balance</dt>
            <dd className="balance" data-testid="balance">
              {formatMoney(booked.amount, booked.currency, booked.creditDebitIndicator)}
            </dd>
          </div>
          {available ? (
            <div>
              <dt>Available</dt>
              <dd data-testid="available-balance">
                {formatMoney(available.amount, available.currency, available.creditDebitIndicator)}
              </dd>
            </div>
          ) : null}
        </dl>
      ) : balances.loading ? (
        <p>Loading balance…</p>
      ) : null}
      <h3>Transactions</h3>
      {transactions.error ? <ErrorNotice error={transactions.error} /> : null}
      {transactions.data ? (
        transactions.data.transactions.length === 0 ? (
          <p className="muted">No transactions.</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="transactions">
              <caption className="sr-only">Transactions of {account.nickname ?? account.accountId}</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Description</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                </tr>
              </thead>
              <tbody>
                {transactions.data.transactions.map((t) => (
                  <tr key={t.transactionId} data-testid="transaction">
                    <td>{formatDate(t.bookingDateTime)}</td>
                    <td>{t.description ?? t.reference ?? '—'}</td>
                    <td className={`num ${t.creditDebitIndicator === 'Credit' ? 'credit' : ''}`}>
                      {formatMoney(t.amount, t.currency, t.creditDebitIndicator)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : transactions.loading ? (
        <p>Loading transactions…</p>
      ) : null}
    </section>
  );
}

function Disconnect({ connection, onDone }: { connection: ConnectionView; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [result, setResult] = useState<{ oldTokenStatus?: number; oldTokenRefusal?: string }>();
  const disconnect = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResult(
        await apiRequest<{ oldTokenStatus?: number; oldTokenRefusal?: string }>(
          `/connections/${connection.id}/disconnect`,
          {
            method: 'POST',
          },
        ),
      );
      onDone();
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="disconnect-title">
      <h2 id="disconnect-title">Disconnect</h2>
      <p className="muted">
        Moneywise revokes its tokens at the bank and deletes the consent; the bank’s API then refuses the old
        token.
      </p>
      {connection.status === 'active' ? (
        <button
          type="button"
          className="button danger"
          onClick={disconnect}
          disabled={busy}
          data-testid="disconnect-button"
        >
          {busy ? 'Disconnecting…' : 'Disconnect from Sandbox Bank'}
        </button>
      ) : null}
      <div aria-live="polite">
        {result ? (
          <p
            className="notice notice-ok"
            data-testid="disconnect-result"
            data-old-token-status={result.oldTokenStatus ?? ''}
          >
            Disconnected. Tokens revoked and consent deleted
            {result.oldTokenStatus
              ? `; the API now answers the old token with HTTP ${result.oldTokenStatus}.`
              : '.'}
            {result.oldTokenRefusal ? (
              <span className="muted" data-testid="old-token-refusal">
                {' '}
                {result.oldTokenRefusal}
              </span>
            ) : null}
          </p>
        ) : null}
      </div>
      {error ? <ErrorNotice error={error} title="Disconnecting failed" /> : null}
    </section>
  );
}

/**
 * The bank ended the connection (its consent was withdrawn or expired, or its grant revoked), or the
 * learner disconnected: why, in the bank's words, and a new connection with the same profile.
 */
function Reconnect({
  connection,
  redirect,
}: {
  connection: ConnectionView;
  redirect: (url: string) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const reconnect = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const started = await apiRequest<StartConnectionResponse>('/connections', {
        json: {
          profile: connection.profile,
          clientAuth: connection.clientAuth,
          ...(connection.requestObjectEncryption ? { encryptRequestObject: true } : {}),
          ...(connection.idTokenEncryption ? { encryptIdToken: true } : {}),
          ...(connection.jarmEncryption ? { encryptJarm: true } : {}),
          // RFC 9396: the same account access asked for again, by the same actions.
          ...(connection.authorizationDetails?.[0]
            ? { authorization: 'authorization-details', actions: connection.authorizationDetails[0].actions }
            : {}),
        },
      });
      redirect(started.authorizationUrl);
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };
  const ended = connection.status === 'ended';
  return (
    <section className="card" aria-labelledby="reconnect-title" data-testid="connection-ended">
      <h2 id="reconnect-title">{ended ? 'The bank ended this connection' : 'Connect again'}</h2>
      {ended ? (
        <p className="muted">
          A connection lasts as long as the consent behind it. The bank refused to refresh Moneywise’s token,
          so Moneywise holds no token for this connection any more.
        </p>
      ) : null}
      {ended && connection.error ? <ErrorNotice error={connection.error} title="Why it ended" /> : null}
      <button
        type="button"
        className="button primary"
        onClick={reconnect}
        disabled={busy}
        data-testid="reconnect-button"
      >
        {busy ? 'Starting…' : 'Reconnect to Sandbox Bank'}
      </button>
      <p className="muted">
        Reconnecting creates a new consent ({connection.profileTitle}, <code>{connection.clientAuth}</code>)
        for the customer to authorise at the bank.
      </p>
      {error ? <ErrorNotice error={error} title="Reconnecting failed" /> : null}
    </section>
  );
}

export interface ConnectionPageProps {
  id: string;
  /** Where the browser goes to reconnect; a test passes a spy instead of leaving the page. */
  redirect?: (url: string) => void;
}

export function ConnectionPage({ id, redirect = (url) => window.location.assign(url) }: ConnectionPageProps) {
  const connection = useResource<ConnectionView>(`/connections/${id}`);
  const active = connection.data?.status === 'active';
  const accounts = useResource<{ accounts: AccountView[] }>(
    active ? `/connections/${id}/accounts` : undefined,
  );
  // A refused read may have ended the connection (the bank refused the refresh): fetch its status again,
  // so the badge never says Connected for a connection the bank has ended.
  const { reload } = connection;
  useEffect(() => {
    if (accounts.error) void reload();
  }, [accounts.error, reload]);
  const [selected, setSelected] = useState<string>();
  useEffect(() => {
    if (!selected && accounts.data?.accounts[0]) setSelected(accounts.data.accounts[0].accountId);
  }, [accounts.data, selected]);
  const c = connection.data;
  const account = accounts.data?.accounts.find((a) => a.accountId === selected);

  return (
    <section aria-labelledby="connection-title">
      <div className="page-head">
        <h1 id="connection-title">Sandbox Bank</h1>
        {c ? (
          <span className={`badge badge-${c.status}`} data-testid="connection-status" data-status={c.status}>
            {STATUS_TEXT[c.status]}
          </span>
        ) : null}
      </div>
      {connection.error ? <ErrorNotice error={connection.error} /> : null}
      {c ? (
        <>
          <p className="muted">
            {c.profileTitle} · <code>{c.clientAuth}</code> · client_id <code>{c.clientId ?? '—'}</code> ·
            x-fapi-interaction-id <code>{c.interactionId}</code>
          </p>
          <div className="actions">
            <Link to={`/connections/${id}/inspector`} className="button" data-testid="open-inspector">
              Open the flow inspector
            </Link>
            {active ? (
              <Link to={`/connections/${id}/pay`} className="button primary" data-testid="open-payment">
                Make a payment
              </Link>
            ) : null}
          </div>
          {c.error && c.status !== 'ended' ? (
            <ErrorNotice error={c.error} title="This connection failed" />
          ) : null}
          {c.authorizationDetails && c.status === 'active' ? (
            <GrantedDetails details={c.authorizationDetails} />
          ) : null}
        </>
      ) : null}
      {active ? (
        <div className="accounts-layout">
          <section aria-labelledby="accounts-title" className="card">
            <h2 id="accounts-title">Accounts</h2>
            {accounts.error ? <ErrorNotice error={accounts.error} /> : null}
            {accounts.data ? (
              <ul className="account-list" data-testid="account-list">
                {accounts.data.accounts.map((a) => (
                  <li key={a.accountId}>
                    <button
                      type="button"
                      className={`account-button ${a.accountId === selected ? 'selected' : ''}`}
                      aria-pressed={a.accountId === selected}
                      onClick={() => setSelected(a.accountId)}
                      data-testid="account"
                      data-account-id={a.accountId}
                    >
                      <span className="account-name">{a.nickname ?? a.accountId}</span>
                      <span className="muted">
                        {a.accountSubType ?? ''}{' '}
                        {a.identification?.[0] ? sortCodeAccount(a.identification[0].identification) : ''}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            ) : accounts.loading ? (
              <p>Loading accounts…</p>
            ) : null}
          </section>
          {account ? <AccountDetail key={account.accountId} connectionId={id} account={account} /> : null}
        </div>
      ) : null}
      {c ? (
        <section className="card" aria-labelledby="attacks-title" data-testid="attacks-section">
          <h2 id="attacks-title">Attacks</h2>
          <p className="muted">
            Try to break this connection the way an attacker would: in the flow inspector, select a message
            (the pushed request, the code exchange, an account read, a payment) and run an attack under “Try
            to break it”. Moneywise resends it with one thing wrong; you see which party refused it, and the
            clause that says it must.
          </p>
          <Link to={`/connections/${id}/inspector`} className="button" data-testid="open-attacks">
            Try to break it in the inspector
          </Link>
        </section>
      ) : null}
      {c && (c.status === 'active' || c.status === 'disconnected') ? (
        <Disconnect connection={c} onDone={() => void connection.reload()} />
      ) : null}
      {c && (c.status === 'ended' || c.status === 'disconnected') ? (
        <Reconnect connection={c} redirect={redirect} />
      ) : null}
    </section>
  );
}
