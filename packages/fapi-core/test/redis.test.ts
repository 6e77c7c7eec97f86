// REDIS_URL: read and checked with the rest of the configuration, handed on to child processes, and a
// connection that either works at start-up (against a real redis-server) or stops the party with a
// message saying how to mend it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentFor, loadConfig } from '../src/config.js';
import { closeRedis, openRedis, redisAddressOf } from '../src/redis.js';
import { type RunningRedisServer, startRedisServer } from '../src/testing-redis.js';

describe('the REDIS_URL setting', () => {
  it('is absent by default: every party keeps its state in its own process', () => {
    expect(loadConfig({}).redisUrl).toBeUndefined();
    expect(loadConfig({ REDIS_URL: '' }).redisUrl).toBeUndefined();
    expect(environmentFor(loadConfig({}))).not.toHaveProperty('REDIS_URL');
  });

  it('accepts redis:// and rediss:// URLs and passes them on to child processes', () => {
    for (const url of ['redis://127.0.0.1:6379', 'rediss://user:secret@cache.example.org:6380/2']) {
      const config = loadConfig({ REDIS_URL: url });
      expect(config.redisUrl).toBe(url);
      expect(environmentFor(config).REDIS_URL).toBe(url);
    }
  });

  it('refuses anything else, without echoing what may hold a password', () => {
    for (const url of ['127.0.0.1:6379', 'http://cache:6379', 'redis://', 'not a url :secret@']) {
      expect(() => loadConfig({ REDIS_URL: url })).toThrow(/REDIS_URL is not a Redis URL: give redis:\/\//);
    }
    expect(() => loadConfig({ REDIS_URL: 'https://u:hunter2@cache' })).not.toThrow(/hunter2/);
  });

  it('is shown in messages as host and port only', () => {
    expect(redisAddressOf('redis://user:hunter2@cache.example.org:6380/1')).toBe('cache.example.org:6380');
    expect(redisAddressOf('redis://cache')).toBe('cache:6379');
  });
});

describe('the Redis connection', () => {
  let server: RunningRedisServer;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('opens against a real redis-server and names itself after the party', async () => {
    const redis = await openRedis({ url: server.url, party: 'bank-api' });
    try {
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.client('GETNAME')).toBe('fapi-bank-api');
      // No persistence: the test server writes nothing to disk.
      expect(await redis.config('GET', 'save')).toEqual(['save', '']);
    } finally {
      await closeRedis(redis);
    }
  });

  it('stops start-up with the address and the way out when Redis is unreachable', async () => {
    const gone = await startRedisServer();
    await gone.stop();
    await expect(
      openRedis({
        url: `redis://user:hunter2@127.0.0.1:${gone.port}`,
        party: 'bank-op',
        connectTimeoutMs: 1000,
      }),
    ).rejects.toThrow(
      new RegExp(
        `^REDIS_URL is set, but Redis at 127\\.0\\.0\\.1:${gone.port} could not be used \\(.*ECONNREFUSED.*\\)\\. Start Redis there`,
      ),
    );
  });

  it('stops start-up when Redis refuses the credentials', async () => {
    await expect(
      openRedis({ url: `redis://nobody:wrong@127.0.0.1:${server.port}`, party: 'bank-op' }),
    ).rejects.toThrow(/could not be used \(.*(WRONGPASS|NOAUTH|invalid username).*\)/i);
  });
});
