// oidc-provider's short-lived models in Redis (REDIS_URL), shared by every bank-op replica: a flow may push
// its request to one replica, sign in at another and redeem its code at a third, and an assertion's or a
// DPoP proof's jti used at one is a replay at all (ReplayDetection). Registrations (Client and its
// access tokens) stay in the durable store (SQLite, or PostgreSQL with DATABASE_URL), which outlives
// Redis being emptied. The adapter interface is oidc-provider's; its example/adapters/redis.js shows the
// layout followed here: one hash per entry (`payload`, and `consumed` once used), a list per grant naming
// its entries, an index per uid and user code.
import type { Redis } from '@fapi-sandbox/fapi-core/redis';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { AlreadyConsumed } from './already-consumed.js';
import { EXPIRED_ROW_GRACE_SECONDS, type ExpiringSets, type OidcStore } from './oidc-store.js';

/**
 * The models a half-done flow needs wherever its next request lands; every other stays in the durable
 * store.
 */
export const SHARED_MODELS = new Set([
  'Session',
  'Interaction',
  'PushedAuthorizationRequest',
  'AuthorizationCode',
  'Grant',
  'AccessToken',
  'RefreshToken',
  'ClientCredentials',
  'BackchannelAuthenticationRequest',
  // FAPI-CIBA: the bank app's inbox of pending requests and the pace of each request's polls.
  'BankAppInbox',
  'CibaPoll',
  'ReplayDetection',
]);

/**
 * How long a jti is held between ReplayDetection's look-up and its save (which sets its real lifetime):
 * only a replica that fails between the two leaves a claim this long.
 */
const CLAIM_SECONDS = 60;

/**
 * Marks an entry consumed in one step on the server, and only an entry that is there: 1 when this call
 * marked it, 0 when there is no such entry, -1 when it was marked already (by this replica or another).
 */
const CONSUME = `if redis.call('HEXISTS', KEYS[1], 'payload') == 0 then return 0 end
if redis.call('HSETNX', KEYS[1], 'consumed', ARGV[1]) == 1 then return 1 end
return -1`;

/**
 * Adds a member to a sorted set scored by its expiry, drops the expired ones and keeps the set as long as
 * its latest member: one step on the server, so concurrent adds never lose each other.
 */
// ZADD GT: a new member is added; one already there keeps the later of its two expiries.
const ADD_TO_SET = `redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local lifetime = tonumber(ARGV[2]) - tonumber(ARGV[3])
if redis.call('TTL', KEYS[1]) < lifetime then redis.call('EXPIRE', KEYS[1], lifetime) end
return 1`;

/** A model's expiring sets (oidc-store.ts ExpiringSets) as sorted sets shared by every replica. */
export function redisSetsFor(redis: Redis, prefix: string): (model: string) => ExpiringSets {
  const epoch = () => Math.floor(Date.now() / 1000);
  return (model) => ({
    async add(key, member, expiresAt) {
      await redis.eval(ADD_TO_SET, 1, `${prefix}${model}:set:${key}`, member, expiresAt, epoch());
    },
    async members(key) {
      return redis.zrevrangebyscore(`${prefix}${model}:set:${key}`, '+inf', `(${epoch()}`);
    },
  });
}

/** Where the adapter keeps what: each entry, its grant's list and its indexes. */
function keysOf(prefix: string) {
  return {
    entry: (model: string, id: string) => `${prefix}${model}:${id}`,
    grant: (grantId: string) => `${prefix}grant:${grantId}`,
    uid: (model: string, uid: string) => `${prefix}${model}:uid:${uid}`,
    userCode: (model: string, userCode: string) => `${prefix}${model}:userCode:${userCode}`,
    /** A pattern matching every key of a model: its entries and their indexes. */
    allOf: (model: string) => `${prefix}${model}:*`,
  };
}

