// A connection's account access when it came by a rich authorization request (RFC 9396): what the customer
// granted (§7), the actions Moneywise pushed and the accounts the customer chose, as the token carries them.
import type { AccountInformationDetail } from '../../shared/api.js';
import { ACCOUNT_ACTION_TEXT } from '../../shared/consent-models.js';
import { ClauseChip } from './ClauseChip.js';

export function GrantedDetails({ details }: { details: AccountInformationDetail[] }) {
  return (
    <section className="card" aria-labelledby="granted-details-title" data-testid="granted-details">
      <h2 id="granted-details-title">
        Access granted by authorization_details <ClauseChip clause="RFC 9396 §7" />
      </h2>
      <p className="muted">
        No consent was created at the bank API: Moneywise pushed these details, the bank added the accounts
        you chose, and its API answers only these actions on these accounts.
      </p>
      {details.map((detail) => (
        <dl className="granted-detail" key={detail.type}>
          <div>
            <dt>Actions</dt>
            <dd data-testid="granted-actions">
              {detail.actions.map((action) => `${action} (${ACCOUNT_ACTION_TEXT[action]})`).join(', ')}
            </dd>
          </div>
          <div>
            <dt>Accounts</dt>
            <dd data-testid="granted-accounts">
              {detail.accounts?.join(', ') ?? 'chosen at the bank when you approve'}
            </dd>
          </div>
        </dl>
      ))}
      <details>
        <summary>authorization_details as granted</summary>
        <pre>{JSON.stringify(details, null, 2)}</pre>
      </details>
    </section>
  );
}
