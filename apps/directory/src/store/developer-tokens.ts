// The developer portal's tokens: each one names the one organisation it acts for. Only a SHA-256 of the
// token is stored; the token itself is shown once, at sign-up.
import type { Db } from './database.js';

export function developerTokensRepository(db: Db) {
  const insert = db.prepare(
    'INSERT INTO developer_tokens (token_hash, org_id, created_at) VALUES (@tokenHash, @orgId, @createdAt)',
  );
  const byHash = db.prepare<[string], { org_id: string }>(
    'SELECT org_id FROM developer_tokens WHERE token_hash = ?',
  );
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM developer_tokens');
  return {
    insert: (row: { tokenHash: string; orgId: string; createdAt: string }): void => {
      insert.run(row);
    },
    orgIdOf: (tokenHash: string): string | undefined => byHash.get(tokenHash)?.org_id,
    count: (): number => count.get()?.n ?? 0,
  };
}
