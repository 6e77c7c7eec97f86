// The OpenID Foundation's FAPI 2.0 Message Signing (final) plan, as the shared checklist lists it
// (../shared/conformance/fapi2-message-signing-final.tsv): the Security Profile's modules again, the
// client pushing only signed request objects (JAR, FAPI 2.0 Message Signing §5.3) and reading JARM
// responses (§5.4), plus the modules of a signed request object. Tests are named `message signing:
// <module id> [<variant>]`; a module that does not run here is listed as skipped with the reason.
// Signed introspection responses (§5.5, RFC 9701) are tested with bank-api's introspection client, and
// HTTP message signatures in apps/bank-api/test/message-signatures.test.ts.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fapi2Scenarios } from './fapi2-scenarios.js';
import { conformanceSandbox, expectCode, expectRefused } from './harness.js';
import { FAPI2_MESSAGE_SIGNING as plan } from './modules.js';
import {
  claims,
  type ON_BANK_API,
  requestObjectRefused,
  runPlan,
  type Scenario,
  signedRequestScenarios,
} from './scenarios.js';

const run = conformanceSandbox(plan, 'fapi2', { messageSigning: true });

const scenarios: Record<string, Scenario | typeof ON_BANK_API> = {
  ...fapi2Scenarios,

  'happy-flow': async (clients) => {
    await (fapi2Scenarios['happy-flow'] as Scenario)(clients);
    // The suite sends typ in mixed case: media types compare case-insensitively (RFC 9101 §10.8).
    const { client2 } = clients;
    const pushed = await client2.push(
      {},
      {
        requestObject: (message) => {
          message.header.typ = 'OautH-auThZ-REQ+jWt';
        },
      },
    );
    const visited = await client2.visit(pushed);
    expectCode(visited);
    // JARM §4.1: the code came inside the response JWT, nothing beside it.
    expect(visited.visit.kind === 'redirect' && visited.visit.url.searchParams.get('code')).toBeNull();
  },

  'ensure-request-object-with-nbf-8-seconds-in-the-future-is-accepted': async ({ client1 }) => {
    const { par } = await client1.push({}, { requestObject: claims((now) => ({ nbf: now + 8 })) });
    expect(par.status, JSON.stringify(par.body)).toBe(201);
  },

  'ensure-request-object-without-exp-fails': requestObjectRefused(claims(() => ({ exp: undefined }))),
  'ensure-request-object-without-nbf-fails': requestObjectRefused(claims(() => ({ nbf: undefined }))),
  'ensure-expired-request-object-fails': requestObjectRefused(
    claims((now) => ({ nbf: now - 3600, exp: now - 60 })),
  ),
  'ensure-request-object-with-bad-aud-fails': requestObjectRefused(
    claims(() => ({ aud: 'https://www.other1.example.com/' })),
  ),
  'ensure-request-object-with-exp-over-60-fails': requestObjectRefused(
    claims((now) => ({ exp: now + 70 * 60 })),
  ),
  'ensure-request-object-with-nbf-over-60-fails': requestObjectRefused(
    claims((now) => ({ nbf: now - 70 * 60 })),
  ),

  ...signedRequestScenarios(/5\.4\.1/),

  'ensure-unsigned-request-at-par-endpoint-fails': async ({ client1 }) => {
    // Plain form parameters from a client registered with require_signed_request_object (RFC 9101 §10.5).
    const params = await client1.params(client1.tpp.pkce(), client1.requestDefaults);
    const dpop = await client1.newDpop();
    const par = await client1.tpp.par(client1.client, params, dpop ? { dpop } : {});
    expectRefused(par, { status: 400, error: ['invalid_request', 'invalid_request_object'] });
  },

  'par-authorization-request-containing-request_uri': requestObjectRefused(
    claims(() => ({ request_uri: 'urn:ietf:params:oauth:request_uri:conformance' })),
  ),
};

describe('the shared checklist', () => {
  const checklist = path.resolve(
    import.meta.dirname,
    '../../../../../shared/conformance/fapi2-message-signing-final.tsv',
  );
  it.skipIf(!fs.existsSync(checklist))(
    'lists the modules this plan runs, and the same must-reject tests (fapi2-message-signing-final.tsv)',
    () => {
      const rows = fs
        .readFileSync(checklist, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split('\t'));
      expect(rows.map(([id, negative]) => [id, negative === 'yes']).sort()).toEqual(
        plan.modules.map((module) => [module.id, module.negative]).sort(),
      );
    },
  );
});

runPlan(plan, run, scenarios, { prefix: 'message signing: ', listSkipped: true });
