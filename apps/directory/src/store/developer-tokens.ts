// The developer portal's tokens: each one names the one organisation it acts for. Only a SHA-256 of the
// token is stored; the token itself is shown once, at sign-up.
import type { CurrentDb } from './database.js';

export function developerTokensRepository(db: CurrentDb) {
  return {
    insert: async (row: { tokenHash: string; orgId: string; createdAt: string }): Promise<void> => {
      await db()
        .insertInto('developer_tokens')
        .values({ token_hash: row.tokenHash, org_id: row.orgId, created_at: row.createdAt })
        .execute();
    },
    orgIdOf: async (tokenHash: string): Promise<string | undefined> =>
      (
        await db()
          .selectFrom('developer_tokens')
          .select('org_id')
          .where('token_hash', '=', tokenHash)
          .executeTakeFirst()
      )?.org_id,
    count: async (): Promise<number> => {
      const row = await db()
        .selectFrom('developer_tokens')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
