// A UK OB intent beside a rich authorization request (RFC 9396): where the consent lives, who creates it,
// what the customer sees, what the token proves, each with its clause.
import { CONSENT_MODELS } from '../../shared/consent-models.js';
import { ClauseChip } from './ClauseChip.js';

export function ConsentModels({ used }: { used?: 'intent' | 'authorization-details' | undefined }) {
  return (
    <section
      aria-labelledby="consent-models-title"
      className="ladder consent-models"
      data-testid="consent-models"
    >
      <h2 id="consent-models-title">UK intent or rich authorization request: where the consent is</h2>
      {used ? (
        <p className="muted" data-testid="consent-model-used">
          This connection’s last payment used{' '}
          {used === 'intent'
            ? 'a UK intent (consent created at the bank API)'
            : 'a rich authorization request (details in the PAR)'}
          .
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
