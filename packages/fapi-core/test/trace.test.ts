import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sandboxConfig } from '../src/config.js';
import { OAuthError } from '../src/errors.js';
import type { PeerCertificate } from '../src/peer-certificate.js';
import { MAX_BODY_CHARS } from '../src/redact.js';
import {
  decodeJwtsIn,
  handleTraceQuery,
  type JwtForDisplay,
  jwtsForDisplay,
  redactBody,
  redactHeaders,
  redactUrl,
  type TraceEventInput,
  TraceRecorder,
  traceReaderOf,
} from '../src/trace.js';
import { decodedJwts } from '../src/trace-jwts.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${b64({ alg: 'PS256', typ: 'dpop+jwt' })}.${b64({ htm: 'POST', htu: 'https://bank.localhost/token' })}.c2ln`;
const ACCESS_TOKEN = `${b64({ alg: 'PS256', typ: 'at+jwt' })}.${b64({ sub: 'alice', cnf: { jkt: 'abc' } })}.c2ln`;

const UUID_X = '3f0c2a5e-6b1d-4c1e-9a6f-2d7e8b9c0a1b';
const UUID_Y = '9d1b7c3e-0f2a-4b5c-8d6e-7f8a9b0c1d2e';

function input(extra: Partial<TraceEventInput> = {}): TraceEventInput {
  return { interactionId: 'i-1', party: 'tpp', direction: 'outbound', channel: 'back', ...extra };
}

