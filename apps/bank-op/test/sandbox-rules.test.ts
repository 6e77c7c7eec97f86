// GET /sandbox/rules publishes bank-op's posture as the profiles declare it: every rule of each profile
// and of the ecosystem, with the OpenID conformance modules that test it (what the TPP's rule catalogue
// page links each rule to).
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ecosystemRules, profiles } from '../src/profiles/index.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { json } from './support/tpp.js';

interface PublishedRule {
  profile: string;
  id: string;
  clause: string;
  conformance: string[];
}

let sandbox: Sandbox;
let published: PublishedRule[];

beforeAll(async () => {
  sandbox = await startSandbox();
  const res = await json(
    await fetch(`${sandbox.config.bankOp.web.origin}/sandbox/rules`, { dispatcher: sandbox.plain }),
  );
  expect(res.status).toBe(200);
  published = res.body.rules as PublishedRule[];
});
afterAll(async () => {
  await sandbox?.close();
});

describe('GET /sandbox/rules', () => {
  it('lists, with each rule, the conformance modules its profile declares (an empty list when none)', () => {
    const declared = [
      ...Object.values(profiles).flatMap((profile) =>
        profile.rules.map((rule) => ({ profile: profile.id, rule })),
      ),
      ...ecosystemRules.map((rule) => ({ profile: 'ecosystem', rule })),
    ];
    expect(published).toHaveLength(declared.length);
    for (const { profile, rule } of declared) {
      const found = published.find((p) => p.profile === profile && p.id === rule.id);
      expect(found?.conformance, `${profile}:${rule.id}`).toEqual(rule.conformance ?? []);
    }
  });

  it('links the FAPI 2.0 discovery rule to the suite’s discovery module', () => {
    expect(published).toContainEqual(
      expect.objectContaining({
        profile: 'fapi2',
        id: 'discovery',
        conformance: ['fapi2-security-profile-final-discovery-end-point-verification'],
      }),
    );
  });
});
