// Which store holds bank-op's oidc-provider models, from the configuration: the bank's PostgreSQL database
// when DATABASE_URL names one (replicas on any host share the registrations), else the embedded SQLite
// file in bank-op's data folder; with REDIS_URL, the short-lived models a flow carries between replicas are
// answered from Redis in front of either (redis-adapter.ts SHARED_MODELS).
import path from 'node:path';
import type { Redis } from '@fapi-sandbox/fapi-core/redis';
import type { OidcStore } from './oidc-store.js';
import { openPostgresOidcStore } from './postgres-adapter.js';
import { withSharedModelsInRedis } from './redis-adapter.js';
import { openSqliteOidcStore } from './sqlite-adapter.js';

export interface OidcStoreLocation {
  /** bank-op's data folder: the SQLite file's, when there is no `databaseUrl`. */
  dataDir: string;
  /** DATABASE_URL: the bank's PostgreSQL database, where bank-op keeps tables of its own. */
  databaseUrl?: string | undefined;
  /** REDIS_URL's connection, and the prefix of bank-op's keys in it. */
  redis?: { client: Redis; prefix: string } | undefined;
}

export async function openOidcStore(location: OidcStoreLocation): Promise<OidcStore> {
  const durable = location.databaseUrl
    ? await openPostgresOidcStore(location.databaseUrl)
    : openSqliteOidcStore(path.join(location.dataDir, 'oidc.sqlite'));
  const { redis } = location;
  return redis ? withSharedModelsInRedis(durable, redis.client, redis.prefix) : durable;
}
