// Reading a row to decide a write (is the software still active? how many does the organisation hold?)
// must hold that row until the transaction commits, or two replicas decide on the same reading and both
// write. On PostgreSQL that is SELECT … FOR UPDATE: the second transaction waits for the first, then
// reads what it wrote. SQLite has no row locks and needs none: every transaction there begins with
// BEGIN IMMEDIATE (fapi-core/sql-database.ts), which already holds the whole file's write lock.
import { type SelectQueryBuilder, sql } from 'kysely';
import type { CurrentDb, Engine } from './database.js';

export function rowLocks(engine: Engine, db: CurrentDb) {
  return {
    /**
     * Inside a transaction: waits until no other transaction holds `name`, then holds it until this one
     * ends (a PostgreSQL transaction-level advisory lock), for a write that has no one row to lock.
     */
    async holdExclusively(name: string): Promise<void> {
      if (engine === 'postgres')
        await sql`SELECT pg_advisory_xact_lock(hashtext(${`directory:${name}`}))`.execute(db());
    },
    forUpdate<DB, TB extends keyof DB, O>(
      query: SelectQueryBuilder<DB, TB, O>,
    ): SelectQueryBuilder<DB, TB, O> {
      return engine === 'postgres' ? query.forUpdate() : query;
    },
  };
}

export type RowLocks = ReturnType<typeof rowLocks>;
