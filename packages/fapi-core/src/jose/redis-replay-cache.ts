// The replay cache replicas share (REDIS_URL): one Redis key per JWT identifier, written with
// SET key 1 NX PX ttl, so checking and recording are one atomic step on the server and the first use
// wins wherever it arrives (RFC 9449 §11.1, RFC 7523 §3 item 7). Redis expires each key with its JWT.
import type { Redis } from 'ioredis';
import { OAuthError } from '../errors.js';
import type { ReplayCache } from './replay-cache.js';

export interface RedisReplayCacheOptions {
  /** Prefixes every key, so that parties (and sandboxes) sharing one Redis never see each other's. */
  prefix: string;
  /** Milliseconds since the epoch, the verifier's clock: a key lives until `expiresAt` by it. */
  now?: () => number;
}

export class RedisReplayCache implements ReplayCache {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(redis: Redis, options: RedisReplayCacheOptions) {
    this.#redis = redis;
    this.#prefix = options.prefix;
    this.#now = options.now ?? Date.now;
  }

  async seen(key: string, expiresAt: number): Promise<boolean> {
    // A time to live rather than an instant: the verifier's clock (a test's, say) need not be Redis's.
    const ttl = Math.max(1, Math.ceil(expiresAt - this.#now()));
    let written: string | null;
    try {
      written = await this.#redis.set(`${this.#prefix}${key}`, '1', 'PX', ttl, 'NX');
    } catch (err) {
      // Unknown is not "first use": without Redis's answer the request is refused, never let through.
      throw new OAuthError({
        status: 503,
        error: 'temporarily_unavailable',
        description: `The replay cache (Redis) could not record this JWT's jti (${err instanceof Error ? err.message : String(err)}), so it cannot be accepted now`,
        clause: 'RFC 9449 §11.1, RFC 7523 §3 item 7',
        fix: 'retry shortly with a new JWT (new jti); the sandbox operator should check Redis (REDIS_URL)',
      });
    }
    return written === null;
  }
}
