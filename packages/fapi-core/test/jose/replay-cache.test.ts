// One contract, two caches: the process's memory and a real Redis shared by replicas. Both refuse a key
// seen before, forget it when its JWT expires, and let exactly one of two concurrent first uses through.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisReplayCache } from '../../src/jose/redis-replay-cache.js';
import { InMemoryReplayCache, type ReplayCache } from '../../src/jose/replay-cache.js';
import { closeRedis, openRedis, type Redis } from '../../src/redis.js';
import { type RunningRedisServer, startRedisServer } from '../../src/testing-redis.js';

let server: RunningRedisServer;
let redis: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  redis = await openRedis({ url: server.url, party: 'test' });
});
afterAll(async () => {
  if (redis) await closeRedis(redis);
  await server?.stop();
});

/** Each Redis cache under a prefix of its own, so the tests do not see each other's keys. */
const freshPrefix = () => `test:${randomUUID()}:`;
const implementations: [string, (now: () => number) => ReplayCache][] = [
  ['in memory', (now) => new InMemoryReplayCache({ now })],
  ['in Redis', (now) => new RedisReplayCache(redis, { prefix: freshPrefix(), now })],
];

describe.each(implementations)('the replay cache %s', (_name, create) => {
  it('reports a key as seen until it expires', async () => {
    // The real clock for both: Redis expires keys on its own, so the test waits the time to live out.
    const cache = create(Date.now);
    expect(await cache.seen('jti-1', Date.now() + 300)).toBe(false);
    expect(await cache.seen('jti-1', Date.now() + 300)).toBe(true);
    expect(await cache.seen('jti-2', Date.now() + 300)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await cache.seen('jti-1', Date.now() + 300)).toBe(false);
  });

  it('lets exactly one of many concurrent first uses through', async () => {
    const cache = create(Date.now);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => cache.seen('jti-race', Date.now() + 60_000)),
    );
    expect(answers.filter((seen) => !seen)).toHaveLength(1);
  });
});

describe('RedisReplayCache', () => {
  it('is one cache for every replica on the same Redis and prefix, and separate under another prefix', async () => {
    const replicaA = new RedisReplayCache(redis, { prefix: 'shared:' });
    const replicaB = new RedisReplayCache(redis, { prefix: 'shared:' });
    const otherParty = new RedisReplayCache(redis, { prefix: 'other:' });
    expect(await replicaA.seen('dpop:jkt:jti', Date.now() + 60_000)).toBe(false);
    expect(await replicaB.seen('dpop:jkt:jti', Date.now() + 60_000)).toBe(true);
    expect(await otherParty.seen('dpop:jkt:jti', Date.now() + 60_000)).toBe(false);
  });

  it('keeps a key as long as the JWT lives by the verifier’s clock, not Redis’s', async () => {
    const verifierNow = Date.now() + 3_600_000;
    const cache = new RedisReplayCache(redis, { prefix: 'clock:', now: () => verifierNow });
    expect(await cache.seen('jti', verifierNow + 60_000)).toBe(false);
    const ttl = await redis.pttl('clock:jti');
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});

describe('InMemoryReplayCache', () => {
  it('stays bounded, dropping expired entries first and then the oldest', async () => {
    let now = 0;
    const cache = new InMemoryReplayCache({ maxEntries: 3, now: () => now });
    await cache.seen('short', 10);
    await cache.seen('a', 1000);
    await cache.seen('b', 1000);
    now = 20;
    await cache.seen('c', 1000);
    expect(cache.size).toBe(3);
    expect(await cache.seen('a', 1000)).toBe(true);
    await cache.seen('d', 1000);
    expect(cache.size).toBe(3);
    expect(await cache.seen('d', 1000)).toBe(true);
  });

  it('refuses a non-positive size', () => {
    expect(() => new InMemoryReplayCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});

describe('RedisReplayCache without Redis', () => {
  it('refuses (503 temporarily_unavailable) rather than let a possible replay through', async () => {
    const gone = await startRedisServer();
    const connection = await openRedis({ url: gone.url, party: 'test' });
    await gone.stop();
    const cache = new RedisReplayCache(connection, { prefix: 'gone:' });
    try {
      await expect(cache.seen('jti', Date.now() + 60_000)).rejects.toMatchObject({
        status: 503,
        error: 'temporarily_unavailable',
        message: expect.stringMatching(/replay cache \(Redis\) could not record .*RFC 9449 §11\.1/),
      });
    } finally {
      connection.disconnect();
    }
  });
});
