import { describe, expect, it } from 'vitest';
import { OAuthError } from '../src/errors.js';
import {
  decodeJwtsIn,
  handleTraceQuery,
  redactBody,
  redactHeaders,
  type TraceEventInput,
  TraceRecorder,
} from '../src/trace.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const JWT = `${b64({ alg: 'PS256', typ: 'dpop+jwt' })}.${b64({ htm: 'POST', htu: 'https://bank.localhost/token' })}.c2ln`;
const ACCESS_TOKEN = `${b64({ alg: 'PS256', typ: 'at+jwt' })}.${b64({ sub: 'alice', cnf: { jkt: 'abc' } })}.c2ln`;

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
  recorder.record(input({ interactionId: 'x', step: 'one' }));
  recorder.record(input({ interactionId: 'y', step: 'two' }));

  it('answers from URL search parameters or a parsed query object', () => {
    expect(handleTraceQuery(recorder, new URLSearchParams('interaction_id=x')).map((e) => e.step)).toEqual([
      'one',
    ]);
    expect(handleTraceQuery(recorder, { limit: '1' }).map((e) => e.step)).toEqual(['two']);
    expect(handleTraceQuery(recorder, new URLSearchParams())).toHaveLength(2);
  });

  it('refuses malformed parameters with 400 invalid_request', () => {
    for (const query of [
      new URLSearchParams('since=yesterday'),
      new URLSearchParams('limit=0'),
      { interaction_id: ['a', 'b'] },
    ]) {
      try {
        handleTraceQuery(recorder, query);
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(OAuthError);
        expect((err as OAuthError).status).toBe(400);
        expect((err as OAuthError).error).toBe('invalid_request');
      }
    }
  });
});

describe('redaction', () => {
  it('keeps the auth scheme and 8 characters of the credential; hides cookies', () => {
    const redacted = redactHeaders({
      Authorization: `DPoP ${ACCESS_TOKEN}`,
      cookie: 'session=secret',
      'set-cookie': ['a=1', 'b=2'],
      'x-fapi-interaction-id': '1e2f',
      'content-length': 42,
      absent: undefined,
    });
    expect(redacted).toEqual({
      Authorization: `DPoP ${ACCESS_TOKEN.slice(0, 8)}…`,
      cookie: '[redacted]',
      'set-cookie': '[redacted]',
      'x-fapi-interaction-id': '1e2f',
      'content-length': '42',
    });
    expect(redactHeaders(new Headers({ authorization: 'Bearer abc' }))).toEqual({
      authorization: 'Bearer …',
    });
  });

  it('redacts secrets in objects (deeply) without touching the original', () => {
    const body = {
      access_token: ACCESS_TOKEN,
      refresh_token: 'refresh-token-value',
      token_type: 'DPoP',
      client: { client_secret: 's3cret', registration_access_token: 'rat' },
      users: [{ password: 'hunter2', name: 'alice' }],
    };
    expect(redactBody(body)).toEqual({
      access_token: `${ACCESS_TOKEN.slice(0, 8)}…`,
      refresh_token: 'refresh-…',
      token_type: 'DPoP',
      client: { client_secret: '[redacted]', registration_access_token: '[redacted]' },
      users: [{ password: '[redacted]', name: 'alice' }],
    });
    expect(body.users[0]!.password).toBe('hunter2');
  });

  it('redacts JSON text and form-encoded text', () => {
    expect(JSON.parse(redactBody('{"password":"p","x":1}') as string)).toEqual({
      password: '[redacted]',
      x: 1,
    });
    const form = new URLSearchParams(
      redactBody(
        'grant_type=authorization_code&code=abc&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
      ) as string,
    );
    expect(form.get('code_verifier')).toBe('dBjftJeZ…');
    expect(form.get('code')).toBe('abc');
    expect(redactBody('plain text, not a form')).toBe('plain text, not a form');
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
