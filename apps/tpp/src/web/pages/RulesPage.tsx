// The rule catalogue: every rule the bank enforces (bank-op profile by profile, bank-api's pipeline) and
// the checks Moneywise runs itself, each with its clause, what enforces it, the fix, the attacks of the
// attack lab that demonstrate it and the certification modules that test it. A rule no attack
// demonstrates yet is marked, and counted at the top.
import { useId, useMemo, useState } from 'react';
import type { ProfileId } from '../../shared/api.js';
import type { AttackSummary, RuleCatalogue, RuleSection, RuleView } from '../../shared/rules.js';
import { ClauseChip } from '../components/ClauseChip.js';
import { PROFILES } from '../components/CompareProfiles.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { useResource } from '../components/useResource.js';

/** The profile filter: a bank-op profile, and the ways of connecting that use it. */
const PROFILE_FILTERS = {
  all: {
    title: 'Every profile',
    variants: ['fapi2-dpop', 'fapi2-mtls', 'fapi1-advanced', 'fapi1-baseline'],
  },
  fapi2: { title: 'FAPI 2.0', variants: ['fapi2-dpop', 'fapi2-mtls'] },
  'fapi1-advanced': { title: 'FAPI 1.0 Advanced', variants: ['fapi1-advanced'] },
  'fapi1-baseline': { title: 'FAPI 1.0 Baseline', variants: ['fapi1-baseline'] },
} as const satisfies Record<string, { title: string; variants: readonly ProfileId[] }>;

type ProfileFilter = keyof typeof PROFILE_FILTERS;

const PARTY_NAMES: Record<string, string> = {
  'bank-op': 'the bank’s authorization server',
  'bank-api': 'the bank’s API',
  directory: 'the directory',
  tpp: 'Moneywise',
};

/** A clause of the catalogue ended as a sentence, whether or not it came with its full stop. */
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

const profileTitle = (id: ProfileId) => PROFILES.find((p) => p.id === id)?.title ?? id;

function appliesTo(attack: AttackSummary, filter: ProfileFilter): boolean {
  const variants: readonly ProfileId[] = PROFILE_FILTERS[filter].variants;
  return attack.refusals.some((refusal) => variants.includes(refusal.profile));
}

/** Everything a learner might search a rule by. */
function searchText(rule: RuleView, attacks: Map<string, AttackSummary>): string {
  return [
    rule.id,
    rule.clause,
    rule.requirement,
    rule.enforcedBy,
    rule.fix ?? '',
    ...rule.conformance,
    ...rule.attacks.flatMap((id) => [id, attacks.get(id)?.title ?? '']),
  ]
    .join(' ')
    .toLowerCase();
}

