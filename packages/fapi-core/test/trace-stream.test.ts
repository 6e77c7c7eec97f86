// The trace shared by a party's replicas through a real redis-server: what one records, the other lists;
// a replica started later finds the recent trace; re-filings reach every replica; the stream is capped like
// the ring; and a Redis that stops costs the trace its sharing, never a recording.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureLogs } from '../src/log-capture.js';
import { closeRedis, openRedis, type Redis } from '../src/redis.js';
import { startRedisServer } from '../src/testing-redis.js';
import { type SharedTraceEntry, type TraceEventInput, TraceRecorder } from '../src/trace.js';
import {
  decodeTraceEntry,
  encodeTraceEntry,
  shareTraceThroughRedis,
  type TraceStream,
} from '../src/trace-stream.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const DPOP = `${b64({ alg: 'PS256', typ: 'dpop+jwt' })}.${b64({ htm: 'GET', htu: 'https://bank.localhost/x' })}.c2ln`;
const TOKEN = `${b64({ alg: 'PS256', typ: 'at+jwt' })}.${b64({ sub: 'alice' })}.c2ln`;

function input(extra: Partial<TraceEventInput> = {}): TraceEventInput {
  return {
    interactionId: 'flow-1',
    participant: 'moneywise',
    party: 'bank-api',
    direction: 'inbound',
    channel: 'back',
    ...extra,
  };
}

/** A whole event as an API call records it: headers with credentials, bodies, JWTs, checks. */
const fullInput = input({
  step: 'Accounts read',
  method: 'GET',
  url: `https://bank.localhost/accounts?access_token=${TOKEN}`,
  status: 200,
  requestHeaders: { authorization: `DPoP ${TOKEN}`, dpop: DPOP, 'x-fapi-interaction-id': 'flow-1' },
  responseHeaders: { 'content-type': 'application/json' },
  requestBody: 'grant_type=authorization_code&code=abcdefghijkl',
  responseBody: { Data: { Account: [{ AccountId: '1' }] }, access_token: TOKEN },
  jwts: [{ where: 'DPoP proof', jwt: DPOP, verified: true }],
  checks: [{ name: 'DPoP proof', passed: true, clause: 'RFC 9449 §4.3', detail: 'ok' }],
  certificate: { subject: 'CN=moneywise', x5tS256: 'abc' },
});

/** What `recorder` hands its outlet for each event it records. */
function sharedOf(recorder: TraceRecorder): SharedTraceEntry[] {
  const shared: SharedTraceEntry[] = [];
  recorder.shareThrough((entry) => shared.push(entry));
  return shared;
}

describe('the trace stream codec', () => {
  it('round-trips an event to the same view, its credentials still redacted', () => {
    const here = new TraceRecorder();
    const shared = sharedOf(here);
    const recorded = here.record(fullInput);
    const text = encodeTraceEntry(shared[0]!);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(DPOP);
    expect(text).not.toContain('abcdefghijkl');

    const there = new TraceRecorder();
    there.receive(decodeTraceEntry(text)!);
    expect(there.list()).toEqual([recorded]);
    expect(JSON.stringify(there.list())).toBe(JSON.stringify(here.list()));
    expect(there.bytes).toBe(here.bytes);
  });

  it('round-trips a re-filing, and shares no event that names no participant (no one may read it)', () => {
    const here = new TraceRecorder();
    const shared = sharedOf(here);
    here.record(input({ participant: undefined }));
    here.refile('flow-1', 'flow-2', 'moneywise');
    expect(shared).toEqual([{ kind: 'refile', from: 'flow-1', to: 'flow-2', participant: 'moneywise' }]);
    expect(decodeTraceEntry(encodeTraceEntry(shared[0]!))).toEqual(shared[0]);
  });

  it.each([
    ['no text', undefined],
    ['text that is no JSON', '{"kind":'],
    ['an array', '[]'],
    ['another kind', '{"kind":"other"}'],
    ['a re-filing without its participant', '{"kind":"refile","from":"a","to":"b"}'],
    [
      'an event without its id',
      '{"kind":"event","event":{"at":"2025-01-01T00:00:00Z"},"jwts":[],"foundJwts":[]}',
    ],
    [
      'an event with a time that is no date',
      '{"kind":"event","event":{"id":"x","at":"soon","interactionId":"i","party":"tpp","checks":[]},"jwts":[],"foundJwts":[]}',
    ],
    [
      'an event with a body of another shape',
      '{"kind":"event","event":{"id":"x","at":"2025-01-01T00:00:00Z","interactionId":"i","party":"tpp","checks":[]},"requestBody":"raw","jwts":[],"foundJwts":[]}',
    ],
  ])('refuses %s', (_name, text) => {
    expect(decodeTraceEntry(text)).toBeUndefined();
  });

  it('places an event from elsewhere by its time among those recorded here', () => {
    let now = Date.parse('2025-06-01T12:00:00Z');
    const here = new TraceRecorder({ now: () => new Date(now) });
    const elsewhere = new TraceRecorder({ now: () => new Date(now) });
    const shared = sharedOf(elsewhere);
    elsewhere.record(input({ step: 'there, first' }));
    now += 1000;
    here.record(input({ step: 'here, second' }));
    here.receive(shared[0]!);
    expect(here.list().map((event) => event.step)).toEqual(['there, first', 'here, second']);
  });
});

