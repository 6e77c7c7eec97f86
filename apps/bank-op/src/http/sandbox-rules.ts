// GET /sandbox/rules: bank-op's posture as data, for learners and the TPP's rule catalogue page — every
// rule of each profile (profiles/fapi2.ts, profiles/fapi1-advanced.ts) and of the ecosystem
// (profiles/ecosystem.ts), with its clause, what it requires, what enforces it, the fix and the OpenID
// conformance modules that test it. Public: the posture is what the discovery document advertises, spelled out.
import type { RequestHandler } from 'express';
import { ecosystemRules, profiles, type Rule } from '../profiles/index.js';

function ruleView(profile: string, rule: Rule) {
  return {
    profile,
    id: rule.id,
    clause: rule.clause,
    requirement: rule.requirement,
    enforcedBy: rule.enforcedBy,
    ...(rule.fix ? { fix: rule.fix } : {}),
    conformance: rule.conformance ?? [],
  };
}

export function sandboxRulesRoute(): RequestHandler {
  const rules = [
    ...Object.values(profiles).flatMap((profile) => profile.rules.map((rule) => ruleView(profile.id, rule))),
    ...ecosystemRules.map((rule) => ruleView('ecosystem', rule)),
  ];
  return (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ party: 'bank-op', rules });
  };
}
