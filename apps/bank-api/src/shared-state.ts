// What bank-api's replicas must share, and where it lives: with REDIS_URL in Redis, so that a request may
// reach any replica; without, in this process, as on a laptop. Two things: the DPoP proof jti values
// seen (RFC 9449 §11.1) and the secret its DPoP nonces are derived from (RFC 9449 §9); and its flow trace,
// so that any replica's `/trace` lists what every replica recorded, and a restart keeps it.
import { randomBytes } from 'node:crypto';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { RotatingDpopNonce } from '@fapi-sandbox/fapi-core/jose/dpop';
import { RedisReplayCache } from '@fapi-sandbox/fapi-core/jose/redis-replay-cache';
import { InMemoryReplayCache, type ReplayCache } from '@fapi-sandbox/fapi-core/jose/replay-cache';
import type { Logger } from '@fapi-sandbox/fapi-core/log';
import { closeRedis, openRedis } from '@fapi-sandbox/fapi-core/redis';
import { sharedSecret } from '@fapi-sandbox/fapi-core/shared-secret';
import type { TraceRecorder } from '@fapi-sandbox/fapi-core/trace';
import { shareTraceThroughRedis } from '@fapi-sandbox/fapi-core/trace-stream';

/** Where bank-api keeps its keys in a shared Redis. */
export const BANK_API_REDIS_PREFIX = 'fapi:bank-api:';

export interface SharedState {
  replayCache: ReplayCache;
  nonces: RotatingDpopNonce;
  close(): Promise<void>;
}

export async function openSharedState(
  config: SandboxConfig,
  log: Logger,
  trace: TraceRecorder,
  now?: () => number,
): Promise<SharedState> {
  const clock = now ? { now } : {};
  if (!config.redisUrl) {
    return {
      replayCache: new InMemoryReplayCache(clock),
      nonces: new RotatingDpopNonce(clock),
      close: async () => {},
    };
  }
  const redis = await openRedis({ url: config.redisUrl, party: 'bank-api', log });
  const secret = await sharedSecret(redis, `${BANK_API_REDIS_PREFIX}dpop-nonce-secret`, () =>
    randomBytes(32).toString('base64url'),
  );
  const traceStream = await shareTraceThroughRedis({
    redis,
    key: `${BANK_API_REDIS_PREFIX}trace`,
    recorder: trace,
    log,
  });
  return {
    // RFC 9449 §11.1: a proof used at one replica is a replay at every other.
    replayCache: new RedisReplayCache(redis, { prefix: `${BANK_API_REDIS_PREFIX}replay:`, ...clock }),
    // RFC 9449 §9: a nonce one replica hands out is accepted by every other.
    nonces: new RotatingDpopNonce({ ...clock, secret: Buffer.from(secret, 'base64url') }),
    close: async () => {
      await traceStream.close();
      await closeRedis(redis);
    },
  };
}
