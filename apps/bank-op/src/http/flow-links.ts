// Where FlowIds (flow-ids.ts) keeps its links from a request_uri, an interaction uid or a grant to the
// flow's x-fapi-interaction-id. One bank-op keeps them in its memory; replicas keep them in Redis
// (REDIS_URL), since the browser's next step may reach another replica than the one that linked it.
import type { Redis } from '@fapi-sandbox/fapi-core/redis';

export interface FlowLink {
  interactionId: string;
  /** The software_id of the client whose authorization the link belongs to, for an interaction. */
  participant?: string;
}

export interface FlowLinks {
  get(key: string): Promise<FlowLink | undefined>;
  set(key: string, link: FlowLink): Promise<void>;
}

/** Longer than a pushed request and an interaction live. */
const DEFAULT_TTL_MS = 15 * 60_000;

export interface MemoryFlowLinkOptions {
  ttlMs?: number;
  /** At most this many links; the oldest go first (default 10000). */
  capacity?: number;
  now?: () => number;
}

/** Links in this process's memory, expiring and bounded in number so a long-running bank-op does not grow. */
export function memoryFlowLinks(options: MemoryFlowLinkOptions = {}): FlowLinks {
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  const capacity = options.capacity ?? 10_000;
  const now = options.now ?? Date.now;
  const links = new Map<string, FlowLink & { expiresAt: number }>();
  return {
    async get(key) {
      const link = links.get(key);
      if (!link) return undefined;
      if (link.expiresAt <= now()) {
        links.delete(key);
        return undefined;
      }
      const { expiresAt: _, ...found } = link;
      return found;
    },
    async set(key, link) {
      const at = now();
      links.delete(key);
      links.set(key, { ...link, expiresAt: at + ttlMs });
      // Map order is insertion order: the first entries are the oldest.
      for (const [oldKey, old] of links) {
        if (links.size <= capacity && old.expiresAt > at) break;
        links.delete(oldKey);
      }
    },
  };
}

/** Links in Redis under `prefix`, shared by every replica; Redis expires them. */
export function redisFlowLinks(redis: Redis, prefix: string, ttlMs = DEFAULT_TTL_MS): FlowLinks {
  return {
    async get(key) {
      const stored = await redis.get(`${prefix}${key}`);
      return stored === null ? undefined : (JSON.parse(stored) as FlowLink);
    },
    async set(key, link) {
      await redis.set(`${prefix}${key}`, JSON.stringify(link), 'PX', ttlMs);
    },
  };
}
