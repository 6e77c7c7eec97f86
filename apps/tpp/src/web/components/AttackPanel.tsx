// "Try to break it": beside a message of the inspector, the attacks of the lab that bend this message
// (issue #12). Run one and Moneywise resends the flow with that one thing wrong, under this connection's
// profile; the result says which party refused it, with its status, error, check and clause, what the
// rule protects against and how a client gets it right. An attack nobody refused is shown as the hole it
// is. Where the profiles stop an attack differently, their refusals stand side by side.
import { useState } from 'react';
import type { ApiError, ConnectionView, ProfileId } from '../../shared/api.js';
import type {
  AttackCatalogueView,
  AttackOutcomeView,
  AttackView,
  ExpectedRefusalView,
} from '../../shared/attacks.js';
import type { TimelineEntry } from '../../shared/timeline.js';
import { apiRequest, asApiError } from '../api.js';
import { ClauseChip } from './ClauseChip.js';
import { PROFILES } from './CompareProfiles.js';
import { ErrorNotice } from './ErrorNotice.js';
import { useResource } from './useResource.js';

const PARTIES: Record<string, string> = {
  'bank-op': 'the bank’s authorization server',
  'bank-api': 'the bank’s API',
  directory: 'the directory',
  tpp: 'Moneywise itself',
};

const profileTitle = (id: ProfileId) => PROFILES.find((p) => p.id === id)?.title ?? id;

/** The attacks of the catalogue that bend the message an inspector entry shows. */
export function attacksFor(catalogue: AttackCatalogueView, entry: TimelineEntry): AttackView[] {
  return catalogue.attacks.filter((attack) => catalogue.steps[attack.message]?.includes(entry.title));
}

function sameRefusal(a: ExpectedRefusalView, b: ExpectedRefusalView): boolean {
  return a.party === b.party && a.status === b.status && a.error === b.error && a.clause === b.clause;
}