describe('TraceRecorder', () => {
  it('fills id and time, and defaults jwts and checks to empty lists', () => {
    const recorder = new TraceRecorder({ now: () => new Date('2025-06-01T12:00:00Z') });
    const event = recorder.record(input({ step: 'Pushed authorization request' }));
    expect(event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.at).toBe('2025-06-01T12:00:00.000Z');
    expect(event.jwts).toEqual([]);
    expect(event.checks).toEqual([]);
    expect(recorder.list()).toEqual([event]);
  });

  it('keeps only the most recent events up to its capacity, in order', () => {
    const recorder = new TraceRecorder({ capacity: 3 });
    for (let i = 1; i <= 5; i++) recorder.record(input({ step: `step ${i}` }));
    expect(recorder.size).toBe(3);
    expect(recorder.list().map((e) => e.step)).toEqual(['step 3', 'step 4', 'step 5']);
    recorder.clear();
    expect(recorder.list()).toEqual([]);
    expect(() => new TraceRecorder({ capacity: 0 })).toThrow(RangeError);
  });

  it('keeps no more events than its byte bound allows, dropping the oldest first; the newest always stays', () => {
    const body = (n: number) => ({ n, text: 'x'.repeat(1000) });
    const one = JSON.stringify(
      new TraceRecorder().record(input({ step: 'step 0', responseBody: body(0) })),
    ).length;
    const recorder = new TraceRecorder({ maxBytes: one * 3 + one / 2 });
    for (let i = 1; i <= 6; i++) recorder.record(input({ step: `step ${i}`, responseBody: body(i) }));
    expect(recorder.list().map((e) => e.step)).toEqual(['step 4', 'step 5', 'step 6']);
    expect(recorder.bytes).toBeLessThanOrEqual(recorder.maxBytes);
    expect(recorder.bytes).toBeGreaterThan(one * 2);
    // An event larger than the whole bound replaces everything, rather than be lost itself.
    recorder.record(input({ step: 'huge', responseBody: 'y'.repeat(one * 4) }));
    expect(recorder.list().map((e) => e.step)).toEqual(['huge']);
    expect(recorder.size).toBe(1);
    recorder.clear();
    expect(recorder.bytes).toBe(0);
    expect(() => new TraceRecorder({ maxBytes: 0 })).toThrow(RangeError);
  });

  it('evicts by count and bytes alike over many events, keeping the latest in order', () => {
    const recorder = new TraceRecorder({ capacity: 3000, maxBytes: 400_000 });
    for (let i = 0; i < 5000; i++) recorder.record(input({ step: `step ${i}`, responseBody: { i } }));
    const steps = recorder.list().map((e) => e.step);
    expect(steps.at(-1)).toBe('step 4999');
    expect(steps).toEqual(Array.from({ length: steps.length }, (_, k) => `step ${5000 - steps.length + k}`));
    expect(recorder.bytes).toBeLessThanOrEqual(400_000);
  });

  it('shows JWTs noted for later decoding exactly as JWTs decoded when recorded', () => {
    const recorder = new TraceRecorder();
    const message = {
      url: 'https://api.bank.localhost/accounts',
      requestHeaders: { authorization: `DPoP ${ACCESS_TOKEN}`, dpop: JWT },
      responseBody: { id_token: ACCESS_TOKEN, note: 'no JWT here' },
    };
    const noted = [...jwtsForDisplay(JWT, 'DPoP header'), ...jwtsForDisplay(ACCESS_TOKEN, 'access token')];
    noted[0]!.verified = true;
    const decoded = [...decodeJwtsIn(JWT, 'DPoP header'), ...decodeJwtsIn(ACCESS_TOKEN, 'access token')];
    decoded[0]!.verified = true;
    const lazy = recorder.record(input({ ...message, jwts: noted }));
    const eager = recorder.record(input({ ...message, jwts: decoded }));
    const [readLazy, readEager] = recorder.list();
    expect(readLazy!.jwts).toEqual(readEager!.jwts);
    expect(lazy.jwts).toEqual(eager.jwts);
    // The party's own entries first, with their names and verdicts; the same JWTs found again in the
    // headers and body are not repeated.
    expect(readLazy!.jwts).toEqual([
      {
        where: 'DPoP header',
        header: { alg: 'PS256', typ: 'dpop+jwt' },
        claims: { htm: 'POST', htu: 'https://bank.localhost/token' },
        verified: true,
      },
      {
        where: 'access token',
        header: { alg: 'PS256', typ: 'at+jwt' },
        claims: { sub: 'alice', cnf: { jkt: 'abc' } },
      },
    ]);
    // Found only in the message: listed under where it was found.
    const other = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ iss: 'someone' })}.c2ln`;
    const found = recorder.record(input({ responseBody: { id_token: other }, jwts: noted }));
    expect(found.jwts.map((jwt) => jwt.where)).toEqual(['DPoP header', 'access token', 'ID token']);
    // A noted string that does not decode is left out, as decodeJwtsIn leaves it out.
    expect(recorder.record(input({ jwts: jwtsForDisplay('eyJnotjson.eyJalso.sig', 'x') })).jwts).toEqual([]);
    expect(JSON.stringify(recorder.list())).not.toContain(ACCESS_TOKEN);
  });

  it('shows every body a reader reads back exactly as the redaction gives it, though it keeps bodies as text', () => {
    const account = (id: string) => ({ AccountId: id, Currency: 'GBP', Account: [{ Name: 'Alice' }] });
    const nested = (depth: number): unknown => (depth === 0 ? { leaf: true } : { next: nested(depth - 1) });
    const bodies: [string, unknown][] = [
      ['an API answer', { Data: { Account: [account('a1'), account('a2')] }, Links: {}, Meta: {} }],
      ['an array', [1, 'two', { three: null }]],
      ['a credential deep inside', { Data: { list: [{ note: 'x', refresh_token: 'refresh-token-value' }] } }],
      ['a JWT under a credential name', { id_token: ACCESS_TOKEN, note: '"code": in a string value' }],
      [
        'a JWK with its private member',
        { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'private-member-d' }] },
      ],
      ['exactly as deep as kept', nested(31)],
      ['deeper than kept', nested(40)],
      ['too long', { text: 'x'.repeat(MAX_BODY_CHARS) }],
      ['text', 'grant_type=authorization_code&code=abcdefghijkl'],
      ['a number', 42],
    ];
    const recorder = new TraceRecorder();
    for (const [name, body] of bodies) {
      const expected = redactBody(body);
      const recorded = recorder.record(input({ step: name, requestBody: body, responseBody: body }));
      const [read] = recorder.list({ limit: 1 });
      expect({ name, request: read!.requestBody, response: read!.responseBody }).toEqual({
        name,
        request: expected,
        response: expected,
      });
      expect(recorded.responseBody).toEqual(expected);
    }
    const all = JSON.stringify(recorder.list());
    for (const secret of ['refresh-token-value', 'private-member-d', ACCESS_TOKEN]) {
      expect({ secret, kept: all.includes(secret) }).toEqual({ secret, kept: false });
    }
  });

  it('keeps a body as it was when recorded: the caller changing its object afterwards changes nothing', () => {
    const recorder = new TraceRecorder();
    const body = { Data: { Status: 'Authorised' } };
    recorder.record(input({ responseBody: body }));
    body.Data.Status = 'Revoked';
    expect(recorder.list()[0]!.responseBody).toEqual({ Data: { Status: 'Authorised' } });
  });

  it('filters by interaction id, connection id, time and limit', () => {
    let now = Date.parse('2025-06-01T12:00:00Z');
    const recorder = new TraceRecorder({ now: () => new Date(now) });
    recorder.record(input({ interactionId: 'a', connectionId: 'c1', step: 'one' }));
    now += 1000;
    recorder.record(input({ interactionId: 'b', connectionId: 'c1', step: 'two' }));
    now += 1000;
    recorder.record(input({ interactionId: 'a', connectionId: 'c2', step: 'three' }));
    expect(recorder.list({ interactionId: 'a' }).map((e) => e.step)).toEqual(['one', 'three']);
    expect(recorder.list({ connectionId: 'c1' }).map((e) => e.step)).toEqual(['one', 'two']);
    expect(recorder.list({ since: '2025-06-01T12:00:00.500Z' }).map((e) => e.step)).toEqual(['two', 'three']);
    expect(recorder.list({ limit: 1 }).map((e) => e.step)).toEqual(['three']);
  });

  it("refiles one participant's events of a flow under another id, and nobody else's", () => {
    const trace = new TraceRecorder();
    trace.record(input({ interactionId: 'made-up', participant: 'acme', step: 'authorize' }));
    trace.record(input({ interactionId: 'made-up', participant: 'other', step: 'not acme' }));
    trace.record(input({ interactionId: 'made-up', participant: 'acme', step: 'redirect back' }));
    trace.record(input({ interactionId: 'client-id', participant: 'acme', step: 'token' }));
    expect(trace.refile('made-up', 'client-id', 'acme')).toBe(2);
    expect(trace.list({ interactionId: 'client-id' }).map((event) => event.step)).toEqual([
      'authorize',
      'redirect back',
      'token',
    ]);
    expect(trace.list({ interactionId: 'made-up' }).map((event) => event.step)).toEqual(['not acme']);
    expect(trace.refile('unknown', 'client-id', 'acme')).toBe(0);
  });

  it('tells listeners about new events until they unsubscribe; a failing listener changes nothing', () => {
    const recorder = new TraceRecorder();
    const seen: string[] = [];
    recorder.onEvent(() => {
      throw new Error('stream closed');
    });
    const stop = recorder.onEvent((event) => seen.push(event.step ?? ''));
    recorder.record(input({ step: 'first' }));
    stop();
    recorder.record(input({ step: 'second' }));
    expect(seen).toEqual(['first']);
    expect(recorder.size).toBe(2);
  });
});

describe('handleTraceQuery', () => {
  const recorder = new TraceRecorder();
  recorder.record(input({ interactionId: UUID_X, participant: 'software-a', step: 'one' }));
  recorder.record(input({ interactionId: UUID_Y, participant: 'software-a', step: 'two' }));
  recorder.record(input({ interactionId: UUID_X, participant: 'software-b', step: 'theirs' }));
  recorder.record(input({ interactionId: UUID_X, step: 'nobody’s' }));
  const query = (text: string, participant = 'software-a') =>
    handleTraceQuery(recorder, new URLSearchParams(text), participant).map((e) => e.step);

  it('answers with the events of the asking participant only', () => {
    expect(query(`interaction_id=${UUID_X}`)).toEqual(['one']);
    expect(query('limit=1')).toEqual(['two']);
    expect(query('')).toEqual(['one', 'two']);
    expect(query('', 'software-b')).toEqual(['theirs']);
    // An event with no participant (a request without credentials) is nobody's to read.
    expect(query('', 'software-c')).toEqual([]);
  });

  it.each([
    ['limit=99999999999999999999', 'limit'],
    ['limit=0', 'limit'],
    ['limit=1e3', 'limit'],
    ['limit=-1', 'limit'],
    [`limit=${recorder.capacity + 1}`, 'limit'],
    ['since=yesterday', 'since'],
    ['interaction_id[]=1', "'interaction_id[]'"],
    [`interaction_id=${UUID_X}&interaction_id=${UUID_Y}`, 'interaction_id'],
    ['interaction_id=not-a-uuid', 'interaction_id'],
    ['connection_id=%00%01', 'connection_id'],
    ['participant=software-b', "'participant'"],
  ])('refuses %s with 400 invalid_request naming %s and the fix', (text, named) => {
    try {
      query(text);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(OAuthError);
      const error = err as OAuthError;
      expect(error.status).toBe(400);
      expect(error.error).toBe('invalid_request');
      expect(error.errorDescription).toContain(`Trace query parameter ${named}`);
      expect(error.errorDescription).toContain('Fix:');
    }
  });
});

describe('redaction', () => {
  it('keeps the auth scheme and 8 characters of the credential; hides cookies; names in lower case', () => {
    const redacted = redactHeaders({
      Authorization: `DPoP ${ACCESS_TOKEN}`,
      cookie: 'session=secret',
      'set-cookie': ['a=1', 'b=2'],
      'x-fapi-interaction-id': '1e2f',
      'content-length': 42,
      absent: undefined,
    });
    expect(redacted).toEqual({
      authorization: `DPoP ${ACCESS_TOKEN.slice(0, 8)}…`,
      cookie: '[redacted]',
      'set-cookie': '[redacted]',
      'x-fapi-interaction-id': '1e2f',
      'content-length': '42',
    });
    expect(redactHeaders(new Headers({ authorization: 'Bearer abc' }))).toEqual({
      authorization: 'Bearer …',
    });
  });

  it('shortens a credential in any header that carries one: x-api-key, DPoP, custom token headers', () => {
    const jwts: JwtForDisplay[] = [];
    const redacted = redactHeaders(
      { 'X-API-Key': 'sk_live_0123456789abcdef', dpop: JWT, 'x-my-session-token': 'abcdefghijkl' },
      jwts,
    );
    expect(redacted).toEqual({
      'x-api-key': 'sk_live_…',
      dpop: `${JWT.slice(0, 8)}…`,
      'x-my-session-token': 'abcdefgh…',
    });
    expect(decodedJwts(jwts)).toEqual([
      expect.objectContaining({ where: 'DPoP proof', header: { alg: 'PS256', typ: 'dpop+jwt' } }),
    ]);
  });

  it('redacts credentials in a query string and a fragment, absolute or relative, and decodes their JWTs', () => {
    const jwts: JwtForDisplay[] = [];
    const url = redactUrl(
      `https://api.bank.localhost/accounts?access_token=${ACCESS_TOKEN}&page=2#code=abcdefghijkl&state=s1`,
      jwts,
    );
    expect(url).toBe(
      `https://api.bank.localhost/accounts?access_token=${encodeURIComponent(`${ACCESS_TOKEN.slice(0, 8)}…`)}&page=2#code=abcdefgh%E2%80%A6&state=s1`,
    );
    expect(redactUrl('/trace?client_assertion=abcdefghijkl')).toBe(
      '/trace?client_assertion=abcdefgh%E2%80%A6',
    );
    expect(jwts.map((j) => j.where)).toEqual(['access token']);
  });

  it('shortens the code and the JARM response in a redirect’s Location, and decodes the JWT', () => {
    const jwts: JwtForDisplay[] = [];
    const response = `${b64({ alg: 'PS256', kid: 'k1' })}.${b64({ iss: 'https://bank.localhost', code: 'a-code-long-enough-to-use' })}.c2ln`;
    const headers = redactHeaders(
      {
        Location: `https://tpp.localhost/callback?code=a-code-long-enough-to-use&state=s1&response=${response}`,
      },
      jwts,
    );
    const location = new URL(headers.location!);
    expect(location.searchParams.get('code')).toBe('a-code-l…');
    expect(location.searchParams.get('response')).toBe(`${response.slice(0, 8)}…`);
    expect(location.searchParams.get('state')).toBe('s1');
    expect(decodedJwts(jwts)).toEqual([
      expect.objectContaining({
        where: 'authorization response (JARM)',
        claims: expect.objectContaining({ code: 'a-code-long-enough-to-use' }),
      }),
    ]);
  });

  it('redacts secrets in objects (deeply) without touching the original; JWKs lose private members', () => {
    const body = {
      access_token: ACCESS_TOKEN,
      refresh_token: 'refresh-token-value',
      token_type: 'DPoP',
      client: { client_secret: 's3cret', registration_access_token: 'registration-token' },
      users: [{ password: 'hunter2', otp: '123456', name: 'alice' }],
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'private' }] },
      Errors: [{ Code: 'UK.OBIE.Field.Invalid' }],
    };
    expect(redactBody(body)).toEqual({
      access_token: `${ACCESS_TOKEN.slice(0, 8)}…`,
      refresh_token: 'refresh-…',
      token_type: 'DPoP',
      client: { client_secret: '[redacted]', registration_access_token: 'registra…' },
      users: [{ password: '[redacted]', otp: '[redacted]', name: 'alice' }],
      jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }] },
      Errors: [{ Code: 'UK.OBIE.Field.Invalid' }],
    });
    expect(body.users[0]!.password).toBe('hunter2');
  });

  it('redacts JSON text, form-encoded text and a bare JWT', () => {
    expect(JSON.parse(redactBody('{"password":"p","x":1}') as string)).toEqual({
      password: '[redacted]',
      x: 1,
    });
    const form = new URLSearchParams(
      redactBody(
        'grant_type=authorization_code&code=abcdefghijkl&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
      ) as string,
    );
    expect(form.get('code_verifier')).toBe('dBjftJeZ…');
    expect(form.get('code')).toBe('abcdefgh…');
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(redactBody('plain text, not a form')).toBe('plain text, not a form');
    const jwts: JwtForDisplay[] = [];
    expect(redactBody(JWT, jwts)).toBe(`${JWT.slice(0, 8)}…`);
    expect(jwts).toHaveLength(1);
  });

  it('is applied by the recorder itself, so no party can store a credential by forgetting it', () => {
    const recorder = new TraceRecorder();
    const event = recorder.record(
      input({
        url: `https://api.bank.localhost/accounts?access_token=${ACCESS_TOKEN}`,
        requestHeaders: { 'x-api-key': 'sk_live_0123456789abcdef', authorization: `Bearer ${ACCESS_TOKEN}` },
        requestBody: { client_secret: 's3cret' },
      }),
    );
    const stored = JSON.stringify(recorder.list());
    expect(stored).not.toContain(ACCESS_TOKEN);
    expect(stored).not.toContain('sk_live_0123456789abcdef');
    expect(stored).not.toContain('s3cret');
    // The access token is decoded once, though it came twice.
    expect(event.jwts.filter((j) => j.header.typ === 'at+jwt')).toHaveLength(1);
  });

  it('keeps bodies and JWT claims bounded, so a 20,000-deep body cannot break a later read', () => {
    const deep = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`) as unknown;
    const recorder = new TraceRecorder();
    recorder.record(
      input({
        requestBody: deep,
        responseBody: 'x'.repeat(MAX_BODY_CHARS + 10),
        jwts: [{ where: 'x', header: {}, claims: { deep } }],
      }),
    );
    const [event] = recorder.list();
    expect(() => JSON.stringify(recorder.list())).not.toThrow();
    expect(JSON.stringify(event!.requestBody)).toContain('not kept');
    expect(String(event!.responseBody)).toMatch(/…\[10 more characters not kept\]$/);
  });
});

describe('decodeJwtsIn', () => {
  it('finds and decodes compact JWTs in a string, unverified', () => {
    const found = decodeJwtsIn(`DPoP ${JWT}`, 'DPoP header');
    expect(found).toEqual([
      {
        where: 'DPoP header',
        header: { alg: 'PS256', typ: 'dpop+jwt' },
        claims: { htm: 'POST', htu: 'https://bank.localhost/token' },
      },
    ]);
    expect(found[0]!.verified).toBeUndefined();
  });

  it('names finds in objects by their path and decodes each token once', () => {
    const found = decodeJwtsIn(
      { access_token: ACCESS_TOKEN, nested: [{ id_token: JWT }], again: ACCESS_TOKEN },
      'token response',
    );
    expect(found.map((f) => f.where)).toEqual([
      'token response.access_token',
      'token response.nested[0].id_token',
    ]);
    expect(decodeJwtsIn({ request: JWT }, '')[0]!.where).toBe('request');
  });

  it('ignores encrypted JWTs, non-JSON segments and ordinary text', () => {
    const jwe = `${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`;
    expect(decodeJwtsIn(jwe, 'x')).toEqual([]);
    expect(decodeJwtsIn('eyJnotjson.eyJalso.sig', 'x')).toEqual([]);
    expect(decodeJwtsIn('version 1.2.3', 'x')).toEqual([]);
  });

  it('decodes unsigned (alg none) tokens so learners can see them', () => {
    const none = `${b64({ alg: 'none' })}.${b64({ sub: 'x' })}.`;
    expect(decodeJwtsIn(none, 'request')[0]!.header).toEqual({ alg: 'none' });
  });
});

describe('traceReaderOf', () => {
  const config = sandboxConfig();
  const pem = (file: string) => new X509Certificate(fs.readFileSync(file));
  const directoryCa = pem(config.ca.directory);
  const presented = (file: string, authorized = true) =>
    ({
      x509: pem(file),
      authorized,
      authorizationError: authorized ? undefined : 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      identity: { subjectDn: '', softwareId: 'x' },
    }) as unknown as PeerCertificate;

  it('names the software of a directory-issued transport certificate', () => {
    for (const participant of [config.participants.demo, config.participants.second]) {
      expect(traceReaderOf(presented(participant.transportCert), directoryCa, 'https://x/trace')).toBe(
        participant.softwareId,
      );
    }
  });

  it('refuses no certificate with 401, and a server’s or a foreign CA’s certificate with 403', () => {
    const status = (certificate: PeerCertificate | undefined) => {
      try {
        traceReaderOf(certificate, directoryCa, 'https://x/trace');
        return 200;
      } catch (err) {
        return (err as OAuthError).status;
      }
    };
    expect(status(undefined)).toBe(401);
    // Chains to the sandbox root (so TLS authorizes it), but the server CA issued it: nobody's.
    expect(status(presented(config.directory.serverCert))).toBe(403);
    expect(status(presented(config.negative.untrustedTransportCert, false))).toBe(403);
  });
});
