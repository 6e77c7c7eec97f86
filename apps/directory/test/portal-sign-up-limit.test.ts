// The developer portal's sign-up is rate limited per client address (RFC 6585 §4), by its API and by its
// page alike, refused attempts (a wrong invite code) counted: the 429 is an OAuth-style error with
// Retry-After, and no portal session starts.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oauthError, startTestDirectory, type TestDirectory } from './helpers.js';

let t: TestDirectory;
beforeAll(async () => {
  t = await startTestDirectory(undefined, { signUpLimit: { attempts: 3, windowMs: 60_000 } });
});
afterAll(() => t?.close());

const inviteCode = () => fs.readFileSync(t.config.directory.inviteCodeFile, 'utf8').trim();

const signUpByApi = (body: Record<string, string>) =>
  t.call('/portal/sign-up', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const signUpByPage = (orgName: string) =>
  t.call('/portal/forms/sign-up', {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: t.config.directory.web.origin },
    body: new URLSearchParams({ inviteCode: inviteCode(), orgName }).toString(),
  });

describe('the developer portal’s sign-up limit', () => {
  it('answers 429 too_many_requests with Retry-After once an address used its attempts, by API or page', async () => {
    expect((await signUpByApi({ inviteCode: 'fapi-GUES-SING', orgName: 'Guesser Ltd' })).status).toBe(403);
    expect((await signUpByApi({ inviteCode: inviteCode(), orgName: 'First Ltd' })).status).toBe(201);
    expect((await signUpByPage('Second Ltd')).status).toBe(303);

    const refused = await signUpByApi({ inviteCode: inviteCode(), orgName: 'Fourth Ltd' });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = await oauthError(refused);
    expect(body.error).toBe('too_many_requests');
    expect(body.error_description).toMatch(
      /tried to sign up 3 times in 1 minutes.*RFC 6585 section 4.*Fix: wait \d+ s \(Retry-After\)/,
    );

    const page = await signUpByPage('Fifth Ltd');
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(page.headers.get('set-cookie')).toBeNull();
  });
});
