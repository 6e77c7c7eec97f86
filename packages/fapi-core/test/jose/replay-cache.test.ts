import { describe, expect, it } from 'vitest';
import { InMemoryReplayCache } from '../../src/jose/replay-cache.js';

describe('InMemoryReplayCache', () => {
  it('reports a key as seen until it expires', () => {
    let now = 1_000_000;
    const cache = new InMemoryReplayCache({ now: () => now });
    expect(cache.seen('jti-1', now + 60_000)).toBe(false);
    expect(cache.seen('jti-1', now + 60_000)).toBe(true);
    expect(cache.seen('jti-2', now + 60_000)).toBe(false);
    now += 60_001;
    expect(cache.seen('jti-1', now + 60_000)).toBe(false);
  });

  it('stays bounded, dropping expired entries first and then the oldest', () => {
    let now = 0;
    const cache = new InMemoryReplayCache({ maxEntries: 3, now: () => now });
    cache.seen('short', 10);
    cache.seen('a', 1000);
    cache.seen('b', 1000);
    now = 20;
    cache.seen('c', 1000);
    expect(cache.size).toBe(3);
    expect(cache.seen('a', 1000)).toBe(true);
    cache.seen('d', 1000);
    expect(cache.size).toBe(3);
    expect(cache.seen('d', 1000)).toBe(true);
  });

  it('refuses a non-positive size', () => {
    expect(() => new InMemoryReplayCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});
