// The vocabulary of bank-op's security posture: a profile is a list of rules, each with the clause that
// demands it, where it is enforced, and how a violation is reported (so a generic oidc-provider
// message can be turned into one that names the clause and the fix).

/** The profiles a client can register for (the `fapi_profile` client metadata value). */
export type ProfileId = 'fapi2' | 'fapi1-advanced' | 'fapi1-baseline';

/** Where a rule is enforced: by oidc-provider through a setting, or by bank-op code. */
export type Enforcement =
  | { by: 'oidc-provider'; setting: string }
  | { by: 'bank-op'; module: string }
  | { by: 'oidc-provider + bank-op'; setting: string; module: string };

/**
 * How a violation of the rule shows up in an oidc-provider error: the OAuth error code and a pattern
 * on its description (or, for client authentication, on its detail). `explain` replaces oidc-provider's
 * text when it is too terse to act on.
 */
export interface ViolationSignature {
  error: string;
  message: RegExp;
  explain?: string;
  /**
   * Only at this oidc-provider route (ctx.oidc.route), where the same error and wording means another
   * rule than elsewhere; it is preferred there over the rules that name no route.
   */
  route?: string;
}

export interface Rule {
  /** Stable identifier (tests and the error explainer refer to it). */
  id: string;
  /** The clause that demands it, e.g. "FAPI 2.0 SP §5.3.2.2-3". */
  clause: string;
  /** What the rule requires, in plain words. */
  requirement: string;
  enforcedBy: Enforcement;
  /** What the caller should do when it is violated. */
  fix?: string;
  violations?: ViolationSignature[];
  /**
   * The OpenID Foundation conformance modules (the suite's module ids) that exercise this rule: what a
   * certification run checks it with (apps/bank-op/test/conformance runs each of them).
   */
  conformance?: readonly string[];
}

export const oidcProvider = (setting: string): Enforcement => ({ by: 'oidc-provider', setting });
export const bankOp = (module: string): Enforcement => ({ by: 'bank-op', module });
export const both = (setting: string, module: string): Enforcement => ({
  by: 'oidc-provider + bank-op',
  setting,
  module,
});
