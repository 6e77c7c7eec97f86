// One-time use of JWT identifiers: RFC 7523 §3 item 7 (client assertion `jti`), RFC 9449 §11.1 (DPoP proof
// `jti`), RFC 9101 §10.2 / JWT BCP (request object `jti`). A verifier asks the cache whether it has seen a key
// before; the cache remembers each key until the JWT it came from expires. Two implementations: this
// process's memory (the default) and Redis (redis-replay-cache.ts, when REDIS_URL is set), which replicas
// share so that a JWT used at one is refused at every other.

export interface ReplayCache {
  /**
   * True if `key` was recorded before and has not expired (a replay). Otherwise records it until
   * `expiresAt` (milliseconds since the epoch) and returns false. Checking and recording are one step:
   * of two concurrent calls with one key, exactly one answers false.
   */
  seen(key: string, expiresAt: number): Promise<boolean>;
}

export interface InMemoryReplayCacheOptions {
  /** Upper bound on remembered keys; the oldest entries go first when it is reached. */
  maxEntries?: number;
  /** Milliseconds since the epoch; tests pass a fixed clock. */
  now?: () => number;
}

/**
 * A process-local replay cache. Enough for one sandbox process: entries disappear when their JWT expires,
 * and at most `maxEntries` (default 100 000) are kept. Replicas share RedisReplayCache instead.
 */
export class InMemoryReplayCache implements ReplayCache {
  readonly #entries = new Map<string, number>();
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: InMemoryReplayCacheOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#now = options.now ?? Date.now;
    if (!Number.isInteger(this.#maxEntries) || this.#maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${options.maxEntries}`);
    }
  }

  // Checked and written in one turn of the event loop: nothing else runs between the two.
  async seen(key: string, expiresAt: number): Promise<boolean> {
    const now = this.#now();
    const known = this.#entries.get(key);
    if (known !== undefined && known > now) return true;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) this.#prune(now);
    this.#entries.set(key, expiresAt);
    return false;
  }

  get size(): number {
    return this.#entries.size;
  }

  #prune(now: number): void {
    for (const [key, expiresAt] of this.#entries) {
      if (expiresAt <= now) this.#entries.delete(key);
    }
    // Still full of live entries: drop the oldest insertions (Map iterates in insertion order).
    for (const key of this.#entries.keys()) {
      if (this.#entries.size < this.#maxEntries) break;
      this.#entries.delete(key);
    }
  }
}
