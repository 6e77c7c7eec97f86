// A UK OB intent beside a rich authorization request (RFC 9396): where the consent lives, who creates it,
// what the customer sees, what the token proves, each with its clause.
import { CONSENT_MODELS } from '../../shared/consent-models.js';
import { ClauseChip } from './ClauseChip.js';

type ConsentModel = 'intent' | 'authorization-details';

const IN_WORDS: Record<ConsentModel, string> = {
  intent: 'a UK intent (consent created at the bank API)',
  'authorization-details': 'a rich authorization request (details in the PAR)',
};

export function ConsentModels({
  used,
  accountsUsed,
}: {
  /** How the connection's last payment was authorised, if it made one. */
  used?: ConsentModel | undefined;
  /** How the connection's account access was authorised. */
  accountsUsed?: ConsentModel | undefined;
}) {
  return (
    <section
      aria-labelledby="consent-models-title"
      className="ladder consent-models"
      data-testid="consent-models"
    >
      <h2 id="consent-models-title">UK intent or rich authorization request: where the consent is</h2>
      {accountsUsed ? (
        <p className="muted" data-testid="consent-model-accounts">
          This connection’s account access used {IN_WORDS[accountsUsed]}.
        </p>
      ) : null}
      {used ? (
        <p className="muted" data-testid="consent-model-used">
          This connection’s last payment used {IN_WORDS[used]}.
        </p>
      ) : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Question</th>
            <th scope="col">UK intent (consent created at the bank API)</th>
            <th scope="col">Rich authorization request (details in the PAR)</th>
          </tr>
        </thead>
        <tbody>
          {CONSENT_MODELS.map((row) => (
            <tr key={row.aspect}>
              <th scope="row">{row.aspect}</th>
              <td data-label="UK intent">
                {row.intent} <ClauseChip clause={row.intentClause} />
              </td>
              <td data-label="Rich authorization request">
                {row.details} <ClauseChip clause={row.detailsClause} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
