// The posture files are what a learner reads: every rule names a clause and a place that enforces it
// (an existing bank-op module), and every error it recognises turns into clause-and-fix text.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ecosystemRules, findRuleById, profiles, ruleById } from '../src/profiles/index.js';
import type { Rule } from '../src/profiles/rule.js';
import { explain } from '../src/provider/explain-errors.js';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

function modulesOf(rule: Rule): string[] {
  const enforced = rule.enforcedBy;
  if (enforced.by === 'oidc-provider') return [];
  return enforced.module.split(',').map((m) => m.trim());
}

const all: [string, readonly Rule[]][] = [
  ...Object.values(profiles).map((p) => [p.id, p.rules] as [string, readonly Rule[]]),
  ['ecosystem', ecosystemRules],
];

describe.each(all)('%s rules', (_name, rules) => {
  it('have unique ids, a clause and a requirement', () => {
    const ids = rules.map((rule) => rule.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of rules) {
      expect(rule.clause, rule.id).toMatch(/(FAPI|RFC|OB|OIDC|PSD2|JARM|CIBA)/);
      expect(rule.requirement.length, rule.id).toBeGreaterThan(10);
    }
  });

  it('point at bank-op modules that exist', () => {
    for (const rule of rules) {
      for (const module of modulesOf(rule)) {
        expect(fs.existsSync(path.join(src, module)), `${rule.id}: ${module}`).toBe(true);
      }
    }
  });

  it('tell the caller a fix wherever they recognise a violation', () => {
    for (const rule of rules.filter((r) => r.violations?.length)) {
      expect(rule.fix, rule.id).toBeTruthy();
    }
  });
});

describe('a rule looked up by id', () => {
  it.each(Object.values(profiles))(
    "finds each of $id's rules and the ecosystem's, and nothing else",
    (profile) => {
      for (const rule of [...profile.rules, ...ecosystemRules]) {
        expect(findRuleById(profile, rule.id)).toBe(rule);
        expect(ruleById(profile, rule.id)).toBe(rule);
      }
      expect(findRuleById(profile, 'no-such-rule')).toBeUndefined();
      expect(() => ruleById(profile, 'no-such-rule')).toThrow(/has no rule 'no-such-rule'/);
    },
  );

  it("never answers with another profile's rule", () => {
    const onlyFapi1 = profiles['fapi1-advanced'].rules.find(
      (rule) => !profiles.fapi2.rules.some((other) => other.id === rule.id),
    );
    expect(onlyFapi1).toBeDefined();
    expect(findRuleById(profiles['fapi1-advanced'], onlyFapi1!.id)).toBe(onlyFapi1);
    expect(findRuleById(profiles.fapi2, onlyFapi1!.id)).toBeUndefined();
  });
});

describe('error explanations', () => {
  it('adds the clause and the fix to a generic oidc-provider message', () => {
    const text = explain(profiles.fapi2, {
      error: 'invalid_request',
      error_description: 'Pushed Authorization Request must be used',
    });
    expect(text).toBe(
      'Pushed Authorization Request must be used (FAPI 2.0 SP §5.3.2.2-3, RFC 9126 §5). Fix: POST the parameters to pushed_authorization_request_endpoint and send only client_id and request_uri to the authorization endpoint.',
    );
  });

  it('follows the client profile: the same PKCE error cites FAPI 1.0 Advanced for its clients', () => {
    const err = {
      error: 'invalid_request',
      error_description: 'Authorization Server policy requires PKCE to be used for this request',
    };
    expect(explain(profiles.fapi2, err)).toMatch(/FAPI 2\.0 SP §5\.3\.2\.2-5/);
    expect(explain(profiles['fapi1-advanced'], err)).toMatch(/FAPI 1\.0 Adv §5\.2\.2-18/);
  });

  it('shows the reason of a client authentication failure', () => {
    const text = explain(profiles.fapi2, {
      error: 'invalid_client',
      error_description: 'client authentication failed',
      error_detail: 'client certificate was not verified',
    });
    expect(text).toMatch(
      /^The client certificate does not chain to the Directory CA \(FAPI 2\.0 SP §5\.3\.2\.1-6/,
    );
  });

  it('keeps a message it does not recognise', () => {
    expect(explain(profiles.fapi2, { error: 'invalid_request', error_description: 'something else' })).toBe(
      'something else',
    );
  });
});
