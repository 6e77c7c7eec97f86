// The directory answers the bank reuses: within the window one load serves every call for that key,
// after it the directory is asked again, and a failed load is never reused.
import { describe, expect, it } from 'vitest';
import { maxAgeMs, shortLivedCache } from '../src/short-lived-cache.js';

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

describe('shortLivedCache with a window each answer sets (the directory max-age)', () => {
  function answers(...reuseMs: number[]) {
    let calls = 0;
    return {
      calls: () => calls,
      load: async (key: string) => {
        const n = calls++;
        return { key, n, reuseMs: reuseMs[n] ?? 0 };
      },
    };
  }

  it('shares one load between concurrent calls, then reuses it for its own window only', async () => {
    let now = 0;
    const source = answers(2000, 500);
    const cache = shortLivedCache(
      (a: { reuseMs: number }) => a.reuseMs,
      source.load,
      () => now,
    );
    const [a, b] = await Promise.all([cache.get('x'), cache.get('x')]);
    expect(b).toBe(a);
    now = 1999;
    expect(await cache.get('x')).toBe(a);
    now = 2000;
    const second = await cache.get('x');
    expect(second.n).toBe(1);
    now = 2499;
    expect(await cache.get('x')).toBe(second);
    now = 2500;
    expect((await cache.get('x')).n).toBe(2);
    expect(source.calls()).toBe(3);
  });

  it('never reuses an answer whose window is zero (no-store, no max-age), except by callers already waiting', async () => {
    const source = answers(0, 0);
    const cache = shortLivedCache(
      (a: { reuseMs: number }) => a.reuseMs,
      source.load,
      () => 0,
    );
    const [a, b] = await Promise.all([cache.get('x'), cache.get('x')]);
    expect(b).toBe(a);
    expect((await cache.get('x')).n).toBe(1);
    expect(source.calls()).toBe(2);
  });

  it('counts the window from when the answer was asked for, so a slow answer is kept no longer', async () => {
    let now = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const cache = shortLivedCache(
      (a: { reuseMs: number }) => a.reuseMs,
      async (_key: string) => {
        calls++;
        await gate;
        return { reuseMs: 1000 };
      },
      () => now,
    );
    const first = cache.get('x');
    now = 900;
    // Still on its way: shared, not asked again.
    const waiting = cache.get('x');
    release();
    expect(await waiting).toBe(await first);
    now = 1000;
    await cache.get('x');
    expect(calls).toBe(2);
  });
});

describe('maxAgeMs (RFC 9111 §5.2.2.1)', () => {
  it('reads max-age in seconds', () => {
    expect(maxAgeMs('max-age=1')).toBe(1000);
    expect(maxAgeMs('public, Max-Age=2')).toBe(2000);
  });

  it('means no reuse for no header, no-store, no-cache, and a repeated or malformed max-age', () => {
    for (const header of [
      null,
      undefined,
      '',
      'no-store',
      'max-age=5, no-store',
      'no-cache, max-age=5',
      'max-age=1, max-age=2',
      'max-age=-1',
      'max-age=1.5',
      'max-age="1"',
      'max-age=',
      's-maxage=5',
    ]) {
      expect(maxAgeMs(header), String(header)).toBe(0);
    }
  });
});
