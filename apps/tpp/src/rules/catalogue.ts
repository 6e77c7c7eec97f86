// The rule catalogue: every rule of each party, joined with the attacks that demonstrate it. An attack
// names the rules that stop it (`bank-op:<id>`, `bank-api:<check name>`, `tpp:<client check>`); a bank-op
// rule id may appear in both profiles, and an attack demonstrates it under the profiles it applies to.
import { type Attack, PROFILE_FACTS } from '@fapi-sandbox/fapi-client';
import type { ProfileId } from '../shared/api.js';
import type { AttackSummary, RuleCatalogue, RuleSection, RuleSectionId, RuleView } from '../shared/rules.js';
import type { BankOpRule, BankRules } from './bank-rules.js';
import { CLIENT_CHECKS } from './client-checks.js';

const SECTION_TITLES: Record<RuleSectionId, string> = {
  fapi2: 'Bank OP · FAPI 2.0 Security Profile',
  'fapi1-advanced': 'Bank OP · FAPI 1.0 Advanced',
  'fapi1-baseline': 'Bank OP · FAPI 1.0 Baseline',
  ecosystem: 'Bank OP · the ecosystem: directory, consents and tokens',
  'bank-api': 'Bank API · the checks every call runs, in order',
  tpp: 'Moneywise · the client’s own checks of the bank’s answers',
};

const BANK_OP_SECTIONS = ['fapi2', 'fapi1-advanced', 'fapi1-baseline', 'ecosystem'] as const;

function enforcedBy(rule: BankOpRule): string {
  const by = rule.enforcedBy;
  if (by.by === 'oidc-provider') return `oidc-provider setting: ${by.setting}`;
  if (by.by === 'bank-op') return `bank-op: ${by.module}`;
  return `oidc-provider setting: ${by.setting}; bank-op: ${by.module}`;
}

/** The bank-op profiles (fapi2, fapi1-advanced) an attack applies to, from its flow variants. */
function opProfilesOf(attack: Attack): Set<string> {
  return new Set(attack.profiles.map((profile) => PROFILE_FACTS[profile].fapiProfile));
}

/**
 * Whether an attack demonstrates a bank-op rule of a profile: it names the rule and applies to that
 * profile (ecosystem rules hold under every profile). An attack naming a rule that none of its profiles
 * lists is shown wherever the rule is.
 */
function demonstrates(attack: Attack, rule: BankOpRule, opRules: readonly BankOpRule[]): boolean {
  if (!attack.rules.includes(`bank-op:${rule.id}`)) return false;
  if (rule.profile === 'ecosystem') return true;
  const profiles = opProfilesOf(attack);
  if (profiles.has(rule.profile)) return true;
  return !opRules.some((other) => other.id === rule.id && profiles.has(other.profile));
}

function attackSummary(attack: Attack): AttackSummary {
  return {
    id: attack.id,
    title: attack.title,
    threat: attack.threat,
    fix: attack.fix,
    refusals: attack.profiles.map((profile) => {
      const { party, status, error, clause } = attack.refusals[profile]!;
      return { profile, party, status, error, clause };
    }),
    notApplicable: Object.entries(attack.notApplicable ?? {}).map(([profile, reason]) => ({
      profile: profile as ProfileId,
      reason: reason ?? '',
    })),
  };
}

export function buildRuleCatalogue(banks: BankRules, attacks: readonly Attack[]): RuleCatalogue {
  const naming = (ref: string) => attacks.filter((attack) => attack.rules.includes(ref as never));
  const bankOpSections: RuleSection[] = BANK_OP_SECTIONS.map((section) => ({
    id: section,
    party: 'bank-op',
    title: SECTION_TITLES[section],
    rules: banks.bankOp
      .filter((rule) => rule.profile === section)
      .map(
        (rule): RuleView => ({
          ref: `bank-op:${rule.id}`,
          id: rule.id,
          clause: rule.clause,
          requirement: rule.requirement,
          enforcedBy: enforcedBy(rule),
          ...(rule.fix ? { fix: rule.fix } : {}),
          attacks: attacks.filter((a) => demonstrates(a, rule, banks.bankOp)).map((a) => a.id),
          conformance: rule.conformance,
        }),
      ),
  }));
  const bankApi: RuleSection = {
    id: 'bank-api',
    party: 'bank-api',
    title: SECTION_TITLES['bank-api'],
    rules: banks.bankApi.map((check) => ({
      ref: `bank-api:${check.name}`,
      id: check.name,
      clause: check.clause,
      requirement: check.checks,
      enforcedBy: `bank-api pipeline, check ${check.order} (src/pipeline.ts)`,
      attacks: naming(`bank-api:${check.name}`).map((a) => a.id),
      conformance: [],
    })),
  };
  // The client's own checks that some attack names: the ones the lab shows a client must run.
  const tpp: RuleSection = {
    id: 'tpp',
    party: 'tpp',
    title: SECTION_TITLES.tpp,
    rules: CLIENT_CHECKS.map((check) => ({
      ...check,
      ref: `tpp:${check.id}`,
      attacks: naming(`tpp:${check.id}`).map((a) => a.id),
      conformance: [],
    })).filter((rule) => rule.attacks.length > 0),
  };
  const sections = [...bankOpSections, bankApi, tpp];
  const rules = sections.flatMap((section) => section.rules);
  return {
    sections,
    attacks: attacks.map(attackSummary),
    counts: { rules: rules.length, withAttack: rules.filter((rule) => rule.attacks.length > 0).length },
  };
}
