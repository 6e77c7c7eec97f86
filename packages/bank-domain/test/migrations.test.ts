// The schema is versioned migrations applied at open: an up-to-date database is left alone and keeps
// its data, a database from newer code is refused, a bank.sqlite from before migrations is adopted,
// and processes opening a fresh database together migrate and seed it once.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/database.js';
import { openBankStore } from '../src/index.js';
import { migrateToLatest, migrationNames } from '../src/migrations.js';
import { ENGINES, freshLocation, MONEYWISE, openTestBank, scalar, sql, type TestBank } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let bank: TestBank | undefined;
afterEach(async () => {
  await bank?.cleanup();
  bank = undefined;
});

describe.each(ENGINES)('on %s', (engine) => {
  it('records every migration it applied, and applies nothing to an up-to-date database', async () => {
    bank = await openTestBank(engine);
    const applied = await bank.probe
      .selectFrom('kysely_migration' as never)
      .select('name' as never)
      .execute();
    expect(applied.map((row) => (row as { name: string }).name)).toEqual(migrationNames(engine));

    const consent = await bank.store.consents.createAccountAccess({
      clientId: MONEYWISE,
      permissions: ['ReadBalances'],
    });
    expect(await migrateToLatest(bank.probe, engine)).toEqual([]);
    const reopened = await openBankStore(bank.location);
    try {
      expect((await reopened.consents.get(consent.consentId))?.status).toBe('AwaitingAuthorisation');
      expect(await scalar(bank, sql`SELECT COUNT(*) FROM customers`)).toBe(3);
    } finally {
      await reopened.close();
    }
  });

  it('refuses a database migrated by newer code, naming the migration it does not know', async () => {
    bank = await openTestBank(engine);
    await sql`INSERT INTO kysely_migration (name, timestamp) VALUES ('9999-from-the-future', '2099-01-01')`.execute(
      bank.probe,
    );
    await expect(openBankStore(bank.location)).rejects.toThrow(
      /could not be migrated.*9999-from-the-future/s,
    );
  });

  it('is migrated and seeded once by processes that open a fresh database at the same instant', {
    timeout: 60_000,
  }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-domain-open-'));
    const location = await freshLocation(engine, dir);
    const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    // Far enough ahead that every worker has loaded before it (tsx takes seconds on a busy machine).
    const startAt = String(Date.now() + 5_000);
    const outputs = await Promise.all(
      [1, 2, 3, 4].map(() =>
        promisify(execFile)(process.execPath, [
          tsxCli,
          path.join(here, 'fixtures/open-worker.ts'),
          JSON.stringify(location),
          startAt,
        ]),
      ),
    );
    expect(outputs.map((o) => JSON.parse(o.stdout))).toEqual([
      { accounts: 2 },
      { accounts: 2 },
      { accounts: 2 },
      { accounts: 2 },
    ]);
    const { db } = openDatabase(location);
    try {
      const customers = await db.selectFrom('customers').select('customer_id').execute();
      expect(customers).toHaveLength(3);
      const seeded = await db
        .selectFrom('meta')
        .select('key')
        .where('key', '=', 'seed_reference_date')
        .execute();
      expect(seeded).toHaveLength(1);
    } finally {
      await db.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a bank.sqlite made before migrations', () => {
  it('is adopted with its data: no second seed, the schema recorded as migrated', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-domain-legacy-'));
    const file = path.join(dir, 'bank.sqlite');
    const legacy = new Database(file);
    legacy.exec(fs.readFileSync(path.join(here, 'fixtures/bank-before-migrations.sql'), 'utf8'));
    legacy.exec(`INSERT INTO meta VALUES ('schema_version', '1'), ('seed_reference_date', '2025-06-30T00:00:00.000Z');
      INSERT INTO customers VALUES ('cust-zoe', 'zoe', 'Zoe Lee', 'scrypt$kept');`);
    legacy.close();

    const store = await openBankStore({ file });
    try {
      expect(await store.customers.get('cust-zoe')).toEqual({
        customerId: 'cust-zoe',
        username: 'zoe',
        displayName: 'Zoe Lee',
      });
      expect(await store.customers.get('cust-alice')).toBeUndefined();
    } finally {
      await store.close();
    }
    const check = new Database(file, { readonly: true });
    expect(check.prepare('SELECT name FROM kysely_migration').pluck().all()).toEqual(
      migrationNames('sqlite'),
    );
    check.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
