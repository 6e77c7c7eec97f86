// Finding a front-channel request's interaction id: from its header, its request_uri or its interaction
// uid; links expire and are bounded in number, so a long-running bank-op does not grow without limit.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { FlowIds } from '../src/http/flow-ids.js';

const ID = '93bac548-d2de-4546-b106-880a5018460d';
const OTHER = 'c6f1d0a2-8f4e-4b7a-9d3c-2e5f6a7b8c9d';
const URI = 'urn:ietf:params:oauth:request_uri:';

function request(url: string, headers: Record<string, string> = {}): IncomingMessage {
  return { url, headers } as unknown as IncomingMessage;
}

describe('FlowIds', () => {
  it('takes a UUID x-fapi-interaction-id header, and mints an id for anything else', () => {
    const ids = new FlowIds();
    expect(ids.resolve(request('/par', { 'x-fapi-interaction-id': ID }))).toBe(ID);
    const minted = ids.resolve(request('/par', { 'x-fapi-interaction-id': 'not-a-uuid' }));
    expect(minted).not.toBe('not-a-uuid');
    expect(minted).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('follows request_uri to the interactions the authorization starts, and remembers each request', () => {
    const ids = new FlowIds();
    ids.linkPushedRequest('par-1', ID);
    const authorize = request(`/authorize?client_id=c&request_uri=${encodeURIComponent(`${URI}par-1`)}`);
    expect(ids.resolve(authorize)).toBe(ID);
    expect(ids.interactionIdOf(authorize)).toBe(ID);

    ids.linkInteraction('uid-1', ID);
    for (const path of ['/interaction/uid-1', '/interaction/uid-1/login', '/authorize/uid-1']) {
      expect(ids.resolve(request(path))).toBe(ID);
    }
    expect(ids.resolve(request('/interaction/uid-2'))).not.toBe(ID);
    expect(ids.resolve(request(`/authorize?request_uri=${encodeURIComponent(`${URI}par-2`)}`))).not.toBe(ID);
  });

  it("links a grant to a flow only when the bank made the flow's id up (no header, no pushed request)", () => {
    const ids = new FlowIds();
    const plain = ids.resolve(request('/authorize?client_id=c&response_type=code'));
    ids.linkGrant('grant-1', plain);
    expect(ids.flowOfGrant('grant-1')).toBe(plain);
    // A flow the client named (its header, carried through its pushed request) stays under its own id.
    ids.linkPushedRequest('par-1', ID);
    ids.resolve(request(`/authorize?request_uri=${encodeURIComponent(`${URI}par-1`)}`));
    ids.linkGrant('grant-2', ID);
    expect(ids.flowOfGrant('grant-2')).toBeUndefined();
    expect(ids.flowOfGrant('grant-3')).toBeUndefined();
  });

  it('forgets links after their time and beyond its capacity, oldest first', () => {
    let now = 0;
    const ids = new FlowIds({ ttlMs: 1000, capacity: 2, now: () => now });
    ids.linkInteraction('a', ID);
    now = 1000;
    expect(ids.resolve(request('/interaction/a'))).not.toBe(ID);

    ids.linkInteraction('b', ID);
    ids.linkInteraction('c', OTHER);
    ids.linkInteraction('d', OTHER);
    expect(ids.resolve(request('/interaction/b'))).not.toBe(ID);
    expect(ids.resolve(request('/interaction/c'))).toBe(OTHER);
    expect(ids.resolve(request('/interaction/d'))).toBe(OTHER);
  });
});
