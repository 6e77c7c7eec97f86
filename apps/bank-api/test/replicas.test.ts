// Two bank-api replicas behind one address, sharing a real Redis (REDIS_URL), as a sandbox hosted for a
// room runs them: what one has seen, the other knows. A DPoP proof accepted by one is a replay at the
// other (RFC 9449 §11.1); a nonce handed out by one is good at the other (RFC 9449 §9). A replica
// without Redis, on the same address, does not know the others' nonces: the sharing is what does it.

import { replicaConfig } from '@fapi-sandbox/fapi-core/config';
import { createDpopProof } from '@fapi-sandbox/fapi-core/jose/dpop';
import { captureLogs } from '@fapi-sandbox/fapi-core/log-capture';
import { closeRedis, openRedis } from '@fapi-sandbox/fapi-core/redis';
import { isFree, workerPort } from '@fapi-sandbox/fapi-core/testing';
import { type Balancer, startBalancer } from '@fapi-sandbox/fapi-core/testing-balancer';
import {
  type RunningRedisServer,
  startRedisServer,
  withRedisUrl,
} from '@fapi-sandbox/fapi-core/testing-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBankApi, startBankApi } from '../src/index.js';
import type { TestClient } from './support/clients.js';
import { accountAccess, type Sandbox, startSandbox } from './support/sandbox.js';

let redis: RunningRedisServer;
let sb: Sandbox;
let client: TestClient;
let token: string;
let balancer: Balancer;
const replicas: RunningBankApi[] = [];
/** Which replica the balancer sends new connections to. */
const REPLICA_A = 0;
const REPLICA_B = 1;
const ALONE = 2;

beforeAll(async () => {
  redis = await startRedisServer();
  sb = await withRedisUrl(redis.url, () => startSandbox());
  expect(sb.config.redisUrl).toBe(redis.url);
  client = sb.clients.moneywiseDpop;
  ({ token } = await accountAccess(sb, client));

  // The sandbox's bank-api gives way to two replicas on ports of their own (same data, same Redis), and a
  // third that keeps its state in its own process; the balancer takes over the configured address.
  await sb.api.stop();
  const ports = [await workerPort(), await workerPort(), await workerPort()];
  const { redisUrl: _inRedis, ...withoutRedis } = sb.config;
  for (const [index, port] of ports.entries()) {
    const config = replicaConfig(index === ALONE ? withoutRedis : sb.config, 'bankApi', { web: port });
    replicas.push(
      await startBankApi({ config, now: sb.clock.now, log: captureLogs().logOf(`bank-api-${index}`) }),
    );
  }
  sb.api = replicas[REPLICA_A]!;
  balancer = await startBalancer(sb.config.bankApi.web, ports);
});
afterAll(async () => {
  await balancer?.stop();
  await Promise.all(replicas.slice(1).map((replica) => replica.stop()));
  await sb?.stop();
  await redis?.stop();
});

const path = '/aisp/accounts';

describe('bank-api replicas sharing Redis', () => {
  it('refuse at one replica a DPoP proof the other accepted (RFC 9449 §11.1)', async () => {
    await balancer.routeTo(REPLICA_A);
    // A first call picks up a current nonce (the caller keeps the last DPoP-Nonce it was sent).
    expect((await sb.call(client, 'GET', path, { token })).status).toBe(200);
    const proof = await createDpopProof({
      key: client.dpopKey!,
      method: 'GET',
      url: `${sb.config.bankApi.baseUrl}${path}`,
      accessToken: token,
      nonce: client.nonce!,
    });
    expect((await sb.call(client, 'GET', path, { token, proof })).status).toBe(200);

    await balancer.routeTo(REPLICA_B);
    const before = balancer.connections[REPLICA_B]!;
    const replayed = await sb.call(client, 'GET', path, { token, proof });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error).toBe('invalid_dpop_proof');
    expect(replayed.body.error_description).toMatch(/jti .* was already used with this key/);
    expect(balancer.connections[REPLICA_B]).toBeGreaterThan(before);
  });

  it('accept at one replica the DPoP nonce the other handed out (RFC 9449 §9)', async () => {
    await balancer.routeTo(REPLICA_A);
    expect((await sb.call(client, 'GET', path, { token })).status).toBe(200);
    const nonceFromA = client.nonce!;
    const proof = () =>
      createDpopProof({
        key: client.dpopKey!,
        method: 'GET',
        url: `${sb.config.bankApi.baseUrl}${path}`,
        accessToken: token,
        nonce: nonceFromA,
      });

    await balancer.routeTo(REPLICA_B);
    const atB = await sb.call(client, 'GET', path, { token, proof: await proof() });
    expect(atB.status, JSON.stringify(atB.body)).toBe(200);

    // The control: a replica with a secret of its own asks for its own nonce instead.
    await balancer.routeTo(ALONE);
    const alone = await sb.call(client, 'GET', path, { token, proof: await proof() });
    expect(alone.status).toBe(401);
    expect(alone.body.error).toBe('use_dpop_nonce');
    expect(alone.headers.get('dpop-nonce')).not.toBe(nonceFromA);
  });

  it('refuse to start, before listening, when REDIS_URL names a Redis that is not there', async () => {
    const port = await workerPort();
    const config = {
      ...replicaConfig(sb.config, 'bankApi', { web: port }),
      redisUrl: `redis://127.0.0.1:${await workerPort()}`,
    };
    await expect(startBankApi({ config, log: captureLogs().logOf('bank-api') })).rejects.toThrow(
      /^REDIS_URL is set, but Redis at 127\.0\.0\.1:\d+ could not be used \(.*ECONNREFUSED.*\)/,
    );
    expect(await isFree(port)).toBe(true);
  });

  it('keep their replay records and nonce secret in Redis, under bank-api’s prefix', async () => {
    const connection = await openRedis({ url: redis.url, party: 'test' });
    try {
      expect(await connection.exists('fapi:bank-api:dpop-nonce-secret')).toBe(1);
      expect((await connection.keys('fapi:bank-api:replay:dpop:*')).length).toBeGreaterThan(0);
    } finally {
      await closeRedis(connection);
    }
  });
});
