// bank-api's flow trace with two replicas behind one address, sharing a real Redis (REDIS_URL): a call one
// replica served is in the other's `GET /trace` (read over mTLS by the participant it concerns, and by no
// other), the trace outlives a restart of the whole party, Redis holds it redacted, and a Redis that stops
// costs the trace its sharing, never a request.
import { randomUUID } from 'node:crypto';
import { replicaConfig } from '@fapi-sandbox/fapi-core/config';
import { captureLogs } from '@fapi-sandbox/fapi-core/log-capture';
import { closeRedis, openRedis } from '@fapi-sandbox/fapi-core/redis';
import { workerPort } from '@fapi-sandbox/fapi-core/testing';
import { type Balancer, startBalancer } from '@fapi-sandbox/fapi-core/testing-balancer';
import {
  type RunningRedisServer,
  startRedisServer,
  withRedisUrl,
} from '@fapi-sandbox/fapi-core/testing-redis';
import { transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { type Dispatcher, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningBankApi, startBankApi } from '../src/index.js';
import { BANK_API_REDIS_PREFIX } from '../src/shared-state.js';
import { accountAccess, type Sandbox, startSandbox } from './support/sandbox.js';

let redis: RunningRedisServer;
let sb: Sandbox;
let balancer: Balancer;
let ports: number[];
let readers: { moneywise: Dispatcher; budgetly: Dispatcher };
const logs = captureLogs();
/** The replicas running now, by the balancer's index. */
const replicas: (RunningBankApi | undefined)[] = [];
const A = 0;
const B = 1;
const TRACE_KEY = `${BANK_API_REDIS_PREFIX}trace`;

async function startReplica(index: number) {
  const config = replicaConfig(sb.config, 'bankApi', { web: ports[index]! });
  replicas[index] = await startBankApi({ config, now: sb.clock.now, log: logs.logOf(`bank-api-${index}`) });
}

/** Moneywise's or Budgetly's view of bank-api's trace for one flow, from the replica the balancer names. */
async function traceAt(replica: number, as: Dispatcher, interactionId: string): Promise<TraceEvent[]> {
  await balancer.routeTo(replica);
  const before = balancer.connections[replica]!;
  const response = await fetch(`${sb.config.bankApi.web.origin}/trace?interaction_id=${interactionId}`, {
    dispatcher: as,
  });
  expect(response.status).toBe(200);
  expect(balancer.connections[replica]).toBeGreaterThan(before);
  return ((await response.json()) as { events: TraceEvent[] }).events;
}

beforeAll(async () => {
  redis = await startRedisServer();
  sb = await withRedisUrl(redis.url, () => startSandbox());
  readers = {
    moneywise: transportAgentFor(sb.config.participants.demo, sb.config),
    budgetly: transportAgentFor(sb.config.participants.second, sb.config),
  };
  // The sandbox's bank-api gives way to two replicas on ports of their own; the balancer takes over the
  // configured address.
  await sb.api.stop();
  ports = [await workerPort(), await workerPort()];
  for (const index of [A, B]) await startReplica(index);
  sb.api = replicas[A]!;
  balancer = await startBalancer(sb.config.bankApi.web, ports);
});
afterAll(async () => {
  await balancer?.stop();
  await Promise.all(Object.values(readers ?? {}).map((agent) => agent.close()));
  // The sandbox stops the replica it holds; the others are stopped here.
  await Promise.all(replicas.filter((replica) => replica && replica !== sb?.api).map((r) => r!.stop()));
  await sb?.stop();
  await redis?.stop();
});

const path = '/aisp/accounts';
/** A call replica A served, read back in the later tests. */
let servedByA: { interactionId: string; token: string };

describe('bank-api replicas sharing their trace in Redis', () => {
  it('list at one replica the call the other served, to the participant it concerns and no other', async () => {
    const client = sb.clients.moneywiseDpop;
    await balancer.routeTo(A);
    const { token } = await accountAccess(sb, client);
    const interactionId = randomUUID();
    const read = await sb.call(client, 'GET', path, {
      token,
      headers: { 'x-fapi-interaction-id': interactionId },
    });
    expect(read.status).toBe(200);
    servedByA = { interactionId, token };

    const atB = await vi.waitFor(async () => {
      const events = await traceAt(B, readers.moneywise, interactionId);
      expect(events).toHaveLength(1);
      return events;
    });
    expect(atB[0]).toMatchObject({
      party: 'bank-api',
      participant: sb.config.participants.demo.softwareId,
      status: 200,
      url: expect.stringContaining(path),
    });
    expect(JSON.stringify(atB[0]!.responseBody)).toContain('Account');
    expect(atB[0]!.checks.length).toBeGreaterThan(0);
    // The replica that served it lists the same event, once.
    expect(await traceAt(A, readers.moneywise, interactionId)).toEqual(atB);

    expect(await traceAt(B, readers.budgetly, interactionId)).toEqual([]);
  });

  it('keep in Redis, under bank-api’s prefix, the event as /trace serves it: no usable token', async () => {
    const connection = await openRedis({ url: redis.url, party: 'test' });
    try {
      const entries = await connection.xrange(TRACE_KEY, '-', '+');
      const text = entries.map(([, fields]) => fields.join(' ')).join('\n');
      expect(text).toContain(servedByA.interactionId);
      expect(text).not.toContain(servedByA.token);
      expect(text).not.toContain(servedByA.token.split('.')[2]);
    } finally {
      await closeRedis(connection);
    }
  });

  it('list after a restart of every replica the calls served before it', async () => {
    const before = await traceAt(A, readers.moneywise, servedByA.interactionId);
    expect(before).toHaveLength(1);
    for (const index of [A, B]) await replicas[index]!.stop();
    await startReplica(A);
    sb.api = replicas[A]!;
    // Another replica's copy of the event, from Redis: the same event, as it was served.
    expect(await traceAt(A, readers.moneywise, servedByA.interactionId)).toEqual(before);
    expect(await traceAt(A, readers.budgetly, servedByA.interactionId)).toEqual([]);
    await startReplica(B);
    expect(await traceAt(B, readers.moneywise, servedByA.interactionId)).toEqual(before);
  });

  it('answer calls and record them when Redis stops, saying once that the trace is not shared', async () => {
    // An mTLS-bound token: its calls ask Redis nothing (no DPoP replay record), so they can be served.
    const client = sb.clients.moneywiseMtls;
    await balancer.routeTo(A);
    const { token } = await accountAccess(sb, client);
    await redis.stop();

    const ids = [randomUUID(), randomUUID()];
    for (const interactionId of ids) {
      const read = await sb.call(client, 'GET', path, {
        token,
        headers: { 'x-fapi-interaction-id': interactionId },
      });
      expect(read.status).toBe(200);
      await vi.waitFor(async () =>
        expect(await traceAt(A, readers.moneywise, interactionId)).toHaveLength(1),
      );
    }
    await vi.waitFor(
      () => {
        const warnings = logs.lines.filter(
          (line) => line.party === 'bank-api-0' && /trace could not be shared through Redis/.test(line.msg),
        );
        expect(warnings).toHaveLength(1);
      },
      { timeout: 10_000 },
    );
    // The other replica never saw them: what was not shared stays where it was recorded.
    expect(await traceAt(B, readers.moneywise, ids[0]!)).toEqual([]);
  }, 30_000);
});
