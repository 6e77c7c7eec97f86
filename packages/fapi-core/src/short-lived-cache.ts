// Directory answers reused for a moment: a busy bank (bank-op's status gate, bank-api's checks) asks the
// directory at most once per participant in each window, and a suspension still shows within it.
// Calls made while an answer is on its way share it; a failed call is forgotten, so the next one asks
// again. The window runs on a monotonic clock, not the API's (testable) wall clock, so moving that
// clock never keeps an answer alive.

export interface ShortLivedCache<K extends readonly string[], T> {
  get(...key: K): Promise<T>;
}

/** Entries kept before expired ones are swept. */
const SWEEP_ABOVE = 1000;

export function shortLivedCache<K extends readonly string[], T>(
  ttlMs: number,
  load: (...key: K) => Promise<T>,
  clock: () => number = () => performance.now(),
): ShortLivedCache<K, T> {
  const entries = new Map<string, { value: Promise<T>; until: number }>();
  return {
    get(...key) {
      const id = JSON.stringify(key);
      const now = clock();
      const hit = entries.get(id);
      if (hit && hit.until > now) return hit.value;
      const value = load(...key);
      const entry = { value, until: now + ttlMs };
      entries.set(id, entry);
      value.catch(() => {
        if (entries.get(id) === entry) entries.delete(id);
      });
      if (entries.size > SWEEP_ABOVE) {
        for (const [k, e] of entries) if (e.until <= now) entries.delete(k);
      }
      return value;
    },
  };
}
