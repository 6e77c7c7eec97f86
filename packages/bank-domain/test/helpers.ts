import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshPostgresDatabase as freshDatabaseOn } from '@fapi-sandbox/fapi-core/testing-postgres';
import type {} from '@fapi-sandbox/fapi-core/testing-postgres-setup';
import { type RawBuilder, sql } from 'kysely';
import { inject } from 'vitest';
import { type BankDb, type DatabaseLocation, openDatabase } from '../src/database.js';
import { type BankStore, openBankStore } from '../src/index.js';

export interface TestBank {
  store: BankStore;
  /** Where the bank lives: pass it to openBankStore to open a second store (a second process's view). */
  location: DatabaseLocation;
  /** A connection of the test's own, beside the store's: what another process would read. */
  probe: BankDb;
  clock: { now: Date; advance(ms: number): void };
  cleanup(): Promise<void>;
}

export type Engine = 'sqlite' | 'postgres';

/** The engines this run tests on: SQLite always, PostgreSQL when fapi-core/testing-postgres-setup started one. */
export const ENGINES: Engine[] = inject('postgresUrl') ? ['sqlite', 'postgres'] : ['sqlite'];

/** A fresh, empty database on the test PostgreSQL server; its URL. */
export async function freshPostgresDatabase(): Promise<string> {
  const url = inject('postgresUrl');
  if (!url) throw new Error('no test PostgreSQL server (see fapi-core/testing-postgres-setup.ts)');
  return freshDatabaseOn(url);
}

/** Where a fresh bank lives on this engine: a new SQLite file in `dir`, or a new PostgreSQL database. */
export async function freshLocation(engine: Engine, dir: string): Promise<DatabaseLocation> {
  const file = path.join(dir, 'bank', 'bank.sqlite');
  return engine === 'postgres' ? { file, url: await freshPostgresDatabase() } : { file };
}

/** A fresh seeded bank (its own file or database), with a clock the test moves. */
export async function openTestBank(
  engine: Engine = 'sqlite',
  start = new Date('2025-07-01T10:00:00.000Z'),
): Promise<TestBank> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-domain-test-'));
  const where = await freshLocation(engine, dir);
  const clock = {
    now: start,
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  const store = await openBankStore({ ...where, now: () => clock.now });
  const probe = openDatabase(where).db;
  return {
    store,
    location: where,
    probe,
    clock,
    async cleanup() {
      await Promise.all([store.close(), probe.destroy()]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One number from a raw query on the probe connection (COUNT(*) and the like). */
export async function scalar(bank: TestBank, query: RawBuilder<unknown>): Promise<number> {
  const { rows } = await query.execute(bank.probe);
  return Number(Object.values(rows[0] as Record<string, unknown>)[0]);
}

export { ALICE, BOB, BUDGETLY, initiation, MONEYWISE, RISK } from './fixtures/bank-data.js';
export { sql };
