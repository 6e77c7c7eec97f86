// Directory answers reused for a moment: a busy bank (bank-op's status gate, bank-api's checks) asks the
// directory at most once per participant in each window, and a suspension still shows within it.
// Calls made while an answer is on its way share it (single flight); a failed call is forgotten, so the
// next one asks again. The window is fixed, or read from each answer (its Cache-Control max-age, so the
// directory decides: see maxAgeMs). It runs on a monotonic clock, not the API's (testable) wall clock,
// so moving that clock never keeps an answer alive.

export interface ShortLivedCache<K extends readonly string[], T> {
  get(...key: K): Promise<T>;
}

/** How long an answer may be reused: a fixed number of milliseconds, or read from the answer itself. */
export type ReuseWindow<T> = number | ((answer: T) => number);

/** Entries kept before expired ones are swept. */
const SWEEP_ABOVE = 1000;

export function shortLivedCache<K extends readonly string[], T>(
  window: ReuseWindow<T>,
  load: (...key: K) => Promise<T>,
  clock: () => number = () => performance.now(),
): ShortLivedCache<K, T> {
  const windowOf = typeof window === 'number' ? () => window : window;
  const entries = new Map<string, { value: Promise<T>; until: number }>();
  return {
    get(...key) {
      const id = JSON.stringify(key);
      const now = clock();
      const hit = entries.get(id);
      if (hit && hit.until > now) return hit.value;
      const value = load(...key);
      // Shared while on its way; once it arrives, reused until `now` (when it was asked for) plus its
      // window, so an answer is never kept longer than its window from the moment it was requested.
      const entry = { value, until: Number.POSITIVE_INFINITY };
      entries.set(id, entry);
      value.then(
        (answer) => {
          entry.until = now + Math.max(0, windowOf(answer));
          if (entry.until <= clock() && entries.get(id) === entry) entries.delete(id);
        },
        () => {
          if (entries.get(id) === entry) entries.delete(id);
        },
      );
      if (entries.size > SWEEP_ABOVE) {
        for (const [k, e] of entries) if (e.until <= now) entries.delete(k);
      }
      return value;
    },
  };
}

/**
 * RFC 9111 §5.2.2.1: how long a response may be reused, from its Cache-Control header, in milliseconds.
 * No header, `no-store`, `no-cache`, or a missing, repeated or malformed max-age all mean 0: not reused.
 */
export function maxAgeMs(cacheControl: string | null | undefined): number {
  if (!cacheControl) return 0;
  const directives = cacheControl
    .toLowerCase()
    .split(',')
    .map((directive) => directive.trim());
  // RFC 9111 §5.2.2.4-5: no-cache and no-store forbid reuse without asking again.
  if (directives.some((d) => d === 'no-store' || d === 'no-cache' || d.startsWith('no-cache='))) return 0;
  const maxAge = directives.filter((d) => d.startsWith('max-age='));
  // RFC 9111 §4.2.1: a repeated or malformed max-age is treated as stale.
  if (maxAge.length !== 1) return 0;
  const seconds = maxAge[0]!.slice('max-age='.length);
  return /^[0-9]{1,6}$/.test(seconds) ? Number(seconds) * 1000 : 0;
}
