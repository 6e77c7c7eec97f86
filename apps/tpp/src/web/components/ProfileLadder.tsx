// The ladder Baseline → Advanced → 2.0 side by side: what each rung adds, its clause, and the attack it
// stops, with a link to try that attack in the lab.
import { PROFILE_LADDER } from '../../shared/ladder.js';

export function ProfileLadder() {
  return (
    <section aria-labelledby="ladder-title" className="ladder" data-testid="profile-ladder">
      <h2 id="ladder-title">Baseline → Advanced → 2.0: what each step adds</h2>
      <p className="muted">
        FAPI 1.0 Baseline allows a plain request in the browser, an unsigned response and bearer tokens. Each
        rung above it closes one of those doors.
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col">Added by</th>
            <th scope="col">What it adds</th>
            <th scope="col">The attack it stops</th>
          </tr>
        </thead>
        <tbody>
          {PROFILE_LADDER.map((step) => (
            <tr key={step.attack}>
              <th scope="row">{step.rung}</th>
              <td>
                {step.adds} <span className="clause">{step.clause}</span>
              </td>
              <td>
                {step.stops} <span className="muted">(attack: {step.attack})</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
