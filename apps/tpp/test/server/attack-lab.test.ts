// The attack lab behind the inspector, against real parties: the catalogue as data, an attack run from a
// connection (the bank refuses a code redeemed twice; its messages land in that connection's trace under
// "Attacks", the bent one marked, with the bank's own record of it), and every way a run is refused:
// no such attack, not for this profile, one already running, another session's connection, a party down.
import { startBankApi } from '@fapi-sandbox/bank-api';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { cookieHeader } from '@fapi-sandbox/fapi-client/customer';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAttackLab } from '../../src/attacks/attack-lab.js';
import type { ConnectionView, StartConnectionResponse } from '../../src/shared/api.js';
import type { AttackCatalogueView, AttackOutcomeView } from '../../src/shared/attacks.js';
import type { ConnectionTrace } from '../../src/shared/timeline.js';
import type { Connection } from '../../src/store/connections.js';
import { openDatabase } from '../../src/store/database.js';
import { createTraceLog } from '../../src/trace/trace-log.js';
import { visitBank } from './bank-browser.js';
import { Browser, type Sandbox, startSandbox } from './harness.js';

let sandbox: Sandbox;
let dpop: ConnectionView;

/** A full JWT (three base64url parts): what must never reach the browser. */
const WHOLE_JWT = /eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/;

async function startConnection(profile: string, browser = sandbox.browser): Promise<StartConnectionResponse> {
  const started = await browser.api('/connections', { json: { profile, clientAuth: 'private_key_jwt' } });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  return started.body as StartConnectionResponse;
}

function attack(connectionId: string, attackId: string, browser = sandbox.browser) {
  return browser.api(`/connections/${connectionId}/attacks/${attackId}`, { method: 'POST' });
}

beforeAll(async () => {
  sandbox = await startSandbox({
    bank: async (config) => [await startBankApi({ config }), await startBankOp({ config })],
  });
  expect((await sandbox.browser.api('/onboarding', { method: 'POST' })).status).toBe(200);
  const started = await startConnection('fapi2-dpop');
  await visitBank(sandbox.browser, started.authorizationUrl, { username: 'alice', password: 'wonderland' });
  dpop = started.connection;
});
afterAll(async () => {
  await sandbox?.close();
});

describe('GET /api/attacks', () => {
  it('lists the catalogue as data, with the inspector steps each attack bends', async () => {
    const response = await sandbox.browser.api('/attacks');
    expect(response.status).toBe(200);
    const catalogue = response.body as AttackCatalogueView;
    expect(catalogue.attacks.length).toBeGreaterThanOrEqual(31);
    const codeReuse = catalogue.attacks.find((a) => a.id === 'code-reuse');
    expect(codeReuse).toMatchObject({
      message: 'token:authorization_code',
      profiles: ['fapi2-dpop', 'fapi2-mtls', 'fapi1-advanced', 'fapi1-baseline', 'fapi2-dpop-opaque'],
      refusals: { 'fapi2-dpop': { party: 'bank-op', status: 400, error: 'invalid_grant' } },
    });
    // FAPI 1.0 Baseline lets a stolen bearer token through, and says which rung stops it.
    expect(catalogue.attacks.find((a) => a.id === 'token-without-binding')?.succeedsUnder).toMatchObject({
      'fapi1-baseline': { stoppedBy: 'fapi1-advanced', why: expect.stringMatching(/bearer token/) },
    });
    expect(codeReuse?.threat).toMatch(/leaked/);
    expect(catalogue.steps['token:authorization_code']).toContain('Exchange the code for tokens');
    expect(catalogue.steps['api:accounts']).toContain('Retry with the server’s DPoP nonce: Read accounts');
  });
});

