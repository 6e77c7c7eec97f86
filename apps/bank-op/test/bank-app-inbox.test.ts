// The bank app's inbox (provider/bank-app-inbox.ts) on both stores bank-op runs with: the embedded SQLite
// store and Redis shared by replicas. Requests for one customer accepted at the same moment (two TPPs, or
// two replicas) must all reach the customer's app: a read-then-write of the list would keep only one.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closeRedis, openRedis, type Redis } from '@fapi-sandbox/fapi-core/redis';
import { type RunningRedisServer, startRedisServer } from '@fapi-sandbox/fapi-core/testing-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BankAppInbox, createBankAppInbox } from '../src/provider/bank-app-inbox.js';
import type { OidcStore } from '../src/storage/oidc-store.js';
import { withSharedModelsInRedis } from '../src/storage/redis-adapter.js';
import { openSqliteOidcStore } from '../src/storage/sqlite-adapter.js';

const epoch = () => Math.floor(Date.now() / 1000);

let dir: string;
let sqlite: OidcStore;
let server: RunningRedisServer;
let redisA: Redis;
let redisB: Redis;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-app-inbox-'));
  sqlite = openSqliteOidcStore(path.join(dir, 'oidc.sqlite'));
  server = await startRedisServer();
  redisA = await openRedis({ url: server.url, party: 'bank-op-a' });
  redisB = await openRedis({ url: server.url, party: 'bank-op-b' });
});
afterAll(async () => {
  await sqlite?.close();
  await Promise.all([redisA, redisB].filter(Boolean).map(closeRedis));
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Two inboxes over one store: one replica each (the same one on SQLite, which is one process's file). */
function inboxes(kind: 'sqlite' | 'redis'): [BankAppInbox, BankAppInbox] {
  if (kind === 'sqlite') return [createBankAppInbox(sqlite), createBankAppInbox(sqlite)];
  const prefix = `test:${randomUUID()}:`;
  return [
    createBankAppInbox(withSharedModelsInRedis(sqlite, redisA, prefix)),
    createBankAppInbox(withSharedModelsInRedis(sqlite, redisB, prefix)),
  ];
}

describe.each(['sqlite', 'redis'] as const)('the bank app inbox on %s', (kind) => {
  it('keeps every request for one customer when many are accepted at the same moment', async () => {
    const [a, b] = inboxes(kind);
    const customer = `cust-${randomUUID()}`;
    const ids = Array.from({ length: 20 }, (_, i) => `req-${i}`);
    await Promise.all(
      ids.map((authReqId, i) => (i % 2 ? a : b).add(customer, { authReqId, expiresAt: epoch() + 600 })),
    );
    expect((await a.list(customer)).sort()).toEqual([...ids].sort());
    expect((await b.list(customer)).sort()).toEqual([...ids].sort());
  });

  it('lists the newest request first and leaves out expired ones and other customers’ requests', async () => {
    const [a, b] = inboxes(kind);
    const customer = `cust-${randomUUID()}`;
    await a.add(customer, { authReqId: 'older', expiresAt: epoch() + 300 });
    await b.add(customer, { authReqId: 'newer', expiresAt: epoch() + 600 });
    await a.add(customer, { authReqId: 'expired', expiresAt: epoch() - 1 });
    await b.add(`someone-else-${randomUUID()}`, { authReqId: 'theirs', expiresAt: epoch() + 600 });
    expect(await a.list(customer)).toEqual(['newer', 'older']);
    expect(await b.list(`nobody-${randomUUID()}`)).toEqual([]);
  });
});
