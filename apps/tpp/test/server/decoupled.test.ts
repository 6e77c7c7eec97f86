// Decoupled authentication (FAPI-CIBA) from Moneywise against the real directory, bank-op and bank-api:
// the learner names the customer and a binding message, the customer answers on the bank app, and the
// connection completes by polling or by the bank's ping to Moneywise's own endpoint; then it reads
// accounts like any other. Each refusal is named after what it stops.
import { CustomerBrowser } from '@fapi-sandbox/fapi-client/customer';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountView, ApiError, DecoupledView } from '../../src/shared/api.js';
import type { ConnectionTrace } from '../../src/shared/timeline.js';
import { realBank, type Sandbox, startSandbox } from './harness.js';

const ALICE = { username: 'alice', password: 'wonderland' };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ bank: realBank });
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
});

const code = () => `Moneywise ${Math.floor(1000 + Math.random() * 9000)}`;

async function start(mode: 'poll' | 'ping', overrides: Record<string, string> = {}) {
  return sandbox.browser.api('/connections/decoupled', {
    json: { mode, loginHint: 'alice', bindingMessage: code(), ...overrides },
  });
}

async function started(mode: 'poll' | 'ping'): Promise<DecoupledView> {
  const response = await start(mode);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as DecoupledView;
}

/** Alice on the bank app: the request showing the same binding message, approved or denied. */
function answerOnBankApp(view: DecoupledView, decision: 'approve' | 'deny' = 'approve') {
  const phone = new CustomerBrowser({ dispatcher: sandbox.browser.agent, bank: view.bankAppUrl });
  return phone.answerOnBankApp(view.bankAppUrl, ALICE, { bindingMessage: view.bindingMessage, decision });
}

/** The connection's view once it no longer waits (Moneywise polls every `interval` seconds). */
async function settled(id: string, timeoutMs = 30_000): Promise<DecoupledView> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const view = (await sandbox.browser.api(`/connections/${id}/decoupled`)).body as DecoupledView;
    if (view.status !== 'authorising' || Date.now() > until) return view;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function titles(id: string): Promise<string[]> {
  const trace = (await sandbox.browser.api(`/connections/${id}/trace`)).body as ConnectionTrace;
  return trace.entries.map((entry) => entry.title);
}

describe('a decoupled connection, polled', () => {
  it('waits at the bank’s interval while Alice has not answered, then reads her accounts once she approves', async () => {
    const view = await started('poll');
    expect(view).toMatchObject({
      status: 'authorising',
      mode: 'poll',
      loginHint: 'alice',
      intervalSeconds: 5,
    });
    expect(view.bankAppUrl).toBe(`${sandbox.config.bankOp.issuer}/bank-app`);
    // One poll while she has not answered: authorization_pending.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const app = await answerOnBankApp(view);
    expect(app.html).toContain('Request approved.');
    expect((await settled(view.connectionId)).status).toBe('active');

    const accounts = await sandbox.browser.api(`/connections/${view.connectionId}/accounts`);
    expect(accounts.status, JSON.stringify(accounts.body)).toBe(200);
    expect((accounts.body as { accounts: AccountView[] }).accounts.length).toBeGreaterThan(0);

    const trace = (await sandbox.browser.api(`/connections/${view.connectionId}/trace`))
      .body as ConnectionTrace;
    const pending = trace.entries.find((e) => e.title.startsWith('Poll: authorization_pending'));
    expect(pending, 'a poll answered authorization_pending').toBeDefined();
    expect(pending?.expected).toBe(true);
    expect(trace.entries.map((e) => e.title)).toEqual(
      expect.arrayContaining([
        'Ask the bank to authenticate the customer (CIBA backchannel request)',
        'Read the bank’s acknowledgement (auth_req_id, interval)',
        'Collect the tokens (CIBA grant)',
        'Read accounts',
      ]),
    );
  }, 60_000);

  it('ends with access_denied, said in words, when Alice denies on the bank app', async () => {
    const view = await started('poll');
    await answerOnBankApp(view, 'deny');
    const ended = await settled(view.connectionId);
    expect(ended.status).toBe('failed');
    expect(ended.error?.error).toBe('access_denied');
    expect(ended.error?.error_description).toMatch(/denied the request on their bank app.*CIBA section 11/);
    expect(await titles(view.connectionId)).toContain('Poll: the request ended without tokens');
  }, 60_000);
});