describe('POST /api/connections/:id/attacks/:attackId', () => {
  let outcome: AttackOutcomeView;
  let text: string;

  beforeAll(async () => {
    const response = await attack(dpop.id, 'code-reuse');
    expect(response.status, response.text).toBe(200);
    outcome = response.body as AttackOutcomeView;
    text = response.text;
  });

  it('runs the attack and answers who refused it, with the error and the clause', () => {
    expect(outcome).toMatchObject({
      attack: 'code-reuse',
      profile: 'fapi2-dpop',
      refusal: { party: 'bank-op', status: 400, error: 'invalid_grant' },
      matched: true,
      mismatches: [],
    });
    expect(outcome.refusal?.clause).toContain('RFC 6749 §4.1.2');
    expect(outcome.refusal?.description).toMatch(/Fix: /);
    expect(outcome.changes).toEqual(['code: the one already redeemed']);
    expect(outcome.sent?.url).toMatch(/\/token$/);
  });

  it('answers no token, code or key', () => {
    expect(text).not.toMatch(WHOLE_JWT);
    const form = outcome.sent?.body as Record<string, string>;
    expect(form.code).toMatch(/…$/);
    expect(form.code!.length).toBeLessThanOrEqual(9);
    expect(outcome.sent?.headers.dpop).toMatch(/…$/);
  });

  it('records the attack’s messages in the connection’s trace, in phase attacks, the bent one marked', async () => {
    const trace = (await sandbox.browser.api(`/connections/${dpop.id}/trace`)).body as ConnectionTrace;
    const attacks = trace.entries.filter((entry) => entry.phase === 'attacks');
    expect(attacks.length).toBeGreaterThan(5);
    // Moneywise's messages are titled as the attack's; the bank's pages the customer saw are the bank's.
    const moneywise = attacks.filter((entry) => entry.reportedBy.includes('tpp'));
    expect(moneywise.every((entry) => entry.title.startsWith('Attack: '))).toBe(true);
    expect(attacks.map((entry) => entry.title)).toContain('Sign-in page');
    const bent = attacks.filter((entry) => entry.title.endsWith('(bent)'));
    expect(bent.map((entry) => [entry.title, entry.status])).toEqual([
      ['Attack: An authorization code is redeemed a second time — Exchange the code for tokens (bent)', 400],
    ]);
    // Sent under the connection's interaction id, so the bank's record of the same request joins it.
    expect(bent[0]!.reportedBy).toEqual(['tpp', 'bank-op']);
    expect(bent[0]!.checks.some((check) => check.by === 'bank-op' && !check.passed)).toBe(true);
    const verdict = attacks.at(-1)!;
    expect(verdict.title).toBe('Attack: An authorization code is redeemed a second time — refused');
    expect(verdict.checks[0]).toMatchObject({ passed: true, by: 'tpp' });
    // The connection's own messages keep their phases, before the attacks.
    expect(trace.entries.findIndex((e) => e.phase === 'attacks')).toBeGreaterThan(
      trace.entries.findLastIndex((e) => e.phase === 'connect'),
    );
  });

  it('marks the message that carried a JWT the attack bent (a DPoP proof for another URL)', async () => {
    const response = await attack(dpop.id, 'dpop-wrong-htu');
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({ refusal: { party: 'bank-api', error: 'invalid_dpop_proof' } });
    const trace = (await sandbox.browser.api(`/connections/${dpop.id}/trace`)).body as ConnectionTrace;
    const bent = trace.entries.filter(
      (entry) =>
        entry.title.startsWith('Attack: The DPoP proof was made for another URL') &&
        entry.title.endsWith('(bent)'),
    );
    expect(bent.map((entry) => [entry.title.split(' — ')[1], entry.status])).toEqual([
      ['Read accounts (bent)', 401],
    ]);
  });

  it('answers 404 for an attack the catalogue does not have', async () => {
    const response = await attack(dpop.id, 'no-such-attack');
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: 'not_found' });
    expect((response.body as { error_description: string }).error_description).toMatch(
      /no attack 'no-such-attack'.*RFC 9110 section 15\.5\.5.*Fix: pick one from GET \/api\/attacks/,
    );
  });

  it('answers 400 naming the profiles for an attack not of the connection’s profile', async () => {
    const response = await attack(dpop.id, 'request-object-unsigned');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'invalid_request' });
    expect((response.body as { error_description: string }).error_description).toMatch(
      /request-object-unsigned does not apply to this connection's profile fapi2-dpop.*it applies to fapi1-advanced.*Fix: run it from a connection made with fapi1-advanced/,
    );
  });

  it('answers 409 while another attack of the session runs', async () => {
    // Both sent at once: a whole attack run can take less than 100 ms on an idle machine, so waiting for
    // the first to be under way would race it. Whichever arrives second is refused while the other runs.
    const answers = await Promise.all([
      attack(dpop.id, 'pkce-verifier-wrong'),
      attack(dpop.id, 'code-reuse'),
    ]);
    const second = answers.find((answer) => answer.status !== 200);
    const done = answers.find((answer) => answer.status === 200);
    expect(second?.status).toBe(409);
    expect(second?.body).toMatchObject({ error: 'attack_running' });
    expect((second?.body as { error_description?: string } | undefined)?.error_description).toMatch(
      /one runs at a time.*RFC 9110 section 15\.5\.10/,
    );
    expect(done?.status, done?.text).toBe(200);
    expect(done?.body).toMatchObject({
      refusal: { party: 'bank-op', error: 'invalid_grant' },
      matched: true,
    });
  });

  it('refuses another session’s connection as unknown, and a cross-site page', async () => {
    const stranger = new Browser(sandbox.config);
    try {
      const response = await attack(dpop.id, 'code-reuse', stranger);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ error: 'not_found' });
    } finally {
      await stranger.close();
    }
    // Another site's page in the learner's browser: the cookie goes along, the Origin gives it away.
    const crossSite = await fetch(
      `${sandbox.config.tpp.web.origin}/api/connections/${dpop.id}/attacks/code-reuse`,
      {
        method: 'POST',
        headers: {
          origin: 'https://attacker.localhost',
          cookie: cookieHeader(sandbox.browser.cookies, new URL(sandbox.config.tpp.web.origin)) ?? '',
        },
        dispatcher: sandbox.browser.agent,
      },
    );
    expect(crossSite.status).toBe(403);
  });
});

