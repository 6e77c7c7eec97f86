// One secret for every replica on a Redis: the first to start makes it, the rest read it, even when they
// start at the same moment.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedis, openRedis, type Redis } from '../src/redis.js';
import { sharedSecret } from '../src/shared-secret.js';
import { type RunningRedisServer, startRedisServer } from '../src/testing-redis.js';

let server: RunningRedisServer;
let replicaA: Redis;
let replicaB: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  replicaA = await openRedis({ url: server.url, party: 'replica-a' });
  replicaB = await openRedis({ url: server.url, party: 'replica-b' });
});
afterAll(async () => {
  await Promise.all([replicaA, replicaB].filter(Boolean).map(closeRedis));
  await server?.stop();
});

describe('sharedSecret', () => {
  it('is made by the first replica and read, unchanged, by the next', async () => {
    const first = await sharedSecret(replicaA, 'secret:one', () => 'made-by-a');
    const second = await sharedSecret(replicaB, 'secret:one', () => 'made-by-b');
    expect([first, second]).toEqual(['made-by-a', 'made-by-a']);
  });

  it('is one value when replicas start together', async () => {
    const key = `secret:${randomUUID()}`;
    const values = await Promise.all(
      Array.from({ length: 10 }, (_, i) => sharedSecret(i % 2 ? replicaA : replicaB, key, () => `v${i}`)),
    );
    expect(new Set(values).size).toBe(1);
  });

  it('survives a replica restart: a new connection finds the same secret', async () => {
    const before = await sharedSecret(replicaA, 'secret:restart', () => 'kept');
    const restarted = await openRedis({ url: server.url, party: 'replica-a' });
    try {
      expect(await sharedSecret(restarted, 'secret:restart', () => 'new')).toBe(before);
    } finally {
      await closeRedis(restarted);
    }
  });
});
