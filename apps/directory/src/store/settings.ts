// Small counters and flags the directory keeps between restarts.
import { sql } from 'kysely';
import type { CurrentDb } from './database.js';

const CRL_NUMBER = 'crl_number';

export function settingsRepository(db: CurrentDb) {
  const crlNumber = async (): Promise<number> => {
    const row = await db()
      .selectFrom('settings')
      .select('value')
      .where('key', '=', CRL_NUMBER)
      .executeTakeFirst();
    return Number(row?.value ?? '1');
  };

  return {
    /** RFC 5280 §5.2.3: a monotonically increasing CRL number, raised whenever the revoked set changes. */
    crlNumber,
    /**
     * Raised in one statement (an upsert adding one), so two replicas revoking at once each get a number
     * of their own: a read-then-write would let both write the same one.
     */
    bumpCrlNumber: async (): Promise<number> => {
      const row = await db()
        .insertInto('settings')
        .values({ key: CRL_NUMBER, value: '2' })
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ value: sql<string>`CAST(CAST(settings.value AS INTEGER) + 1 AS TEXT)` }),
        )
        .returning('value')
        .executeTakeFirstOrThrow();
      return Number(row.value);
    },
  };
}

export type SettingsRepository = ReturnType<typeof settingsRepository>;
