// FAPI 1.0 Part 1 (Baseline) §6.2.1-2: a Baseline client's access token is a bearer token, and bank-api
// accepts it without a cnf — only because bank-op signed `fapi_profile: fapi1-baseline` into it. The same
// token from a FAPI 2.0 or 1.0 Advanced client, stripped of its binding, is still refused.
import { FLOW_VARIANTS } from '@fapi-sandbox/fapi-client';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestClient, type TestClient } from './support/clients.js';
import { accountAccess, type Sandbox, startSandbox } from './support/sandbox.js';

let sb: Sandbox;
let baseline: TestClient;
beforeAll(async () => {
  sb = await startSandbox();
  const variant = FLOW_VARIANTS.find((v) => v.id === 'fapi1-baseline')!;
  baseline = await connectTestClient(sb.config, sb.config.participants.demo, variant, 'Moneywise (Baseline)');
});
afterAll(async () => {
  await baseline?.flow.close();
  await sb?.stop();
});

describe('FAPI 1.0 Baseline bearer tokens (Part 1 §6.2.1-2)', () => {
  it('are accepted without cnf for a client registered as Baseline', async () => {
    const { token } = await accountAccess(sb, baseline);
    const claims = decodeJwt(token);
    expect(claims.cnf).toBeUndefined();
    expect(claims.fapi_profile).toBe('fapi1-baseline');
    const response = await sb.call(baseline, 'GET', '/aisp/accounts', { token });
    expect(response.status).toBe(200);
  });

  it("work for whoever holds them: a stolen one is accepted with another participant's certificate", async () => {
    // What Advanced §5.2.2-5 and FAPI 2.0 §5.3.2.1-4 add: a bound token would be refused here.
    const { token } = await accountAccess(sb, baseline);
    const response = await sb.call(baseline, 'GET', '/aisp/accounts', {
      token,
      dispatcher: sb.clients.budgetlyMtls.dispatcher,
    });
    expect(response.status).toBe(200);
  });

  it('work without any client certificate: nothing ties them to the caller (RFC 6750 §2.1)', async () => {
    const { token } = await accountAccess(sb, baseline);
    const noCert = createSandboxAgent({}, sb.config);
    const response = await sb.call(baseline, 'GET', '/aisp/accounts', { token, dispatcher: noCert });
    expect(response.status).toBe(200);
    await noCert.close();
  });
});

describe('a FAPI 2.0 token stripped of its binding', () => {
  it('is refused: only a Baseline client gets bearer tokens', async () => {
    const client = sb.clients.moneywiseMtls;
    const real = await sb.tokens.clientCredentials(client, 'accounts');
    expect(decodeJwt(real).fapi_profile).toBe('fapi2');
    const token = await sb.forger.alter(real, { cnf: undefined });
    const response = await sb.call(client, 'GET', '/aisp/account-access-consents/aac-x', { token });
    expect(response.status).toBe(401);
    expect(response.body.Errors[0]!.Message).toMatch(/not sender-constrained/);
  });
});
