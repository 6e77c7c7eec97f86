// Finding a front-channel request's interaction id: from its header, its request_uri or its interaction
// uid. The same rules over both homes of the links (http/flow-links.ts): this process's memory, where links
// expire and are bounded in number so a long-running bank-op does not grow without limit, and a real Redis,
// where a link one replica wrote is found by another.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { closeRedis, openRedis, type Redis } from '@fapi-sandbox/fapi-core/redis';
import { type RunningRedisServer, startRedisServer } from '@fapi-sandbox/fapi-core/testing-redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlowIds } from '../src/http/flow-ids.js';
import { type FlowLinks, memoryFlowLinks, redisFlowLinks } from '../src/http/flow-links.js';

const ID = '93bac548-d2de-4546-b106-880a5018460d';
const OTHER = 'c6f1d0a2-8f4e-4b7a-9d3c-2e5f6a7b8c9d';
const URI = 'urn:ietf:params:oauth:request_uri:';

function request(url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { url, headers } as unknown as IncomingMessage;
}

let server: RunningRedisServer;
const connections: Redis[] = [];
beforeAll(async () => {
  server = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(connections.map(closeRedis));
  await server?.stop();
});

/** Links in Redis under a prefix of their own, as a replica opens them (its own connection). */
async function redisLinks(prefix: string): Promise<FlowLinks> {
  const redis = await openRedis({ url: server.url, party: 'flow-ids-test' });
  connections.push(redis);
  return redisFlowLinks(redis, prefix);
}

describe.each([
  ['in memory', async () => memoryFlowLinks()],
  ['in Redis', async () => redisLinks(`test:${randomUUID()}:`)],
] as const)('FlowIds with links %s', (_, links) => {
  it('takes a UUID x-fapi-interaction-id header, and mints an id for anything else', async () => {
    const ids = new FlowIds(await links());
    expect(await ids.resolve(request('/par', { 'x-fapi-interaction-id': ID }))).toBe(ID);
    const minted = await ids.resolve(request('/par', { 'x-fapi-interaction-id': 'not-a-uuid' }));
    expect(minted).not.toBe('not-a-uuid');
    expect(minted).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('follows request_uri to the interactions the authorization starts, and remembers each request', async () => {
    const ids = new FlowIds(await links());
    await ids.linkPushedRequest('par-1', ID);
    const authorize = request(`/authorize?client_id=c&request_uri=${encodeURIComponent(`${URI}par-1`)}`);
    expect(await ids.resolve(authorize)).toBe(ID);
    expect(ids.interactionIdOf(authorize)).toBe(ID);

    await ids.linkInteraction('uid-1', ID, 'software-1');
    for (const path of ['/interaction/uid-1', '/interaction/uid-1/login', '/authorize/uid-1']) {
      const step = request(path);
      expect(await ids.resolve(step)).toBe(ID);
      expect(ids.participantOf(step)).toBe('software-1');
    }
    expect(await ids.resolve(request('/interaction/uid-2'))).not.toBe(ID);
    expect(
      await ids.resolve(request(`/authorize?request_uri=${encodeURIComponent(`${URI}par-2`)}`)),
    ).not.toBe(ID);
  });

  it("links a grant to a flow only when the bank made the flow's id up (no header, no pushed request)", async () => {
    const ids = new FlowIds(await links());
    const plain = await ids.resolve(request('/authorize?client_id=c&response_type=code'));
    await ids.linkGrant('grant-1', plain);
    expect(await ids.flowOfGrant('grant-1')).toBe(plain);
    // A flow the client named (its header, carried through its pushed request) stays under its own id.
    await ids.linkPushedRequest('par-1', ID);
    await ids.resolve(request(`/authorize?request_uri=${encodeURIComponent(`${URI}par-1`)}`));
    await ids.linkGrant('grant-2', ID);
    expect(await ids.flowOfGrant('grant-2')).toBeUndefined();
    expect(await ids.flowOfGrant('grant-3')).toBeUndefined();
  });
});

describe('FlowIds shared through Redis', () => {
  it('finds at one replica the flows another linked: pushed request, interaction, grant', async () => {
    const prefix = `test:${randomUUID()}:`;
    const [one, other] = [new FlowIds(await redisLinks(prefix)), new FlowIds(await redisLinks(prefix))];
    await one.linkPushedRequest('par-9', ID);
    await one.linkInteraction('uid-9', ID, 'software-9');
    const plain = await one.resolve(request('/authorize?client_id=c&response_type=code'));
    await one.linkGrant('grant-9', plain);

    expect(await other.resolve(request(`/authorize?request_uri=${encodeURIComponent(`${URI}par-9`)}`))).toBe(
      ID,
    );
    const page = request('/interaction/uid-9');
    expect(await other.resolve(page)).toBe(ID);
    expect(other.participantOf(page)).toBe('software-9');
    expect(await other.flowOfGrant('grant-9')).toBe(plain);
    // Redis forgets a link after 15 minutes: longer than a pushed request or an interaction lives.
    const ttl = await connections.at(-1)!.pttl(`${prefix}interaction:uid-9`);
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000);
  });
});

describe('FlowIds with links in memory', () => {
  it('forgets links after their time and beyond its capacity, oldest first', async () => {
    let now = 0;
    const ids = new FlowIds(memoryFlowLinks({ ttlMs: 1000, capacity: 2, now: () => now }));
    await ids.linkInteraction('a', ID);
    now = 1000;
    expect(await ids.resolve(request('/interaction/a'))).not.toBe(ID);

    await ids.linkInteraction('b', ID);
    await ids.linkInteraction('c', OTHER);
    await ids.linkInteraction('d', OTHER);
    expect(await ids.resolve(request('/interaction/b'))).not.toBe(ID);
    expect(await ids.resolve(request('/interaction/c'))).toBe(OTHER);
    expect(await ids.resolve(request('/interaction/d'))).toBe(OTHER);
  });
});
