// Decoupled authentication (FAPI-CIBA): the learner connects with no redirect. The start page names the
// customer (their username at the bank) and a binding message; the waiting page shows that message, opens
// the bank's app (the customer's phone, in a new tab) and follows the connection until the customer
// answers there, by Moneywise polling the bank or the bank pinging Moneywise.
import { type FormEvent, useEffect, useState } from 'react';
import type { ApiError, DecoupledView } from '../../shared/api.js';
import { apiRequest, asApiError } from '../api.js';
import { type Choice, ChoiceGroup } from '../components/ChoiceGroup.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { Link, useRouter } from '../router.js';

/** How often the waiting page asks Moneywise's back end (not the bank) how the connection stands. */
const REFRESH_MS = 1_000;

/** A short code the customer can compare at a glance (CIBA §7.1: short, plain, shown on both devices). */
function newBindingMessage(): string {
  const [value = 0] = crypto.getRandomValues(new Uint32Array(1));
  return `Moneywise ${String(1000 + (value % 9000))}`;
}

const MODES: readonly Choice<'poll' | 'ping'>[] = [
  {
    value: 'poll',
    title: 'Poll',
    summary:
      'Moneywise asks the bank’s token endpoint every few seconds, at the pace the bank sets, until the customer has answered.',
    clause: 'CIBA §7.3, §11',
  },
  {
    value: 'ping',
    title: 'Ping',
    summary:
      'The bank calls Moneywise’s notification endpoint once the customer has answered, with the token Moneywise gave it; Moneywise then collects the tokens.',
    clause: 'CIBA §10.2',
  },
];

export function DecoupledStartPage() {
  const { navigate } = useRouter();
  const [loginHint, setLoginHint] = useState('alice');
  const [bindingMessage, setBindingMessage] = useState(newBindingMessage);
  const [mode, setMode] = useState<'poll' | 'ping'>('poll');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const started = await apiRequest<DecoupledView>('/connections/decoupled', {
        json: { mode, loginHint, bindingMessage },
      });
      navigate(`/connections/${started.connectionId}/decoupled`);
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="decoupled-title">
      <h1 id="decoupled-title">Connect with no redirect (decoupled)</h1>
      <p className="lead">
        Moneywise names the customer and the bank asks them on its app, another device, instead of sending
        this browser to the bank. The bank profile is FAPI 1.0 Advanced with its decoupled option, FAPI-CIBA:
        signed requests, certificate-bound tokens. <span className="clause">FAPI-CIBA §5.2.2, CIBA §7.1</span>
      </p>
      <form onSubmit={submit} className="form connect-form" data-testid="decoupled-form">
        <div className="field-row">
          <div className="field">
            <label htmlFor="login-hint">Customer&rsquo;s username at the bank</label>
            <input
              id="login-hint"
              value={loginHint}
              onChange={(event) => setLoginHint(event.target.value)}
              autoComplete="off"
              aria-describedby="login-hint-hint"
              data-testid="login-hint"
            />
            <p className="hint" id="login-hint-hint">
              Sent as login_hint; it only says who to ask. The demo customers are alice and bob.
            </p>
          </div>
          <div className="field">
            <label htmlFor="binding-message">Binding message</label>
            <input
              id="binding-message"
              value={bindingMessage}
              onChange={(event) => setBindingMessage(event.target.value)}
              autoComplete="off"
              aria-describedby="binding-message-hint"
              data-testid="binding-message-input"
            />
            <p className="hint" id="binding-message-hint">
              Shown here and on the bank app: the customer approves only if the two match.
            </p>
          </div>
        </div>
        <ChoiceGroup
          legend="How the tokens reach Moneywise"
          name="mode"
          choices={MODES}
          value={mode}
          onChange={setMode}
          compact
          inputTestIdPrefix="mode"
        />
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy} data-testid="decoupled-button">
            {busy ? 'Asking the bank…' : 'Ask the bank'}
          </button>
          <Link to="/connect">Connect with a redirect instead</Link>
        </div>
        <div aria-live="polite" className="sr-status">
          {busy ? 'Creating the consent and sending the signed backchannel request' : ''}
        </div>
      </form>
      {error ? <ErrorNotice error={error} title="Moneywise could not start the connection" /> : null}
    </section>
  );
}

export function DecoupledWaitingPage({ id }: { id: string }) {
  const { navigate } = useRouter();
  const [view, setView] = useState<DecoupledView>();
  const [error, setError] = useState<ApiError>();

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const next = await apiRequest<DecoupledView>(`/connections/${id}/decoupled`);
        if (stopped) return;
        setView(next);
        setError(undefined);
        if (next.status === 'active') {
          navigate(`/connections/${id}`);
          return;
        }
        if (next.status !== 'authorising') return;
      } catch (err) {
        if (stopped) return;
        setError(asApiError(err));
      }
      timer = setTimeout(load, REFRESH_MS);
    };
    void load();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [id, navigate]);

  const waiting = view?.status === 'authorising';
  return (
    <section aria-labelledby="waiting-title">
      <h1 id="waiting-title">{view && !waiting ? 'The bank answered' : 'Approve on your bank app'}</h1>
      {error ? <ErrorNotice error={error} /> : null}
      {view ? (
        <>
          <div className="card binding-card">
            <p className="muted">Check that your bank app shows the same message:</p>
            <p className="binding-message" data-testid="binding-message">
              {view.bindingMessage}
            </p>
            <p className="hint">
              Sent to the bank in the signed request; the customer approves only if the two match.{' '}
              <span className="clause">CIBA §7.1, FAPI-CIBA §5.2.2-2</span>
            </p>
          </div>
          {waiting ? (
            <>
              <p className="lead">
                Sandbox Bank has asked <strong>{view.loginHint}</strong> on their phone. In this sandbox the
                phone is a page of the bank: open it, sign in as {view.loginHint}, and approve.
              </p>
              <div className="actions">
                <a
                  className="button primary"
                  href={view.bankAppUrl}
                  target="_blank"
                  rel="noopener noreferrer"
                  data-testid="open-bank-app"
                >
                  Open the bank app (new tab)
                </a>
                <Link to={`/connections/${id}/inspector`}>Watch the flow inspector</Link>
              </div>
              <p role="status" data-testid="waiting-status">
                {view.mode === 'poll'
                  ? `Waiting: Moneywise polls the bank every ${view.intervalSeconds} s, as the bank asked.`
                  : view.pingedAt
                    ? 'The bank pinged Moneywise; collecting the tokens…'
                    : 'Waiting for the bank’s ping: it calls Moneywise once you have answered.'}
              </p>
              <p className="hint">
                The request expires at {new Date(view.expiresAt).toLocaleTimeString('en-GB')}.
              </p>
            </>
          ) : view.error ? (
            <>
              <ErrorNotice error={view.error} title="The connection was not made" />
              <div className="actions">
                <Link to="/connect/decoupled" className="button primary">
                  Try again
                </Link>
                <Link to={`/connections/${id}/inspector`}>See what happened in the flow inspector</Link>
              </div>
            </>
          ) : null}
        </>
      ) : error ? null : (
        <p>Loading…</p>
      )}
    </section>
  );
}
