// The directory answers the bank reuses: within the window one load serves every call for that key,
// after it the directory is asked again, and a failed load is never reused.
import { describe, expect, it } from 'vitest';
import { shortLivedCache } from '../src/short-lived-cache.js';

function counted() {
  const calls: string[][] = [];
  let fail = false;
  return {
    calls,
    failNext: () => {
      fail = true;
    },
    load: async (orgId: string, softwareId: string) => {
      calls.push([orgId, softwareId]);
      if (fail) {
        fail = false;
        throw new Error('directory unreachable');
      }
      return `${orgId}/${softwareId}#${calls.length}`;
    },
  };
}

describe('shortLivedCache', () => {
  it('answers every call within the window from one load, per key', async () => {
    let now = 0;
    const source = counted();
    const cache = shortLivedCache(1000, source.load, () => now);
    const [a, b] = await Promise.all([cache.get('org', 'sw'), cache.get('org', 'sw')]);
    now = 999;
    expect(await cache.get('org', 'sw')).toBe(a);
    expect(b).toBe(a);
    expect(await cache.get('org', 'other')).toBe('org/other#2');
    expect(source.calls).toEqual([
      ['org', 'sw'],
      ['org', 'other'],
    ]);
  });

  it('asks again once the window has passed', async () => {
    let now = 0;
    const source = counted();
    const cache = shortLivedCache(1000, source.load, () => now);
    expect(await cache.get('org', 'sw')).toBe('org/sw#1');
    now = 1000;
    expect(await cache.get('org', 'sw')).toBe('org/sw#2');
  });

  it('never reuses a failed load', async () => {
    const now = 0;
    const source = counted();
    const cache = shortLivedCache(1000, source.load, () => now);
    source.failNext();
    await expect(cache.get('org', 'sw')).rejects.toThrow('directory unreachable');
    expect(await cache.get('org', 'sw')).toBe('org/sw#2');
  });

  it('keeps keys apart whatever characters the ids contain', async () => {
    const source = counted();
    const cache = shortLivedCache(1000, source.load, () => 0);
    expect(await cache.get('a/b', 'c')).not.toBe(await cache.get('a', 'b/c'));
    expect(source.calls).toHaveLength(2);
  });
});
