import { describe, expect, it } from 'vitest';
import {
  composeDescription,
  expressErrorHandler,
  isExpectedRefusal,
  OAuthError,
  oauthSafeText,
  refusalLogLine,
  toErrorResponse,
} from '../src/errors.js';

describe('OAuthError', () => {
  it('composes the description a learner reads: problem, clause, fix; on the wire in the RFC 6749 §5.2 charset', () => {
    const err = new OAuthError({
      status: 400,
      error: 'invalid_request',
      description: 'PKCE code_challenge is missing.',
      clause: 'FAPI 2.0 SP §5.3.2.2-5',
      fix: 'send code_challenge and code_challenge_method=S256',
    });
    expect(err.message).toContain('(FAPI 2.0 SP §5.3.2.2-5)');
    expect(err.toJSON()).toEqual({
      error: 'invalid_request',
      error_description:
        'PKCE code_challenge is missing (FAPI 2.0 SP section 5.3.2.2-5). Fix: send code_challenge and code_challenge_method=S256.',
    });
  });

  it('omits the parts it was not given', () => {
    expect(composeDescription({ description: 'Unknown organisation' })).toBe('Unknown organisation.');
    expect(composeDescription({ description: 'x', fix: 'y.' })).toBe('x. Fix: y.');
  });
});

describe('toErrorResponse', () => {
  it('keeps the status and headers of an OAuthError', () => {
    const err = new OAuthError({
      status: 401,
      error: 'use_dpop_nonce',
      description: 'A server nonce is required',
      headers: { 'DPoP-Nonce': 'abc' },
    });
    const response = toErrorResponse(err);
    expect(response.status).toBe(401);
    expect(response.headers).toEqual({ 'DPoP-Nonce': 'abc' });
    expect(response.body.error).toBe('use_dpop_nonce');
  });

  it.each([
    ['entity.too.large', 413, 'larger than this endpoint accepts'],
    ['entity.parse.failed', 400, 'not valid JSON'],
    ['encoding.unsupported', 415, 'unsupported charset or encoding'],
  ])('turns a body-parser %s error into a 4xx OAuth error', (type, status, text) => {
    const response = toErrorResponse({ type, status, expose: true, message: 'raw' });
    expect(response.status).toBe(status);
    expect(response.body.error).toBe('invalid_request');
    expect(response.body.error_description).toContain(text);
  });

  it('answers an unexpected error with a 500 that leaks nothing', () => {
    const response = toErrorResponse(new Error('SQLITE_CONSTRAINT at /secret/path'));
    expect(response.status).toBe(500);
    expect(response.body.error).toBe('server_error');
    expect(response.body.error_description).not.toContain('secret');
  });
});

describe('expressErrorHandler', () => {
  function fakeResponse() {
    const sent: { status?: number; headers?: Record<string, string>; body?: unknown } = {};
    const res = {
      headersSent: false,
      status(code: number) {
        sent.status = code;
        return res;
      },
      set(headers: Record<string, string>) {
        sent.headers = headers;
        return res;
      },
      json(body: unknown) {
        sent.body = body;
        return res;
      },
    };
    return { res, sent };
  }

  it('writes the OAuth body with Cache-Control: no-store', () => {
    const { res, sent } = fakeResponse();
    expressErrorHandler()(
      new OAuthError({ status: 403, error: 'access_denied', description: 'no' }),
      {},
      res,
      () => {},
    );
    expect(sent.status).toBe(403);
    expect(sent.headers).toMatchObject({ 'Cache-Control': 'no-store' });
    expect(sent.body).toEqual({ error: 'access_denied', error_description: 'no.' });
  });

  it('logs unexpected errors and hands over when headers were already sent', () => {
    const logged: unknown[] = [];
    const { res } = fakeResponse();
    expressErrorHandler((e) => logged.push(e))(new Error('boom'), {}, res, () => {});
    expect(logged).toHaveLength(1);

    let passedOn: unknown;
    expressErrorHandler()(new Error('late'), {}, { ...res, headersSent: true }, (e) => {
      passedOn = e;
    });
    expect((passedOn as Error).message).toBe('late');
  });
});

describe('refusal logging', () => {
  const res = {
    headersSent: false,
    status: () => res,
    set: () => res,
    json: () => res,
  };

  it('logs an expected refusal as one line with method, path (no query), status and description, and no stack', () => {
    const failures: unknown[] = [];
    const lines: string[] = [];
    const handler = expressErrorHandler(
      (e) => failures.push(e),
      (line) => lines.push(line),
    );
    handler(
      new OAuthError({
        status: 401,
        error: 'invalid_client',
        description: 'unknown client',
        fix: 'register first',
      }),
      { method: 'POST', originalUrl: '/par?client_id=abc' },
      res,
      () => {},
    );
    // A 502 that relays another party's refusal (the TPP's PartyError) is expected too.
    handler(
      new OAuthError({ status: 502, error: 'invalid_grant', description: 'the bank refused' }),
      { method: 'POST', originalUrl: '/api/connect' },
      res,
      () => {},
    );
    expect(failures).toEqual([]);
    expect(lines).toEqual([
      'refused POST /par: 401 invalid_client: unknown client. Fix: register first.',
      'refused POST /api/connect: 502 invalid_grant: the bank refused.',
    ]);
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('hands an unexpected error (a plain Error, 500) to the failure log with its stack, not the refusal log', () => {
    const failures: unknown[] = [];
    const lines: string[] = [];
    expressErrorHandler(
      (e) => failures.push(e),
      (line) => lines.push(line),
    )(new Error('boom'), { method: 'GET', originalUrl: '/x' }, res, () => {});
    expect(failures).toHaveLength(1);
    expect((failures[0] as Error).stack).toContain('boom');
    expect(lines).toEqual([]);
  });

  it('keeps the refusal line in one line for a refusal from body parsing (4xx, not an OAuthError)', () => {
    expect(
      refusalLogLine({ method: 'POST', url: '/token' }, 400, {
        error: 'invalid_request',
        error_description: 'The request body is not valid JSON',
      }),
    ).toBe('refused POST /token: 400 invalid_request: The request body is not valid JSON');
    expect(isExpectedRefusal({ status: 413, expose: true }, 413)).toBe(true);
    expect(isExpectedRefusal(new Error('x'), 500)).toBe(false);
  });
});

describe('oauthSafeText', () => {
  it('keeps an error description in the RFC 6749 §5.2 character set: printable ASCII without quotes or backslashes', () => {
    const safe = oauthSafeText('Proof “too old” (RFC 9449 §11.1) — retry… ≈ 60 s \\ now');
    expect(safe).toBe("Proof 'too old' (RFC 9449 section 11.1) - retry... ~ 60 s / now");
    expect(safe).toMatch(/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/);
  });
});