describe('a decoupled connection, pinged (CIBA §10.2)', () => {
  it('completes once the bank pings Moneywise’s endpoint with the notification token, then reads accounts', async () => {
    const view = await started('ping');
    expect(view.mode).toBe('ping');
    await answerOnBankApp(view);
    const done = await settled(view.connectionId, 10_000);
    expect(done.status, JSON.stringify(done.error)).toBe('active');
    expect(done.pingedAt).toEqual(expect.any(String));
    const accounts = await sandbox.browser.api(`/connections/${view.connectionId}/accounts`);
    expect(accounts.status, JSON.stringify(accounts.body)).toBe(200);

    const trace = (await sandbox.browser.api(`/connections/${view.connectionId}/trace`))
      .body as ConnectionTrace;
    const ping = trace.entries.find((e) => e.title === 'The bank pings Moneywise (CIBA ping)');
    expect(ping).toMatchObject({ from: 'bank-op', to: 'tpp', status: 204 });
    expect(ping?.checks.map((c) => c.passed)).toEqual([true, true]);
    expect(trace.entries.map((e) => e.title)).toContain('Collect the tokens (CIBA grant)');
    // No poll before the ping: ping mode waits to be told.
    expect(trace.entries.some((e) => e.title.startsWith('Poll: authorization_pending'))).toBe(false);
  }, 60_000);

  it('refuses a ping without the notification token Moneywise sent (a forged ping), and keeps waiting', async () => {
    const view = await started('ping');
    const trace = (await sandbox.browser.api(`/connections/${view.connectionId}/trace`))
      .body as ConnectionTrace;
    const ack = trace.entries.find((e) => e.title.startsWith('Ask the bank to authenticate'));
    const authReqId = String((ack?.responseBody as { auth_req_id?: string } | undefined)?.auth_req_id);
    const forged = await fetch(`${sandbox.config.tpp.web.origin}/ciba/ping`, {
      method: 'POST',
      dispatcher: sandbox.browser.agent,
      headers: { authorization: 'Bearer guessed', 'content-type': 'application/json' },
      body: JSON.stringify({ auth_req_id: authReqId }),
    });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toMatch(/invalid_token/);
    const body = (await forged.json()) as ApiError;
    expect(body.error_description).toMatch(/client_notification_token.*CIBA section 10\.2/);
    expect((await sandbox.browser.api(`/connections/${view.connectionId}/decoupled`)).body).toMatchObject({
      status: 'authorising',
    });
  });

  it('refuses a ping naming no request of Moneywise’s', async () => {
    const response = await fetch(`${sandbox.config.tpp.web.origin}/ciba/ping`, {
      method: 'POST',
      dispatcher: sandbox.browser.agent,
      headers: { authorization: 'Bearer anything', 'content-type': 'application/json' },
      body: JSON.stringify({ auth_req_id: 'not-ours' }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as ApiError).error).toBe('invalid_request');
  });
});

describe('what the bank refuses, relayed', () => {
  it('relays invalid_binding_message for a binding message that is not short plain text', async () => {
    const response = await start('poll', { bindingMessage: '<b>4821</b>' });
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({ error: 'invalid_binding_message', party: 'bank-op' });
  });

  it('relays unknown_user_id for a username the bank does not know', async () => {
    const response = await start('poll', { loginHint: 'mallory' });
    expect(response.status).toBe(502);
    expect(response.body).toMatchObject({ error: 'unknown_user_id', party: 'bank-op' });
  });

  it('refuses an empty binding message before asking the bank', async () => {
    const response = await start('poll', { bindingMessage: ' ' });
    expect(response.status).toBe(400);
    expect((response.body as ApiError).error_description).toMatch(/bindingMessage/);
  });
});
