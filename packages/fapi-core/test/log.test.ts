// The parties' log lines: one JSON object per event with the party and the request's interaction id,
// and never a credential, wherever the client put it (RFC 6750 §5.3).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { expressErrorHandler, OAuthError } from '../src/errors.js';
import { createLogger, type Logger, redactLogObject, requestLogger } from '../src/log.js';
import { captureLogs } from '../src/log-capture.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A server whose every request goes through the request logger, then refuses with an OAuth error. */
async function refusingServer(log: Logger): Promise<string> {
  const logRequest = requestLogger(log);
  const handleError = expressErrorHandler(log);
  const server = http.createServer((req, res) => {
    logRequest(req, res, () => {
      const reply = Object.assign(res, {
        status: (code: number) => {
          res.statusCode = code;
          return reply;
        },
        set: (headers: Record<string, string>) => {
          for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
          return reply;
        },
        json: (body: unknown) => res.end(JSON.stringify(body)),
      });
      handleError(
        new OAuthError({
          status: 401,
          error: 'invalid_token',
          description: 'the access token has expired',
          clause: 'RFC 6750 §3.1',
          fix: 'get a new one',
        }),
        req,
        reply,
        () => {},
      );
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const BEARER = 'eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJjdXN0b21lci0xIn0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';
const DPOP = 'eyJ0eXAiOiJkcG9wK2p3dCJ9.eyJodG0iOiJHRVQifQ.ZHBvcC1wcm9vZi1zaWduYXR1cmU';
const CODE = 'Xy7_authorization-code-that-must-stay-secret';

describe('party logs', () => {
  it('writes one JSON line per request with party, method, path, status, duration and interactionId', async () => {
    const captured = captureLogs();
    const log = captured.logOf('bank-api');
    const origin = await refusingServer(log);
    const interactionId = randomUUID();
    await fetch(`${origin}/open-banking/v3.1/aisp/accounts`, {
      headers: { 'x-fapi-interaction-id': interactionId },
    });

    const lines = captured.text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const [refusal, request] = lines.map((line) => JSON.parse(line));
    expect(refusal).toMatchObject({
      party: 'bank-api',
      interactionId,
      level: 40,
      msg: 'refused GET /open-banking/v3.1/aisp/accounts: 401 invalid_token: the access token has expired (RFC 6750 section 3.1). Fix: get a new one.',
      error: 'invalid_token',
      clause: 'RFC 6750 §3.1',
    });
    expect(request).toMatchObject({
      party: 'bank-api',
      interactionId,
      level: 30,
      method: 'GET',
      path: '/open-banking/v3.1/aisp/accounts',
      status: 401,
      msg: expect.stringMatching(/^GET \/open-banking\/v3\.1\/aisp\/accounts 401 \d+ ms$/),
    });
    expect(request.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps a bearer token, a DPoP proof, a cookie and a code in the query out of every line', async () => {
    const captured = captureLogs();
    const log = captured.logOf('bank-op');
    const origin = await refusingServer(log);
    await fetch(`${origin}/callback?code=${CODE}&state=s1&access_token=${BEARER}`, {
      headers: { authorization: `DPoP ${BEARER}`, dpop: DPOP, cookie: `session=${CODE}` },
    });
    // And a line that tries to log them as fields, the way a careless handler would.
    log.info(
      {
        headers: { authorization: `Bearer ${BEARER}`, dpop: DPOP },
        body: { code: CODE, client_assertion: BEARER },
      },
      'a careless line',
    );

    const raw = captured.text();
    expect(raw.trimEnd().split('\n')).toHaveLength(3);
    for (const secret of [BEARER, DPOP, CODE, BEARER.split('.')[2]!, DPOP.split('.')[2]!]) {
      expect(raw).not.toContain(secret);
    }
    expect(raw).toContain('"path":"/callback"');
    expect(raw).toContain('"authorization":"[redacted]"');
  });

  it('writes the line at error when the client goes away before the answer', async () => {
    const captured = captureLogs();
    const logRequest = requestLogger(captured.logOf('bank-api'));
    const server = http.createServer((req, res) => logRequest(req, res, () => {}));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const aborted = new AbortController();
    const call = fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slow?code=${CODE}`, {
      signal: aborted.signal,
    }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    aborted.abort();
    await call;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(captured.lines).toHaveLength(1);
    expect(captured.lines[0]).toMatchObject({
      level: 50,
      path: '/slow',
      msg: expect.stringMatching(/^GET \/slow aborted \d+ ms$/),
    });
    expect(captured.text()).not.toContain(CODE);
  });

  it('censors a credential name two levels down and in child bindings, leaving the logged object itself unchanged', () => {
    const captured = captureLogs();
    const log = captured.logOf('bank-api');
    const logged = {
      client_assertion: BEARER,
      'set-cookie': `session=${CODE}`,
      call: {
        headers: { authorization: `Bearer ${BEARER}`, accept: 'application/json' },
        body: { refresh_token: CODE },
      },
      calls: [{ dpop: DPOP }, { access_token: BEARER }],
    };
    log.info(logged, 'a nested line');
    log
      .child({ client: { client_assertion: BEARER } })
      .child({ step: 'grandchild' })
      .info('a child line');
    const failure = Object.assign(new Error('the directory did not answer'), { cookie: `session=${CODE}` });
    log.error({ err: failure }, 'a failure');

    type Line = {
      client_assertion: string;
      'set-cookie': string;
      call: { headers: Record<string, string>; body: Record<string, string> };
      calls: unknown[];
      client: unknown;
      err: { stack: string };
    };
    const [nested, child, error] = captured.lines as unknown as Line[];
    expect(nested!.client_assertion).toBe('[redacted]');
    expect(nested!['set-cookie']).toBe('[redacted]');
    expect(nested!.call.headers).toEqual({ authorization: '[redacted]', accept: 'application/json' });
    expect(nested!.call.body).toEqual({ refresh_token: '[redacted]' });
    expect(nested!.calls).toEqual([{ dpop: '[redacted]' }, { access_token: '[redacted]' }]);
    expect(child!.client).toEqual({ client_assertion: '[redacted]' });
    // An error keeps its type, message and stack; only its credential field is censored.
    expect(error!.err).toMatchObject({
      type: 'Error',
      message: 'the directory did not answer',
      cookie: '[redacted]',
    });
    expect(error!.err.stack).toContain('the directory did not answer');
    for (const secret of [BEARER, DPOP, CODE]) expect(captured.text()).not.toContain(secret);
    // The handler's own objects still hold what it logged.
    expect(logged.call.headers.authorization).toBe(`Bearer ${BEARER}`);
    expect(logged.calls[0]).toEqual({ dpop: DPOP });
    expect(failure.cookie).toBe(`session=${CODE}`);
  });

  it('hands back a line without credentials as it is, and a censored error still as an Error', () => {
    const plain = { method: 'POST', path: '/token', status: 200, nested: { a: [1, 2] } };
    expect(redactLogObject(plain)).toBe(plain);
    const censored = redactLogObject({ err: Object.assign(new Error('x'), { token: 'T' }) }) as {
      err: Error & { token: string };
    };
    expect(censored.err).toBeInstanceOf(Error);
    expect(censored.err.token).toBe('[redacted]');
  });

  it('leaves the interactionId out when the request belongs to no flow, and ignores one that is no UUID', async () => {
    const captured = captureLogs();
    const log = captured.logOf('directory');
    const origin = await refusingServer(log);
    await fetch(`${origin}/x`, { headers: { 'x-fapi-interaction-id': 'not-a-uuid' } });
    for (const line of captured.lines) expect(line).not.toHaveProperty('interactionId');
  });

  it('writes nothing at LOG_LEVEL=silent, as the tests run', () => {
    let written = '';
    const log = createLogger('tpp', {
      level: 'silent',
      destination: {
        write(chunk: string) {
          written += chunk;
        },
      },
    });
    log.error('nobody sees this');
    expect(written).toBe('');
    expect(process.env.LOG_LEVEL).toBe('silent');
    expect(createLogger('tpp').level).toBe('silent');
  });

  it('refuses a LOG_LEVEL that is no level, naming the ones there are', () => {
    expect(() => createLogger('tpp', { level: 'loud' })).toThrow(
      /LOG_LEVEL=loud is not a level: use one of fatal, error/,
    );
  });
});
