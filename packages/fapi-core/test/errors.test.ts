import { describe, expect, it } from 'vitest';
import {
  composeDescription,
  expressErrorHandler,
  isExpectedRefusal,
  OAuthError,
  oauthSafeText,
  toErrorResponse,
} from '../src/errors.js';
import { refusalMessage } from '../src/log.js';
import { captureLogs } from '../src/log-capture.js';

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
    expressErrorHandler(captureLogs().logOf('test'))(
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
    const captured = captureLogs();
    const log = captured.logOf('test');
    const { res } = fakeResponse();
    expressErrorHandler(log)(new Error('boom'), {}, res, () => {});
    expect(captured.lines).toHaveLength(1);

    let passedOn: unknown;
    expressErrorHandler(log)(new Error('late'), {}, { ...res, headersSent: true }, (e) => {
      passedOn = e;
    });
    expect((passedOn as Error).message).toBe('late');
    expect(captured.lines).toHaveLength(1);
  });
});

describe('refusal logging', () => {
  const res = {
    headersSent: false,
    status: () => res,
    set: () => res,
    json: () => res,
  };

  it("logs an expected refusal as one warn line: the learner's sentence as msg, error, status and clause as fields, no stack", () => {
    const captured = captureLogs();
    const log = captured.logOf('bank-op');
    const handler = expressErrorHandler(log);
    handler(
      new OAuthError({
        status: 401,
        error: 'invalid_client',
        description: 'unknown client',
        clause: 'RFC 7523 §3',
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
    const lines = captured.lines;
    expect(lines.map((l) => l.msg)).toEqual([
      'refused POST /par: 401 invalid_client: unknown client (RFC 7523 section 3). Fix: register first.',
      'refused POST /api/connect: 502 invalid_grant: the bank refused.',
    ]);
    expect(lines[0]).toMatchObject({
      party: 'bank-op',
      level: 40,
      method: 'POST',
      path: '/par',
      status: 401,
      error: 'invalid_client',
      clause: 'RFC 7523 §3',
    });
    expect(captured.text()).not.toContain('client_id=abc');
    expect(captured.text()).not.toMatch(/\\n\s+at /);
  });

  it('logs an unexpected error (a plain Error, 500) at error with its stack, not as a refusal', () => {
    const captured = captureLogs();
    const log = captured.logOf('tpp');
    expressErrorHandler(log)(new Error('boom'), { method: 'GET', originalUrl: '/x' }, res, () => {});
    const [line] = captured.lines;
    expect(line).toMatchObject({ level: 50, msg: 'failed GET /x: boom', status: 500 });
    expect((line?.err as { stack?: string } | undefined)?.stack).toContain('boom');
  });

  it('keeps the refusal in one line for a refusal from body parsing (4xx, not an OAuthError)', () => {
    expect(
      refusalMessage(
        { method: 'POST', url: '/token' },
        { status: 400, error: 'invalid_request', error_description: 'The request body is not valid JSON' },
      ),
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
