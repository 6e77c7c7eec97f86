// The rule catalogue as GET /api/rules answers it: every rule each party enforces (bank-op profile by
// profile, bank-api's pipeline, the TPP's own client checks), joined with the attacks of the attack lab
// that demonstrate it. Types only, shared by the back end (which builds it) and the React app.
import type { ProfileId } from './api.js';

/** Whose rules: bank-op's per profile, bank-api's pipeline, Moneywise's own client checks. */
export type RuleSectionId = 'fapi2' | 'fapi1-advanced' | 'fapi1-baseline' | 'ecosystem' | 'bank-api' | 'tpp';

export type RuleParty = 'bank-op' | 'bank-api' | 'tpp';

export interface RuleView {
  /** How attacks name it: `bank-op:<rule id>`, `bank-api:<check name>`, `tpp:<client check>`. */
  ref: string;
  /** The rule id (bank-op), the check name (bank-api) or the client check's name (tpp). */
  id: string;
  clause: string;
  requirement: string;
  /** What enforces it: an oidc-provider setting, a bank-op module, a pipeline step, a client-engine module. */
  enforcedBy: string;
  fix?: string;
  /** The ids of the attacks that demonstrate it (see RuleCatalogue.attacks). */
  attacks: string[];
  /** OpenID Foundation conformance modules (the suite's module ids) that test it. */
  conformance: string[];
}

export interface RuleSection {
  id: RuleSectionId;
  party: RuleParty;
  title: string;
  rules: RuleView[];
}

export interface AttackRefusalView {
  profile: ProfileId;
  party: 'bank-op' | 'bank-api' | 'directory' | 'tpp';
  status: number;
  error: string;
  clause: string;
}

export interface AttackSummary {
  id: string;
  title: string;
  /** One sentence: what would happen without the rule. */
  threat: string;
  fix: string;
  /** Who refuses it under each profile it applies to. */
  refusals: AttackRefusalView[];
  /** Why a profile is not listed. */
  notApplicable: { profile: ProfileId; reason: string }[];
}

export interface RuleCatalogue {
  sections: RuleSection[];
  attacks: AttackSummary[];
  counts: { rules: number; withAttack: number };
}
