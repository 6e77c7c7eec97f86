// oidc-provider's adapter contract on a real Redis, as two replicas see it: what one writes the other
// finds; a consumed code stays consumed, and of two consuming it at once one wins; a grant's revocation
// reaches every entry of it; the end of the sessions reaches every session; a jti looked up by two replicas
// at once is free for exactly one (ReplayDetection).
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeRedis, openRedis, type Redis } from '@fapi-sandbox/fapi-core/redis';
import { type RunningRedisServer, startRedisServer } from '@fapi-sandbox/fapi-core/testing-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlreadyConsumed } from '../src/storage/already-consumed.js';
import { redisAdapterFor, SHARED_MODELS, withSharedModelsInRedis } from '../src/storage/redis-adapter.js';
import { openSqliteOidcStore } from '../src/storage/sqlite-adapter.js';

let server: RunningRedisServer;
let redisA: Redis;
let redisB: Redis;
let prefix: string;
beforeAll(async () => {
  server = await startRedisServer();
  redisA = await openRedis({ url: server.url, party: 'bank-op-a' });
  redisB = await openRedis({ url: server.url, party: 'bank-op-b' });
  prefix = `test:${randomUUID()}:`;
});
afterAll(async () => {
  await Promise.all([redisA, redisB].filter(Boolean).map(closeRedis));
  await server?.stop();
});

const replicaA = () => redisAdapterFor(redisA, prefix);
const replicaB = () => redisAdapterFor(redisB, prefix);
const epoch = () => Math.floor(Date.now() / 1000);

describe('the Redis adapter', () => {
  it('finds at one replica what another saved, by id and by uid', async () => {
    const payload = { jti: 'sess-1', uid: 'uid-1', exp: epoch() + 60, kind: 'Session' };
    await replicaA()('Session').upsert('sess-1', payload, 60);
    expect(await replicaB()('Session').find('sess-1')).toEqual(payload);
    expect(await replicaB()('Session').findByUid('uid-1')).toEqual(payload);
    expect(await replicaB()('Session').find('unknown')).toBeUndefined();
    expect(await replicaB()('Interaction').find('sess-1')).toBeUndefined();
  });

  it('keeps an entry a while past its expiry, so oidc-provider can say "expired" rather than "not found"', async () => {
    await replicaA()('AuthorizationCode').upsert('code-ttl', { jti: 'code-ttl' }, 60);
    const ttl = await redisA.ttl(`${prefix}AuthorizationCode:code-ttl`);
    expect(ttl).toBeGreaterThan(60 + 5 * 60 - 5);
    expect(ttl).toBeLessThanOrEqual(60 + 5 * 60);
  });

  it('marks a code consumed for every replica, and never makes an entry out of a consume alone', async () => {
    await replicaA()('AuthorizationCode').upsert('code-1', { jti: 'code-1', grantId: 'g-1' }, 60);
    await replicaB()('AuthorizationCode').consume('code-1');
    const found = await replicaA()('AuthorizationCode').find('code-1');
    expect(found?.consumed).toBeGreaterThanOrEqual(epoch() - 1);
    await replicaB()('AuthorizationCode').consume('never-issued');
    expect(await redisA.exists(`${prefix}AuthorizationCode:never-issued`)).toBe(0);
  });

  it('lets exactly one of two replicas consuming one code at once mark it; the other hears it was taken', async () => {
    await replicaA()('AuthorizationCode').upsert('code-race', { jti: 'code-race', grantId: 'g-race' }, 60);
    const marks = await Promise.allSettled([
      replicaA()('AuthorizationCode').consume('code-race'),
      replicaB()('AuthorizationCode').consume('code-race'),
    ]);
    expect(marks.filter((mark) => mark.status === 'fulfilled')).toHaveLength(1);
    const [refused] = marks.filter((mark) => mark.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(AlreadyConsumed);
    await expect(replicaA()('AuthorizationCode').consume('code-race')).rejects.toThrow(AlreadyConsumed);
  });

  it('revokes every entry of a grant, whichever replica wrote it', async () => {
    await replicaA()('AccessToken').upsert('at-1', { jti: 'at-1', grantId: 'g-2' }, 60);
    await replicaB()('RefreshToken').upsert('rt-1', { jti: 'rt-1', grantId: 'g-2' }, 600);
    await replicaA()('AccessToken').upsert('at-other', { jti: 'at-other', grantId: 'g-3' }, 60);
    await replicaB()('AccessToken').revokeByGrantId('g-2');
    expect(await replicaA()('AccessToken').find('at-1')).toBeUndefined();
    expect(await replicaA()('RefreshToken').find('rt-1')).toBeUndefined();
    expect(await replicaA()('AccessToken').find('at-other')).toBeDefined();
  });

  it('lets exactly one of two replicas racing with one jti find it free (ReplayDetection)', async () => {
    const looks = await Promise.all([
      replicaA()('ReplayDetection').find('jti-race'),
      replicaB()('ReplayDetection').find('jti-race'),
    ]);
    expect(looks.filter((found) => found === undefined)).toHaveLength(1);
    // The winner saves it (ReplayDetection.unique); from then on every replica finds it.
    await replicaA()('ReplayDetection').upsert('jti-race', { jti: 'jti-race', iss: 'c' }, 60);
    expect(await replicaB()('ReplayDetection').find('jti-race')).toBeDefined();
  });
});

describe('withSharedModelsInRedis', () => {
  it('sends the short-lived models to Redis and keeps registrations in SQLite', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-sandbox-oidc-'));
    const sqlite = openSqliteOidcStore(path.join(dir, 'oidc.sqlite'));
    const store = withSharedModelsInRedis(sqlite, redisA, prefix);
    try {
      await store.adapterFor('Client').upsert('client-1', { client_id: 'client-1' } as never, 0);
      await store.adapterFor('Session').upsert('sess-2', { jti: 'sess-2' }, 60);
      expect(await sqlite.adapterFor('Client').find('client-1')).toEqual({ client_id: 'client-1' });
      expect(await redisA.exists(`${prefix}Client:client-1`)).toBe(0);
      expect(await sqlite.adapterFor('Session').find('sess-2')).toBeUndefined();
      expect(await redisA.exists(`${prefix}Session:sess-2`)).toBe(1);
      expect(SHARED_MODELS.has('Client')).toBe(false);
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends every session in Redis, with its uid index, and leaves the other entries', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-sandbox-oidc-'));
    const ownPrefix = `test:${randomUUID()}:`;
    const store = withSharedModelsInRedis(
      openSqliteOidcStore(path.join(dir, 'oidc.sqlite')),
      redisA,
      ownPrefix,
    );
    try {
      for (const id of ['sess-a', 'sess-b']) {
        await store.adapterFor('Session').upsert(id, { jti: id, uid: `uid-${id}` }, 600);
      }
      await store.adapterFor('Grant').upsert('grant-kept', { jti: 'grant-kept' }, 600);
      expect(await store.endSessions()).toBe(2);
      expect(await store.adapterFor('Session').find('sess-a')).toBeUndefined();
      expect(await store.adapterFor('Session').findByUid!('uid-sess-b')).toBeUndefined();
      expect(await redisA.keys(`${ownPrefix}Session:*`)).toEqual([]);
      expect(await store.adapterFor('Grant').find('grant-kept')).toEqual({ jti: 'grant-kept' });
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
