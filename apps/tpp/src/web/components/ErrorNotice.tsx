// Any party's error as the learner reads it: who refused, at which step, its error code, and its own
// explanation (which names the clause and the fix). Announced to screen readers as it appears.
import type { ApiError } from '../../shared/api.js';

const PARTY_NAMES: Record<string, string> = {
  directory: 'The directory',
  'bank-op': 'The bank’s authorization server',
  'bank-api': 'The bank’s API',
  tpp: 'Moneywise',
};

export function ErrorNotice({ error, title }: { error: ApiError; title?: string }) {
  const who = error.party ? (PARTY_NAMES[error.party] ?? error.party) : undefined;
  return (
    <div className="notice notice-error" role="alert" data-testid="error-notice">
      <p className="notice-title">
        {title ?? (who ? `${who} refused` : 'Something went wrong')}
        {error.step ? <span className="notice-step"> · {error.step}</span> : null}
      </p>
      <p>
        <code data-testid="error-code">{error.error}</code>
        {error.status ? <span className="muted"> (HTTP {error.status})</span> : null}
      </p>
      <p data-testid="error-description">{error.error_description}</p>
    </div>
  );
}
