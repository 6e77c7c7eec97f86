// A secret every replica of a party must hold alike (REDIS_URL): the DPoP nonce secret, so that a nonce
// one replica hands out is accepted at another (RFC 9449 §8, §9), or bank-op's cookie keys, so that a
// sign-in begun at one finishes at another. The first replica to start creates it (SET NX): the others
// find it there, and it outlives restarts until Redis is emptied.
import type { Redis } from 'ioredis';

/** The value under `key`: `fresh()` stored if there is none yet, else the one another replica stored. */
export async function sharedSecret(redis: Redis, key: string, fresh: () => string): Promise<string> {
  await redis.set(key, fresh(), 'NX');
  const value = await redis.get(key);
  // Only an operator deleting the key between the two steps leaves nothing: ask again.
  return value ?? sharedSecret(redis, key, fresh);
}