export function redisAdapterFor(redis: Redis, prefix: string): (model: string) => Adapter {
  const { entry: entryKey, grant: grantKey, uid: uidKey, userCode: userCodeKey } = keysOf(prefix);
  const epoch = () => Math.floor(Date.now() / 1000);

  async function read(key: string): Promise<AdapterPayload | undefined> {
    const fields = await redis.hgetall(key);
    if (fields.payload === undefined) return undefined;
    const payload = JSON.parse(fields.payload) as AdapterPayload;
    return fields.consumed === undefined ? payload : { ...payload, consumed: Number(fields.consumed) };
  }

  async function readIndexed(indexKey: string, model: string): Promise<AdapterPayload | undefined> {
    const id = await redis.get(indexKey);
    return id === null ? undefined : read(entryKey(model, id));
  }

  return (model) => ({
    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      const key = entryKey(model, id);
      // As the SQLite store: kept a while past expiry, so oidc-provider tells "expired" from "unknown".
      const lifetime = typeof expiresIn === 'number' ? expiresIn + EXPIRED_ROW_GRACE_SECONDS : undefined;
      const write = redis.multi().del(key).hset(key, 'payload', JSON.stringify(payload));
      if (lifetime !== undefined) write.expire(key, lifetime);
      if (payload.grantId) {
        const list = grantKey(payload.grantId);
        write.rpush(list, key);
        // The grant's list lives as long as its longest-lived entry.
        const ttl = await redis.ttl(list);
        if (lifetime !== undefined && lifetime > ttl) write.expire(list, lifetime);
        if (lifetime === undefined) write.persist(list);
      }
      for (const index of [
        payload.uid ? uidKey(model, payload.uid) : undefined,
        payload.userCode ? userCodeKey(model, payload.userCode) : undefined,
      ]) {
        if (!index) continue;
        if (lifetime !== undefined) write.set(index, id, 'EX', lifetime);
        else write.set(index, id);
      }
      await write.exec();
    },

    async find(id: string) {
      const key = entryKey(model, id);
      if (model !== 'ReplayDetection') return read(key);
      // ReplayDetection.unique() looks a jti up and then saves it: the look-up claims the id (SET NX), so
      // of two replicas racing with one jti exactly one finds it free (RFC 7523 §3 item 7, RFC 9449 §11.1).
      const claimed = await redis.set(key, 'claimed', 'EX', CLAIM_SECONDS, 'NX');
      return claimed === null ? {} : undefined;
    },

    findByUid(uid: string) {
      return readIndexed(uidKey(model, uid), model);
    },

    findByUserCode(userCode: string) {
      return readIndexed(userCodeKey(model, userCode), model);
    },

    // oidc-provider marks a code, refresh token or PAR request used (epoch seconds); only an entry there.
    // It read the entry unconsumed first, as a replica racing it may have: only one mark wins.
    async consume(id: string) {
      const marked = await redis.eval(CONSUME, 1, entryKey(model, id), epoch());
      if (marked === -1) throw new AlreadyConsumed(model, id);
    },

    async destroy(id: string) {
      await redis.del(entryKey(model, id));
    },

    async revokeByGrantId(grantId: string) {
      const list = grantKey(grantId);
      const keys = await redis.lrange(list, 0, -1);
      await redis.del(...keys, list);
    },
  });
}

/**
 * Deletes every session and its uid index (SCAN, not KEYS: the server goes on answering others meanwhile);
 * how many sessions.
 */
async function endRedisSessions(redis: Redis, prefix: string): Promise<number> {
  const keys = keysOf(prefix);
  const uidIndex = keys.uid('Session', '');
  let sessions = 0;
  for await (const batch of redis.scanStream({ match: keys.allOf('Session'), count: 500 })) {
    const found = batch as string[];
    if (found.length === 0) continue;
    sessions += found.filter((key) => !key.startsWith(uidIndex)).length;
    await redis.del(...found);
  }
  return sessions;
}

/** The durable store (SQLite or PostgreSQL) with the shared models answered from Redis instead. */
export function withSharedModelsInRedis(store: OidcStore, redis: Redis, prefix: string): OidcStore {
  const shared = redisAdapterFor(redis, prefix);
  const sharedSets = redisSetsFor(redis, prefix);
  return {
    adapterFor: (model) => (SHARED_MODELS.has(model) ? shared(model) : store.adapterFor(model)),
    setsFor: (model) => (SHARED_MODELS.has(model) ? sharedSets(model) : store.setsFor(model)),
    purgeExpired: () => store.purgeExpired(),
    // Sessions are a shared model: they live in Redis alone (Redis expires the rest itself).
    endSessions: () => endRedisSessions(redis, prefix),
    close: () => store.close(),
  };
}
