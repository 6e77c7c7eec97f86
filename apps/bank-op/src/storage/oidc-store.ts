// What bank-op's storage of oidc-provider's models offers, whichever engine holds them: the embedded
// SQLite file (sqlite-adapter.ts), the bank's PostgreSQL database (postgres-adapter.ts), and in front of
// either, Redis for the short-lived models replicas share (redis-adapter.ts). open-oidc-store.ts picks.
import type { Adapter } from 'oidc-provider';

/**
 * Entries stay this long after they expire, so oidc-provider can still tell "expired" from "unknown"
 * (a code redeemed after 62 s answers "authorization code is expired", not "not found").
 */
export const EXPIRED_ROW_GRACE_SECONDS = 5 * 60;
/** The stores that keep expired rows delete them once every this many writes. */
export const PURGE_EVERY_N_WRITES = 200;

/**
 * Sets of ids whose members expire one by one, each added in one write (never read, then written back):
 * two requests adding to one set at once both stay in it.
 */
export interface ExpiringSets {
  /** Adds `member` to the set `key` until `expiresAt` (epoch seconds); added again, the later expiry holds. */
  add(key: string, member: string, expiresAt: number): Promise<void>;
  /** The set's unexpired members, the latest expiring first. */
  members(key: string): Promise<string[]>;
}

export interface OidcStore {
  /** Adapter factory for oidc-provider's `adapter` setting. */
  adapterFor(model: string): Adapter;
  /** The expiring sets of a model of the bank's own (e.g. the bank app's inbox of each customer). */
  setsFor(model: string): ExpiringSets;
  /** Deletes entries expired for longer than the grace period; how many. */
  purgeExpired(): Promise<number>;
  /** Ends every customer's session at the bank (as its expiry or a sign-out would); how many. */
  endSessions(): Promise<number>;
  close(): Promise<void>;
}