describe('a trace shared by two replicas through Redis', () => {
  let server: Awaited<ReturnType<typeof startRedisServer>>;
  const connections: Redis[] = [];
  const streams: TraceStream[] = [];
  let keys = 0;

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(streams.map((stream) => stream.close()));
    await Promise.all(connections.map(closeRedis));
    await server?.stop();
  });

  /** A replica's recorder sharing through `key` on its own connection. */
  async function replica(
    key: string,
    options: { capacity?: number; log?: ReturnType<typeof captureLogs> } = {},
  ) {
    const redis = await openRedis({ url: server.url, party: 'replica' });
    connections.push(redis);
    const recorder = new TraceRecorder({ capacity: options.capacity ?? 100 });
    const stream = await shareTraceThroughRedis({
      redis,
      key,
      recorder,
      blockMs: 200,
      ...(options.log ? { log: options.log.logOf('bank-api') } : {}),
    });
    streams.push(stream);
    return { recorder, redis, stream };
  }
  const steps = (recorder: TraceRecorder, query = {}) => recorder.list(query).map((event) => event.step);
  const newKey = () => `fapi:test:${++keys}:trace`;

  it("lists at each replica the other's events, each once, in the order they were recorded", async () => {
    const key = newKey();
    const a = await replica(key);
    const b = await replica(key);
    const atA = a.recorder.record(fullInput);
    await new Promise((resolve) => setTimeout(resolve, 5));
    b.recorder.record(input({ step: 'at B' }));
    await vi.waitFor(() => expect(b.recorder.size).toBe(2));
    await vi.waitFor(() => expect(a.recorder.size).toBe(2));
    expect(b.recorder.list()[0]).toEqual(atA);
    expect(steps(a.recorder)).toEqual(['Accounts read', 'at B']);
    expect(steps(b.recorder)).toEqual(['Accounts read', 'at B']);
  });

  it('keeps in Redis only the redacted event, never a credential the request carried', async () => {
    const key = newKey();
    const a = await replica(key);
    a.recorder.record(fullInput);
    await vi.waitFor(async () => expect(await a.redis.xlen(key)).toBe(1));
    const entries = await a.redis.xrange(key, '-', '+');
    const stored = entries.map(([, fields]) => fields.join(' ')).join('\n');
    expect(stored).toContain('Accounts read');
    expect(stored).not.toContain(TOKEN);
    expect(stored).not.toContain(DPOP);
    expect(stored).not.toContain('abcdefghijkl');
  });

  it('gives a replica started later the recent trace, re-filings applied in order', async () => {
    const key = newKey();
    const a = await replica(key);
    a.recorder.record(input({ interactionId: 'browser-flow', step: 'authorize' }));
    a.recorder.refile('browser-flow', 'client-flow', 'moneywise');
    a.recorder.record(input({ interactionId: 'browser-flow', step: 'another flow, same id' }));
    await vi.waitFor(async () => expect(await a.redis.xlen(key)).toBe(3));
    await a.stream.close();

    const restarted = await replica(key);
    expect(steps(restarted.recorder, { interactionId: 'client-flow' })).toEqual(['authorize']);
    expect(steps(restarted.recorder, { interactionId: 'browser-flow' })).toEqual(['another flow, same id']);
  });

  it('re-files at every replica what one re-files, for that participant only', async () => {
    const key = newKey();
    const a = await replica(key);
    const b = await replica(key);
    b.recorder.record(input({ interactionId: 'browser-flow', step: 'authorize at B' }));
    b.recorder.record(input({ interactionId: 'browser-flow', participant: 'other', step: 'not theirs' }));
    await vi.waitFor(() => expect(a.recorder.size).toBe(2));
    expect(a.recorder.refile('browser-flow', 'client-flow', 'moneywise')).toBe(1);
    await vi.waitFor(() =>
      expect(steps(b.recorder, { interactionId: 'client-flow' })).toEqual(['authorize at B']),
    );
    expect(steps(b.recorder, { interactionId: 'browser-flow' })).toEqual(['not theirs']);
    expect(steps(a.recorder, { interactionId: 'client-flow' })).toEqual(['authorize at B']);
  });

  it('keeps the stream about as long as the ring (XADD MAXLEN ~), and a new replica loads no more than its capacity', async () => {
    const key = newKey();
    const capacity = 10;
    const a = await replica(key, { capacity });
    for (let i = 0; i < 1000; i++) a.recorder.record(input({ step: `step ${i}` }));
    await vi.waitFor(async () => {
      const [newest] = await a.redis.xrevrange(key, '+', '-', 'COUNT', 1);
      expect(newest?.[1].join(' ')).toContain('step 999');
    });
    // "~" trims whole nodes of the stream (stream-node-max-entries, 100 by default): a little more than
    // the capacity stays, never the thousand.
    expect(await a.redis.xlen(key)).toBeLessThanOrEqual(capacity + 100);
    expect(await a.redis.xlen(key)).toBeGreaterThanOrEqual(capacity);
    const later = await replica(key, { capacity });
    expect(steps(later.recorder)).toEqual(steps(a.recorder));
    expect(later.recorder.size).toBe(capacity);
  });

  it('skips an entry that is not a trace entry, says so once, and reads on', async () => {
    const key = newKey();
    const logs = captureLogs();
    const a = await replica(key, { log: logs });
    const b = await replica(key);
    await b.redis.xadd(key, '*', 'o', 'someone', 'e', '{"kind":"event"}');
    await b.redis.xadd(key, '*', 'o', 'someone', 'e', 'not json');
    b.recorder.record(input({ step: 'after them' }));
    await vi.waitFor(() => expect(steps(a.recorder)).toEqual(['after them']));
    expect(logs.lines.filter((line) => /did not write/.test(line.msg))).toHaveLength(1);
  });
});

describe('a trace shared through a Redis that stops', () => {
  it('records every event here all the same, logs the trouble once, and closes', async () => {
    const server = await startRedisServer();
    const redis = await openRedis({ url: server.url, party: 'replica' });
    const logs = captureLogs();
    const recorder = new TraceRecorder();
    const stream = await shareTraceThroughRedis({
      redis,
      key: 'fapi:test:gone:trace',
      recorder,
      log: logs.logOf('bank-api'),
      blockMs: 200,
    });
    try {
      await server.stop();
      for (let i = 0; i < 5; i++) {
        expect(recorder.record(input({ step: `step ${i}` })).step).toBe(`step ${i}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(recorder.size).toBe(5);
      await vi.waitFor(
        () => expect(logs.lines.filter((line) => /could not be shared/.test(line.msg))).toHaveLength(1),
        { timeout: 10_000 },
      );
      expect(logs.lines.filter((line) => /could not be read/.test(line.msg)).length).toBeLessThanOrEqual(1);
    } finally {
      await stream.close();
      redis.disconnect();
    }
  }, 20_000);
});
