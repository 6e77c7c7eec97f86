// The one Redis connection of a party (REDIS_URL, config.ts): what its replicas share lives there (replay
// caches, DPoP nonce secrets, oidc-provider's short-lived models). Without REDIS_URL no party opens one and
// each keeps that state in its own process, as on a laptop. Redis is a dependency like a database: when
// REDIS_URL is set and the server cannot be reached, the party refuses to start rather than run alone.
import { Redis } from 'ioredis';
import { redisAddressOf } from './config.js';
import type { Logger } from './log.js';

export type { Redis } from 'ioredis';
export { redisAddressOf } from './config.js';

export interface OpenRedisOptions {
  /** REDIS_URL: redis://host:port[/db] or rediss://. */
  url: string;
  /** Names the connection in Redis's CLIENT LIST (`fapi-<party>`). */
  party: string;
  /** Where connection trouble after start-up is reported. */
  log?: Logger;
  /** How long start-up waits for Redis, in milliseconds (default 5 s). */
  connectTimeoutMs?: number;
}

/**
 * Opens and checks (PING) the party's connection. Throws a start-up error naming the address and the way
 * out when Redis is unreachable or refuses the connection (wrong password, say).
 */
export async function openRedis(options: OpenRedisOptions): Promise<Redis> {
  const address = redisAddressOf(options.url);
  const redis = new Redis(options.url, {
    lazyConnect: true,
    connectionName: `fapi-${options.party}`,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    // After start-up a lost connection is retried; a request waiting for it fails after two tries
    // instead of hanging, and the party answers it with an error (never a replay let through).
    maxRetriesPerRequest: 2,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let reported = false;
  let starting = true;
  let cause: Error | undefined;
  redis.on('error', (err: Error) => {
    cause = err;
    if (reported || starting) return;
    reported = true;
    options.log?.error({ err }, `Redis at ${address}: ${err.message} (retrying)`);
  });
  redis.on('ready', () => {
    reported = false;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    // ioredis rejects with "Connection is closed"; the reason came first, as an error event.
    const reason = cause ?? err;
    throw new Error(
      `REDIS_URL is set, but Redis at ${address} could not be used (${reason instanceof Error ? reason.message : String(reason)}). Start Redis there (redis-server), correct REDIS_URL, or unset it to keep this party's state in its own process.`,
    );
  }
  starting = false;
  return redis;
}

/** Closes a connection opened by openRedis, waiting for replies already asked for. */
export async function closeRedis(redis: Redis): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
