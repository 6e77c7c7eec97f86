// The attack lab as the React app sees it: the catalogue (data only, no functions) and the outcome of one
// attack run against a connection. Types only, shared by the back end and the browser; no token, key or
// secret is ever part of them.
import type { ProfileId } from './api.js';

/** The party that refuses an attack. */
export type RefusingParty = 'bank-op' | 'bank-api' | 'directory' | 'tpp';

export interface ExpectedRefusalView {
  party: RefusingParty;
  status: number;
  error: string;
  clause: string;
}

export interface AttackView {
  id: string;
  title: string;
  /** The message it bends: fapi-client's AttackMessage, e.g. `token:authorization_code`. */
  message: string;
  profiles: ProfileId[];
  /** Who refuses it under each profile it applies to. */
  refusals: Partial<Record<ProfileId, ExpectedRefusalView>>;
  /** Why a profile is not listed. */
  notApplicable: Partial<Record<ProfileId, string>>;
  /** The profiles that let it through as taught (FAPI 1.0 Baseline), why, and the rung that stops it. */
  succeedsUnder?: Partial<Record<ProfileId, { stoppedBy: ProfileId; why: string }>>;
  /** How a profile comes to refuse it, where profiles differ (a JWT's revocation record, an introspection). */
  howStopped?: Partial<Record<ProfileId, string>>;
  /** What would happen without the rule. */
  threat: string;
  fix: string;
  rules: string[];
}

export interface AttackCatalogueView {
  attacks: AttackView[];
  /** Per attacked message, the titles of the TPP's steps that send it, as the inspector lists them. */
  steps: Record<string, string[]>;
}

/** Who refused the bent message, and what they said. */
export interface RefusalView {
  party: RefusingParty;
  status?: number;
  error?: string;
  /** The refusal's error_description, which names the clause and the fix. */
  description?: string;
  clause?: string;
  /** The client engine's check that failed, when Moneywise itself refused. */
  check?: string;
}

export interface AttackOutcomeView {
  attack: string;
  profile: ProfileId;
  /** Absent when every party accepted the bent message: a hole. */
  refusal?: RefusalView;
  /** The attacked request as it went out, credentials redacted. */
  sent?: { method: string; url: string; headers: Record<string, string>; body?: unknown };
  /** What was bent, one line per change, credentials redacted. */
  changes: string[];
  /** The refusal the catalogue expects under this profile (or, when it succeeds as taught, the rung's above). */
  expected: ExpectedRefusalView;
  /** Set when the profile lets the attack through as taught: why, and which profile refuses it. */
  succeedsAsTaught?: { stoppedBy: ProfileId; why: string };
  /** Refused as expected; otherwise `mismatches` says how it differed. */
  matched: boolean;
  mismatches: string[];
}
