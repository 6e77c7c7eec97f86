// The TPP beside a real directory but no bank: what onboarding can do, and how it reports the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, OnboardingView } from '../../src/shared/api.js';
import type { ConnectionTrace } from '../../src/shared/timeline.js';
import { Browser, type Sandbox, startSandbox } from './harness.js';

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

describe('TPP with the directory but no bank running', () => {
  it('answers the health check pnpm dev polls', async () => {
    const response = await sandbox.browser.request(`${sandbox.config.tpp.web.origin}/health`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', party: 'tpp' });
  });

  it('starts a session with an httpOnly, Secure, SameSite=Lax cookie', async () => {
    const response = await sandbox.browser.api('/onboarding');
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('mw_session='));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect((response.body as OnboardingView).status).toBe('not-started');
  });

  it('starts a new session for a session cookie that is not even valid percent-encoding (no 500)', async () => {
    const browser = new Browser(sandbox.config);
    try {
      browser.cookies.set(new URL(sandbox.config.tpp.web.origin).host, new Map([['mw_session', '%E0%A4%A']]));
      const response = await browser.api('/onboarding');
      expect(response.status).toBe(200);
      expect((response.body as OnboardingView).status).toBe('not-started');
      expect(response.headers.getSetCookie().some((line) => line.startsWith('mw_session='))).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it('forbids framing, content sniffing and referrers on every response', async () => {
    const get = (path: string) => sandbox.browser.request(`${sandbox.config.tpp.web.origin}${path}`);
    for (const path of ['/health', '/api/onboarding', '/callback']) {
      const response = await get(path);
      expect(response.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('strict-transport-security'), path).toMatch(/^max-age=\d+/);
    }
    expect((await get('/api/onboarding')).headers.get('referrer-policy')).toBe('same-origin');
    // The callback's own URL carries the authorization code: it sends no Referer at all.
    expect((await get('/callback')).headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('fetches and checks its SSA, finds the bank, and shows the unreachable bank as a failed step with the reason', async () => {
    const response = await sandbox.browser.api('/onboarding', { method: 'POST' });
    expect(response.status).toBe(200);
    const view = response.body as OnboardingView;
    const step = (id: string) => view.steps.find((s) => s.id === id)!;
    expect(step('ssa').status).toBe('done');
    expect(step('ssa-verify').status).toBe('done');
    expect(step('ssa-verify').detail).toMatch(/Signed by the directory/);
    expect(step('participants').status).toBe('done');
    expect(view.bank?.issuer).toBe(sandbox.config.bankOp.issuer);
    expect(step('discovery').status).toBe('failed');
    expect(step('discovery').error).toMatchObject({
      party: 'bank-op',
      status: 0,
      error: 'temporarily_unavailable',
    });
    expect(step('discovery').error?.error_description).toMatch(/ECONNREFUSED/);
    expect(step('register').status).toBe('skipped');
    expect(view.status).toBe('failed');
    // The view is kept: reloading the page shows the same run.
    const again = await sandbox.browser.api('/onboarding');
    expect((again.body as OnboardingView).interactionId).toBe(view.interactionId);
  });

  it('records the SSA fetch in its trace with the SSA decoded but not readable whole', async () => {
    const trace = (await sandbox.browser.api('/onboarding/trace')).body as ConnectionTrace;
    const ssa = trace.entries.find((e) => e.title === 'Fetch the software statement (SSA)')!;
    expect(ssa.jwts[0]?.claims.software_id).toBe(sandbox.config.participants.demo.softwareId);
    expect(String(ssa.responseBody)).toMatch(/^eyJ[A-Za-z0-9_-]{5}…$/);
  });

  it('has no TPP-wide /trace: a customer’s events are read through their own connection', async () => {
    const response = await sandbox.browser.request(`${sandbox.config.tpp.web.origin}/trace`);
    expect(response.status).toBe(404);
    expect((response.body as ApiError).error_description).toMatch(/api\/connections\/<id>\/trace/);
  });

  it('shows each directory read in the onboarding timeline, paired with the directory’s own record of it', async () => {
    const trace = (await sandbox.browser.api('/onboarding/trace')).body as ConnectionTrace;
    const reads = trace.entries.filter((e) => e.to === 'directory');
    expect(reads.map((e) => [e.title, e.method, new URL(e.url!).pathname, e.status])).toEqual([
      [
        'Fetch the software statement (SSA)',
        'GET',
        `/organisations/${sandbox.config.participants.demo.orgId}/software-statements/${sandbox.config.participants.demo.softwareId}/ssa`,
        200,
      ],
      ['Fetch the directory’s signing keys', 'GET', '/.well-known/jwks.json', 200],
      ['Find the bank in the directory', 'GET', '/participants', 200],
    ]);
    // The directory files the SSA fetch under Moneywise (its transport certificate) and hands it back to
    // Moneywise's trace reader; the anonymous public reads are no participant's, so only the TPP reports them.
    expect(reads.map((read) => read.reportedBy)).toEqual([['tpp', 'directory'], ['tpp'], ['tpp']]);
    for (const read of reads) {
      expect(read.requestHeaders?.['x-fapi-interaction-id']).toBe(trace.interactionId);
    }
    // The SSA fetch went over mutual TLS: the directory saw Moneywise's transport certificate.
    expect(reads[0]!.certificate?.subject).toMatch(sandbox.config.participants.demo.softwareId);
  });

  it('refuses an unknown profile with a clear error', async () => {
    const response = await sandbox.browser.api('/connections', {
      json: { profile: 'fapi3', clientAuth: 'private_key_jwt' },
    });
    expect(response.status).toBe(400);
    expect(response.body as ApiError).toMatchObject({ error: 'invalid_request' });
    expect((response.body as ApiError).error_description).toMatch(/profile must be/);
  });

  it('refuses malformed JSON with invalid_request, not a 500', async () => {
    const response = await sandbox.browser.request(`${sandbox.config.tpp.web.origin}/api/connections`, {
      method: 'POST',
      form: { a: 'b' },
    });
    expect(response.status).toBe(400);
    expect((response.body as ApiError).error).toBe('invalid_request');
  });

  it('answers 404 for a connection that is not in this session', async () => {
    const response = await sandbox.browser.api('/connections/00000000-0000-4000-8000-000000000000');
    expect(response.status).toBe(404);
    expect((response.body as ApiError).error).toBe('not_found');
  });

  it('reports a connection attempt to an unreachable bank as an error from the bank, and keeps the failed connection', async () => {
    const response = await sandbox.browser.api('/connections', {
      json: { profile: 'fapi2-dpop', clientAuth: 'private_key_jwt' },
    });
    expect(response.status).toBe(502);
    expect(response.body as ApiError).toMatchObject({ party: 'bank-op', error: 'temporarily_unavailable' });
    const list = (await sandbox.browser.api('/connections')).body as {
      connections: { status: string; error?: ApiError }[];
    };
    expect(list.connections[0]).toMatchObject({ status: 'failed', error: { party: 'bank-op' } });
  });

  it('discards a callback whose state it never issued', async () => {
    const response = await sandbox.browser.request(
      `${sandbox.config.tpp.web.origin}/callback?code=abc&state=forged&iss=${encodeURIComponent(sandbox.config.bankOp.issuer)}`,
    );
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!, sandbox.config.tpp.web.origin);
    expect(location.pathname).toBe('/');
    expect(location.searchParams.get('error')).toBe('invalid_state');
  });

  // Last: it stops the directory.
  it('reports an unreachable directory as the failed SSA step, and records the attempt in the trace', async () => {
    const [directory] = sandbox.parties.splice(0, 1);
    await directory!.stop();
    const view = (await sandbox.browser.api('/onboarding', { method: 'POST' })).body as OnboardingView;
    const ssa = view.steps.find((s) => s.id === 'ssa')!;
    expect(ssa.status).toBe('failed');
    expect(ssa.error).toMatchObject({ party: 'directory', status: 0, error: 'temporarily_unavailable' });
    expect(ssa.error?.error_description).toMatch(
      /GET https:\/\/mtls\.directory\.localhost:\d+\/organisations\/.+\/ssa failed before any answer \(ECONNREFUSED/,
    );
    expect(view.steps.filter((s) => s.status === 'skipped').map((s) => s.id)).toEqual([
      'ssa-verify',
      'participants',
      'discovery',
      'register',
    ]);
    const trace = (await sandbox.browser.api('/onboarding/trace')).body as ConnectionTrace;
    const attempt = trace.entries.find((e) => e.title === 'Fetch the software statement (SSA)')!;
    expect(attempt.status).toBeUndefined();
    expect(attempt.checks).toEqual([
      expect.objectContaining({
        name: 'The party answered',
        passed: false,
        detail: expect.stringMatching(/ECONNREFUSED/),
      }),
    ]);
    expect(trace.unavailable.map((u) => u.party)).toContain('directory');
  });
});
