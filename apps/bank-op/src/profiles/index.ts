// The profiles a client can register for, and which one applies to a request.
import { ecosystemRules } from './ecosystem.js';
import { fapi1Advanced } from './fapi1-advanced.js';
import { fapi1Baseline } from './fapi1-baseline.js';
import { fapi2, type ProfileDefinition } from './fapi2.js';
import type { ProfileId, Rule } from './rule.js';

export type { ProfileDefinition } from './fapi2.js';
export type { ProviderSettings } from './provider-settings.js';
export type { ProfileId, Rule } from './rule.js';

export const profiles: Readonly<Record<ProfileId, ProfileDefinition>> = {
  fapi2,
  'fapi1-advanced': fapi1Advanced,
  'fapi1-baseline': fapi1Baseline,
};

/** A client that names no profile at registration gets FAPI 2.0. */
export const DEFAULT_PROFILE: ProfileId = 'fapi2';

/** The client metadata property that records a client's profile. */
export const PROFILE_METADATA = 'fapi_profile';

export function isProfileId(value: unknown): value is ProfileId {
  return typeof value === 'string' && Object.hasOwn(profiles, value);
}

/** The profile of a registered client (its `fapi_profile` metadata), FAPI 2.0 when unset. */
export function profileOf(client: { [PROFILE_METADATA]?: unknown } | undefined): ProfileDefinition {
  const id = client?.[PROFILE_METADATA];
  return profiles[isProfileId(id) ? id : DEFAULT_PROFILE];
}

/**
 * A setting oidc-provider takes once for every client (clockTolerance): every profile must name the same
 * value, or the bank would enforce one profile's rule on the other's clients.
 */
export function settingOfEveryProfile<T>(name: string, pick: (profile: ProfileDefinition) => T): T {
  const values = Object.values(profiles).map(pick);
  if (values.some((value) => value !== values[0])) {
    throw new Error(`the profiles disagree on ${name} (${values.join(', ')}); oidc-provider takes one value`);
  }
  return values[0] as T;
}

/** Every value some profile lists (what a provider serving every profile enables). */
export function unionOfProfiles<T>(pick: (profile: ProfileDefinition) => readonly T[]): T[] {
  return [...new Set(Object.values(profiles).flatMap(pick))];
}

/** Each profile's rules and the ecosystem's by id (the profile's first), indexed once: the trace asks per check. */
const rulesByIdOf = new WeakMap<ProfileDefinition, Map<string, Rule>>();

function rulesById(profile: ProfileDefinition): Map<string, Rule> {
  let byId = rulesByIdOf.get(profile);
  if (!byId) {
    byId = new Map();
    for (const rule of [...profile.rules, ...ecosystemRules]) if (!byId.has(rule.id)) byId.set(rule.id, rule);
    rulesByIdOf.set(profile, byId);
  }
  return byId;
}

/** The rule `id` of `profile`, or of the ecosystem every profile is part of; undefined when neither has it. */
export function findRuleById(profile: ProfileDefinition, id: string): Rule | undefined {
  return rulesById(profile).get(id);
}

export function ruleById(profile: ProfileDefinition, id: string): Rule {
  const rule = findRuleById(profile, id);
  if (!rule) throw new Error(`profile ${profile.id} has no rule '${id}'`);
  return rule;
}

export { ecosystemRules };
