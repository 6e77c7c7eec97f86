// Onboarding: Moneywise joins the bank through the directory. Each step shows its status, what happened
// and what it proves; the registrations it holds (one per way of connecting) are listed with their client_id.
import { useState } from 'react';
import type { ApiError, OnboardingStepView, OnboardingView } from '../../shared/api.js';
import { apiRequest, asApiError } from '../api.js';
import { ClauseChip } from '../components/ClauseChip.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { formatDate } from '../components/format.js';
import { useResource } from '../components/useResource.js';
import { Link } from '../router.js';

const STATUS_LABEL: Record<OnboardingStepView['status'], string> = {
  pending: 'Not run yet',
  done: 'Done',
  failed: 'Failed',
  skipped: 'Skipped',
};

const PROFILE_TITLES: Record<string, string> = {
  'fapi2-dpop': 'FAPI 2.0 + DPoP',
  'fapi2-mtls': 'FAPI 2.0 + mTLS',
  'fapi1-advanced': 'FAPI 1.0 Advanced',
  'fapi2-dpop-opaque': 'FAPI 2.0 + DPoP, opaque tokens',
  'fapi1-baseline': 'FAPI 1.0 Baseline',
};

export function StepList({ steps }: { steps: OnboardingStepView[] }) {
  return (
    <ol className="steps" aria-label="Onboarding steps">
      {steps.map((step) => (
        <li
          key={step.id}
          className={`step step-${step.status}`}
          data-testid={`onboarding-step-${step.id}`}
          data-status={step.status}
        >
          <div className="step-head">
            <span className={`badge badge-${step.status}`}>{STATUS_LABEL[step.status]}</span>
            {/* h2: the steps sit directly under the page's h1 (headings go down one level at a time). */}
            <h2 className="step-title">{step.title}</h2>
          </div>
          <p className="step-explanation">
            {step.explanation} <ClauseChip clause={step.clause} />
          </p>
          {step.detail ? <p className="step-detail">{step.detail}</p> : null}
          {step.error ? <ErrorNotice error={step.error} /> : null}
        </li>
      ))}
    </ol>
  );
}

export function OnboardingPage() {
  const resource = useResource<OnboardingView>('/onboarding');
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [result, setResult] = useState<OnboardingView>();
  const view = result ?? resource.data;

  const run = async () => {
    setRunning(true);
    setError(undefined);
    try {
      setResult(await apiRequest<OnboardingView>('/onboarding', { method: 'POST' }));
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setRunning(false);
    }
  };

  return (
    <section aria-labelledby="onboarding-title">
      <h1 id="onboarding-title">Onboarding</h1>
      <p className="lead">
        Before it can connect anyone, Moneywise proves to the bank that the ecosystem’s directory vouches for
        it: it fetches its signed software statement with the certificate the directory issued, finds the bank
        in the directory, and registers with the bank.
      </p>
      {view ? (
        <dl className="facts">
          <div>
            <dt>Organisation</dt>
            <dd>{view.software.orgName}</dd>
          </div>
          <div>
            <dt>Software</dt>
            <dd>
              <code>{view.software.softwareId}</code>
            </dd>
          </div>
          <div>
            <dt>Roles</dt>
            <dd>{view.software.roles.join(', ')}</dd>
          </div>
          {view.bank ? (
            <div>
              <dt>Bank</dt>
              <dd>
                {view.bank.name} <code>{view.bank.issuer}</code>
              </dd>
            </div>
          ) : null}
        </dl>
      ) : null}
      <div className="actions">
        <button
          type="button"
          className="button primary"
          onClick={run}
          disabled={running}
          data-testid="onboard-button"
        >
          {running
            ? 'Onboarding…'
            : view?.status === 'done'
              ? 'Run onboarding again'
              : 'Onboard with the directory'}
        </button>
        {view?.status === 'done' ? (
          <Link to="/connect" className="button">
            Connect a bank
          </Link>
        ) : null}
      </div>
      <div
        aria-live="polite"
        className="sr-status"
        data-testid="onboarding-status"
        data-status={view?.status ?? 'loading'}
      >
        {running
          ? 'Onboarding in progress'
          : view?.status === 'done'
            ? 'Onboarding complete'
            : view?.status === 'failed'
              ? 'Onboarding failed'
              : ''}
      </div>
      {error ? <ErrorNotice error={error} /> : null}
      {resource.error ? <ErrorNotice error={resource.error} /> : null}
      {view ? <StepList steps={view.steps} /> : resource.loading ? <p>Loading…</p> : null}
      {view && view.registrations.length > 0 ? (
        <section aria-labelledby="registrations-title" className="card">
          <h2 id="registrations-title">Registrations at the bank</h2>
          <p className="muted">
            Token binding, client authentication and response signing are fixed client metadata (RFC 7591 §2),
            so Moneywise holds one registration per way of connecting, reuses it while the bank knows it, and
            registers again if not.
          </p>
          {/* Scrolls sideways on a phone: focusable and named so keyboard users can scroll it (WCAG 2.1.1). */}
          <section
            className="table-wrap"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
            tabIndex={0}
            aria-label="Registrations at the bank (scrolls sideways)"
          >
            <table data-testid="registrations">
              <thead>
                <tr>
                  <th scope="col">Profile</th>
                  <th scope="col">Client authentication</th>
                  <th scope="col">client_id</th>
                  <th scope="col">This run</th>
                  <th scope="col">Registered</th>
                </tr>
              </thead>
              <tbody>
                {view.registrations.map((r) => (
                  <tr key={`${r.profile}+${r.clientAuth}`}>
                    <td>{PROFILE_TITLES[r.profile] ?? r.profile}</td>
                    <td>
                      <code>{r.clientAuth}</code>
                    </td>
                    <td>
                      <code>{r.clientId}</code>
                    </td>
                    <td>{r.outcome}</td>
                    <td>{formatDate(r.registeredAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </section>
      ) : null}
      {view?.interactionId ? (
        <p>
          <Link to="/onboarding/inspector">See every message of this onboarding in the flow inspector</Link>
        </p>
      ) : null}
    </section>
  );
}