describe('a connection with opaque access tokens (fapi2-dpop-opaque)', () => {
  let opaque: ConnectionView;
  beforeAll(async () => {
    const started = await startConnection('fapi2-dpop-opaque');
    await visitBank(sandbox.browser, started.authorizationUrl, { username: 'alice', password: 'wonderland' });
    opaque = started.connection;
  });

  it('revoke, then call again: bank-api refuses the opaque token at the next call, on bank-op’s introspection answer', async () => {
    const response = await attack(opaque.id, 'access-token-revoked');
    expect(response.status, response.text).toBe(200);
    const outcome = response.body as AttackOutcomeView;
    expect(outcome).toMatchObject({
      profile: 'fapi2-dpop-opaque',
      refusal: { party: 'bank-api', status: 401, error: 'invalid_token', clause: 'RFC 7662 §2.2' },
      matched: true,
    });
    expect(outcome.refusal?.description).toMatch(/not active \(asked by introspection/);
  });

  it('runs the attacks on the DPoP proof too (the binding comes from the introspection answer’s cnf)', async () => {
    const response = await attack(opaque.id, 'dpop-other-key');
    expect(response.status, response.text).toBe(200);
    expect(response.body).toMatchObject({
      refusal: { party: 'bank-api', status: 401, error: 'invalid_token' },
      matched: true,
    });
  });

  it('says why an edit of the JWT’s claims does not apply: the token is a reference, introspected', async () => {
    const response = await attack(opaque.id, 'access-token-claims-edited');
    expect(response.status).toBe(400);
    expect((response.body as { error_description: string }).error_description).toMatch(
      /does not apply to this connection's profile fapi2-dpop-opaque: the access token is opaque, a reference.*introspection \(RFC 7662 section 2\.2\)/,
    );
  });
});

describe('an attack that cannot be run', () => {
  it('is a 502 naming the reason, and the trace says how far it got', async () => {
    const { config } = sandbox;
    // The bank API is unreachable: the run breaks at the consent, before the attacked message.
    const unreachable = {
      ...config,
      bankApi: { ...config.bankApi, baseUrl: 'https://api.bank.localhost:1/open-banking/v3.1' },
    };
    const { db } = await openDatabase({ dataDir: config.dataDir, url: config.tppDatabaseUrl });
    const trace = createTraceLog(db);
    const lab = createAttackLab({ config: unreachable, trace, participant: config.participants.demo });
    const connection = {
      id: 'c-unreachable',
      interactionId: crypto.randomUUID(),
      profile: 'fapi2-dpop',
    } as Connection;
    const run = lab.run(connection, 'code-reuse', 'session-1');
    await expect(run).rejects.toMatchObject({ status: 502, error: 'attack_not_run' });
    await expect(run).rejects.toThrow(/could not be run: the flow broke before the attacked message/);
    const recorded = await trace.forInteraction(connection.interactionId);
    await db.destroy();
    expect(recorded.at(-1)?.step).toBe('Attack: An authorization code is redeemed a second time — not run');
  });
});