function RuleItem({
  rule,
  attacks,
  filter,
}: {
  rule: RuleView;
  attacks: Map<string, AttackSummary>;
  filter: ProfileFilter;
}) {
  const shown = rule.attacks.filter((id) => {
    const attack = attacks.get(id);
    return attack && appliesTo(attack, filter);
  });
  return (
    <li className="card rule" data-testid="rule" data-rule-ref={rule.ref}>
      <h3 className="rule-title">
        <code>{rule.id}</code>
      </h3>
      <p className="rule-clause">
        <ClauseChip clause={rule.clause} />
      </p>
      <p>{rule.requirement}</p>
      <dl className="rule-facts">
        <div>
          <dt>Enforced by</dt>
          <dd>{rule.enforcedBy}</dd>
        </div>
        {rule.fix ? (
          <div>
            <dt>Fix</dt>
            <dd>{rule.fix}</dd>
          </div>
        ) : null}
        <div>
          <dt>Attacks that demonstrate it</dt>
          <dd>
            {rule.attacks.length === 0 ? (
              <span className="badge badge-no-attack" data-testid="no-attack">
                No attack yet
              </span>
            ) : shown.length === 0 ? (
              <span className="muted">None under {PROFILE_FILTERS[filter].title}</span>
            ) : (
              <ul className="rule-links">
                {shown.map((id) => (
                  <li key={id}>
                    <a href={`#attack-${id}`}>{attacks.get(id)?.title ?? id}</a>
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
        <div>
          <dt>Certification modules that test it</dt>
          <dd>
            {rule.conformance.length === 0 ? (
              <span className="muted">None listed</span>
            ) : (
              <ul className="rule-links">
                {rule.conformance.map((module) => (
                  <li key={module}>
                    <code>{module}</code>
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
      </dl>
    </li>
  );
}

function AttackItem({ attack }: { attack: AttackSummary }) {
  return (
    <li className="card rule" id={`attack-${attack.id}`} data-testid="attack">
      <h3 className="rule-title">{attack.title}</h3>
      <p className="muted">
        <code>pnpm attack {attack.id}</code>
      </p>
      <p>
        <strong>Without the rule:</strong> {sentence(attack.threat)}
      </p>
      <p>
        <strong>Fix:</strong> {sentence(attack.fix)}
      </p>
      <h4 className="rule-subtitle">Who refuses it</h4>
      <ul className="rule-links">
        {attack.refusals.map((refusal) => (
          <li key={refusal.profile}>
            {profileTitle(refusal.profile)}: {PARTY_NAMES[refusal.party] ?? refusal.party},{' '}
            <code>
              {refusal.status} {refusal.error}
            </code>{' '}
            <ClauseChip clause={refusal.clause} />
          </li>
        ))}
        {attack.notApplicable.map(({ profile, reason }) => (
          <li key={profile}>
            {profileTitle(profile)}: <span className="muted">does not apply: {reason}</span>
          </li>
        ))}
      </ul>
    </li>
  );
}

function visibleSections(catalogue: RuleCatalogue, filter: ProfileFilter): RuleSection[] {
  // The ecosystem's rules, bank-api's pipeline and Moneywise's checks hold under every profile.
  return catalogue.sections.filter(
    (section) =>
      filter === 'all' ||
      (section.id !== 'fapi2' && section.id !== 'fapi1-advanced' && section.id !== 'fapi1-baseline') ||
      section.id === filter,
  );
}

export function RulesPage() {
  const catalogue = useResource<RuleCatalogue>('/rules');
  const [filter, setFilter] = useState<ProfileFilter>('all');
  const [text, setText] = useState('');
  const profileId = useId();
  const textId = useId();
  const attacks = useMemo(
    () => new Map((catalogue.data?.attacks ?? []).map((attack) => [attack.id, attack])),
    [catalogue.data],
  );
  const query = text.trim().toLowerCase();
  const sections = catalogue.data
    ? visibleSections(catalogue.data, filter)
        .map((section) => ({
          ...section,
          rules: section.rules.filter((rule) => !query || searchText(rule, attacks).includes(query)),
        }))
        .filter((section) => section.rules.length > 0)
    : [];
  const shownRules = sections.reduce((sum, section) => sum + section.rules.length, 0);
  const shownAttacks = (catalogue.data?.attacks ?? []).filter((attack) => appliesTo(attack, filter));

  return (
    <section aria-labelledby="rules-title">
      <h1 id="rules-title">Rules</h1>
      <p className="lead">
        Every rule Sandbox Bank enforces, profile by profile, and the checks Moneywise runs on the bank’s
        answers: the clause that asks for it, what enforces it, the attacks that show it holding, and the
        certification modules that test it.
      </p>
      {catalogue.loading && !catalogue.data ? <p>Reading the bank’s rules…</p> : null}
      {catalogue.error ? <ErrorNotice error={catalogue.error} title="The rules could not be read" /> : null}
      {catalogue.data ? (
        <>
          <p className="rules-count" data-testid="rules-count">
            <strong>
              {catalogue.data.counts.withAttack} of {catalogue.data.counts.rules} rules have an attack
            </strong>{' '}
            <span className="muted">
              ({catalogue.data.counts.rules - catalogue.data.counts.withAttack} marked “No attack yet”)
            </span>
          </p>
          <search className="rules-filters" aria-label="Filter the rules">
            <div className="rules-filter">
              <label htmlFor={profileId}>Profile</label>
              <select
                id={profileId}
                value={filter}
                onChange={(e) => setFilter(e.target.value as ProfileFilter)}
              >
                {Object.entries(PROFILE_FILTERS).map(([id, { title }]) => (
                  <option key={id} value={id}>
                    {title}
                  </option>
                ))}
              </select>
            </div>
            <div className="rules-filter">
              <label htmlFor={textId}>Find a rule</label>
              <input
                id={textId}
                type="search"
                value={text}
                placeholder="PKCE, DPoP, RFC 9126, code-reuse…"
                onChange={(e) => setText(e.target.value)}
              />
            </div>
          </search>
          <p role="status" className="muted" data-testid="rules-shown">
            Showing {shownRules} {shownRules === 1 ? 'rule' : 'rules'}
            {filter === 'all' ? '' : ` under ${PROFILE_FILTERS[filter].title}`}
            {query ? ` matching “${text.trim()}”` : ''}.
          </p>
          {sections.map((section) => (
            <section key={section.id} aria-labelledby={`rules-${section.id}`}>
              <h2 id={`rules-${section.id}`}>{section.title}</h2>
              <ul className="rule-list">
                {section.rules.map((rule) => (
                  <RuleItem key={rule.ref} rule={rule} attacks={attacks} filter={filter} />
                ))}
              </ul>
            </section>
          ))}
          <section aria-labelledby="rules-attacks">
            <h2 id="rules-attacks">The attacks</h2>
            <p className="muted">
              Each attack resends one real message with one thing wrong. Run it from a connection’s flow
              inspector, or in a terminal with the command shown.
            </p>
            <ul className="rule-list">
              {shownAttacks.map((attack) => (
                <AttackItem key={attack.id} attack={attack} />
              ))}
            </ul>
          </section>
        </>
      ) : null}
    </section>
  );
}
