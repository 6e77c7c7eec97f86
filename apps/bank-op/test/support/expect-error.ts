// Assertions on refusals: the right status and OAuth error code, and an error_description that names the
// clause and the fix in the characters RFC 6749 §5.2 allows.
import { expect } from 'vitest';
import type { JsonResponse } from './tpp.js';

/** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E. */
export const OAUTH_DESCRIPTION_CHARSET = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

export function expectOAuthError(
  response: JsonResponse,
  expected: { status: number | number[]; error: string | string[]; clause?: RegExp; mentions?: RegExp },
): string {
  const statuses = Array.isArray(expected.status) ? expected.status : [expected.status];
  const errors = Array.isArray(expected.error) ? expected.error : [expected.error];
  const body = JSON.stringify(response.body);
  expect(statuses, body).toContain(response.status);
  expect(errors, body).toContain(response.body.error);
  const description = String(response.body.error_description ?? '');
  expect(description, body).toMatch(OAUTH_DESCRIPTION_CHARSET);
  if (expected.clause) {
    expect(description, body).toMatch(expected.clause);
    expect(description, body).toContain('Fix: ');
  }
  if (expected.mentions) expect(description, body).toMatch(expected.mentions);
  return description;
}

/** The same checks on an error returned in a redirect (query or fragment). */
export function expectRedirectError(
  params: URLSearchParams,
  expected: { error: string | string[]; clause?: RegExp; issuer?: string },
): string {
  const errors = Array.isArray(expected.error) ? expected.error : [expected.error];
  const all = JSON.stringify(Object.fromEntries(params));
  expect(errors, all).toContain(params.get('error'));
  expect(params.get('code'), all).toBeNull();
  const description = params.get('error_description') ?? '';
  expect(description, all).toMatch(OAUTH_DESCRIPTION_CHARSET);
  if (expected.clause) {
    expect(description, all).toMatch(expected.clause);
    expect(description, all).toContain('Fix: ');
  }
  if (expected.issuer) expect(params.get('iss'), all).toBe(expected.issuer);
  return description;
}