/** Who must refuse it: one line when every profile refuses alike, else a row per profile. */
function ExpectedRefusals({ attack }: { attack: AttackView }) {
  const rows = attack.profiles.map((profile) => ({ profile, refusal: attack.refusals[profile]! }));
  const first = rows[0]?.refusal;
  if (!first) return null;
  if (rows.every((row) => sameRefusal(row.refusal, first))) {
    return (
      <p className="muted" data-testid="attack-expected">
        Expected: refused by {PARTIES[first.party] ?? first.party}, {first.status} <code>{first.error}</code>{' '}
        <ClauseChip clause={first.clause} />
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table className="attack-profiles" data-testid="attack-profiles">
        <caption>The profiles stop it differently</caption>
        <thead>
          <tr>
            <th scope="col">Profile</th>
            <th scope="col">Refused by</th>
            <th scope="col">Answer</th>
            <th scope="col">Clause</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ profile, refusal }) => (
            <tr key={profile} data-profile={profile}>
              <th scope="row">{profileTitle(profile)}</th>
              <td>{PARTIES[refusal.party] ?? refusal.party}</td>
              <td>
                {refusal.status} <code>{refusal.error}</code>
              </td>
              <td>
                <ClauseChip clause={refusal.clause} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * How this connection's profile stops the attack, beside how the others do where they differ (an opaque
 * token introspected at every call, a JWT checked against the bank's revocation record).
 */
function HowStopped({ attack, profile }: { attack: AttackView; profile: ProfileId }) {
  const own = attack.howStopped?.[profile];
  if (!own) return null;
  const others = new Map<string, ProfileId[]>();
  for (const [other, how] of Object.entries(attack.howStopped ?? {}) as [ProfileId, string][]) {
    if (how !== own) others.set(how, [...(others.get(how) ?? []), other]);
  }
  return (
    <div className="attack-how" data-testid="attack-how-stopped">
      <p>
        <strong>How {profileTitle(profile)} stops it:</strong> {own}
      </p>
      {[...others].map(([how, profiles]) => (
        <p key={how} className="muted" data-testid="attack-how-stopped-other">
          <strong>Compare {profiles.map(profileTitle).join(', ')}:</strong> {how}
        </p>
      ))}
    </div>
  );
}

function AttackResult({ attack, outcome }: { attack: AttackView; outcome: AttackOutcomeView }) {
  const refusal = outcome.refusal;
  return (
    <article
      className={`attack-result ${refusal ? 'attack-refused' : 'attack-hole'}`}
      data-testid="attack-result"
      data-attack={outcome.attack}
      data-refused={String(Boolean(refusal))}
      data-party={refusal?.party ?? ''}
      data-matched={String(outcome.matched)}
      aria-labelledby="attack-result-title"
    >
      <h4 id="attack-result-title">
        {refusal
          ? `Refused by ${PARTIES[refusal.party] ?? refusal.party}`
          : outcome.succeedsAsTaught
            ? `Not refused, as ${profileTitle(outcome.profile)} allows`
            : 'NOT REFUSED: this is a hole. Every party accepted the bent message.'}
      </h4>
      <p className="muted">{attack.title}</p>
      {refusal ? (
        <>
          <p>
            <span className="status status-4xx" data-testid="attack-status">
              {refusal.status}
            </span>{' '}
            <code data-testid="attack-error">{refusal.error}</code>
            {refusal.check ? (
              <>
                {' '}
                · check <strong data-testid="attack-check">{refusal.check}</strong>
              </>
            ) : null}{' '}
            {refusal.clause ? (
              <span data-testid="attack-clause">
                <ClauseChip clause={refusal.clause} />
              </span>
            ) : null}
          </p>
          {refusal.description ? <p data-testid="attack-description">{refusal.description}</p> : null}
        </>
      ) : outcome.succeedsAsTaught ? (
        <p data-testid="attack-succeeds-as-taught">
          {outcome.succeedsAsTaught.why}. {profileTitle(outcome.succeedsAsTaught.stoppedBy)} refuses it with{' '}
          {outcome.expected.status} <code>{outcome.expected.error}</code>{' '}
          <ClauseChip clause={outcome.expected.clause} />.
        </p>
      ) : (
        <p>
          The bank (or Moneywise) should have refused it with {outcome.expected.status}{' '}
          <code>{outcome.expected.error}</code> <ClauseChip clause={outcome.expected.clause} />. Fix the rule
          that should stop it.
        </p>
      )}
      {refusal && !outcome.matched ? (
        <div className="notice notice-error" data-testid="attack-mismatches">
          <p className="notice-title">Refused, but not as the catalogue expects</p>
          <ul>
            {outcome.mismatches.map((mismatch) => (
              <li key={mismatch}>{mismatch}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {outcome.changes.length > 0 ? (
        <>
          <p className="attack-label">What was bent</p>
          <ul className="attack-changes" data-testid="attack-changes">
            {outcome.changes.map((change) => (
              <li key={change}>
                <code>{change}</code>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p data-testid="attack-threat">
        <strong>Without this rule:</strong> {attack.threat}
      </p>
      <p data-testid="attack-fix">
        <strong>Fix:</strong> {attack.fix}
      </p>
    </article>
  );
}

export function AttackPanel({
  connectionId,
  entry,
  onRan,
}: {
  connectionId: string;
  entry: TimelineEntry;
  /** After a run: the inspector reloads, and the run's messages appear under "Attacks". */
  onRan?: () => void;
}) {
  const catalogue = useResource<AttackCatalogueView>('/attacks');
  const connection = useResource<ConnectionView>(`/connections/${connectionId}`);
  const [running, setRunning] = useState<AttackView>();
  const [result, setResult] = useState<{ attack: AttackView; outcome: AttackOutcomeView }>();
  const [error, setError] = useState<ApiError>();
  const attacks = catalogue.data ? attacksFor(catalogue.data, entry) : [];
  if (attacks.length === 0) return null;
  const profile = connection.data?.profile;

  const run = async (attack: AttackView) => {
    setRunning(attack);
    setResult(undefined);
    setError(undefined);
    try {
      const outcome = await apiRequest<AttackOutcomeView>(
        `/connections/${connectionId}/attacks/${encodeURIComponent(attack.id)}`,
        { method: 'POST' },
      );
      setResult({ attack, outcome });
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setRunning(undefined);
      onRan?.();
    }
  };

  return (
    <section className="attack-panel" aria-labelledby="attack-panel-title" data-testid="attack-panel">
      <h3 id="attack-panel-title">Try to break it</h3>
      <p className="muted">
        Moneywise sends this message again in a fresh flow, with one thing wrong, as an attacker would. A FAPI
        bank must refuse it.
      </p>
      {connection.error ? (
        <ErrorNotice error={connection.error} title="Moneywise could not read this connection’s profile" />
      ) : null}
      <ul className="attack-list">
        {attacks.map((attack) => {
          const succeeds = profile !== undefined ? attack.succeedsUnder?.[profile] : undefined;
          const applies = profile !== undefined && (attack.profiles.includes(profile) || !!succeeds);
          return (
            <li key={attack.id} className="attack" data-testid="attack" data-attack-id={attack.id}>
              <p className="attack-title">{attack.title}</p>
              <ExpectedRefusals attack={attack} />
              {profile ? <HowStopped attack={attack} profile={profile} /> : null}
              {succeeds && profile ? (
                <p className="muted" data-testid="attack-succeeds-under">
                  Succeeds under {profileTitle(profile)}, as taught: {succeeds.why}
                </p>
              ) : null}
              {applies ? (
                <button
                  type="button"
                  className="button small"
                  disabled={running !== undefined}
                  onClick={() => void run(attack)}
                  data-testid="attack-run"
                >
                  {running?.id === attack.id ? 'Running…' : 'Run'}
                  <span className="sr-only"> the attack: {attack.title}</span>
                </button>
              ) : profile ? (
                <p className="muted" data-testid="attack-not-applicable">
                  Not for {profileTitle(profile)}:{' '}
                  {attack.notApplicable[profile] ??
                    `it applies to ${attack.profiles.map(profileTitle).join(', ')}`}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
      <div aria-live="polite" data-testid="attack-live">
        {running ? <p>Running “{running.title}”…</p> : null}
        {result ? <AttackResult attack={result.attack} outcome={result.outcome} /> : null}
      </div>
      {error ? <ErrorNotice error={error} title="The attack could not be run" /> : null}
    </section>
  );
}
