// Revoked grants and access tokens, shared by the bank's two processes. bank-op's access tokens are
// RFC 9068 JWTs: bank-api verifies them with bank-op's public key and never asks bank-op about them, so
// when bank-op revokes a grant (a code redeemed twice, RFC 6749 §4.1.2; a refresh token revoked, RFC 7009
// §2.1) or one access token (RFC 7009 §2), it writes the fact here, in the store both processes open, and
// bank-api reads it at every call (FAPI 2.0 SP §5.3.4-3: the resource server checks revocation status).
// A shared record was chosen over opaque tokens with introspection: the tokens stay self-contained for
// the learner to decode, and the check costs one indexed read of a local file instead of a network call.
import type { BankDb } from './database.js';
import { preparedQuery } from './prepared-query.js';

/** The access-token claim naming the grant (oidc-provider's grantId) a token was issued under. */
export const GRANT_ID_CLAIM = 'grant_id';

/** Why a grant or token ended, in words a learner reads in the trace. */
export type RevocationReason =
  | 'authorization code redeemed twice'
  | 'refresh token revoked'
  | 'refresh token reused'
  | 'access token revoked'
  | 'grant revoked';

export interface TokenRevocation {
  kind: 'grant' | 'access-token';
  /** The grant id (oidc-provider's grantId) or the access token's jti. */
  id: string;
  reason: RevocationReason;
  revokedAt: string;
}

export interface TokenRevocations {
  /** Every access token issued under this grant is refused from now on. Idempotent. */
  revokeGrant(grantId: string, reason: RevocationReason): Promise<void>;
  /** This one access token is refused from now on; the record is kept until the token expires. */
  revokeAccessToken(jti: string, expiresAt: Date, reason: RevocationReason): Promise<void>;
  /** The revocation that ends this token, if any: its grant's first, then its own. */
  find(token: { grantId?: string; jti: string }): Promise<TokenRevocation | undefined>;
}

// One indexed read per call: two primary-key lookups in one statement, the grant's record preferred.
// No ORDER BY … LIMIT: Kysely binds the limit as a parameter, and SQLite then sorts (three times slower).
const revocationColumns = ['kind', 'id', 'reason', 'revoked_at'] as const;
const revocationsOfGrantOrToken = preparedQuery((db: BankDb, grantId: string, jti: string) =>
  db
    .selectFrom('token_revocations')
    .select(revocationColumns)
    .where((eb) =>
      eb.or([
        eb.and([eb('kind', '=', 'grant'), eb('id', '=', grantId)]),
        eb.and([eb('kind', '=', 'access-token'), eb('id', '=', jti)]),
      ]),
    ),
);
const revocationOfToken = preparedQuery((db: BankDb, jti: string) =>
  db
    .selectFrom('token_revocations')
    .select(revocationColumns)
    .where('kind', '=', 'access-token')
    .where('id', '=', jti),
);

/** Grant records outlive any refresh token issued under them (90 days), with a margin. */
const GRANT_RECORD_DAYS = 120;

export function tokenRevocationsRepository(db: BankDb, now: () => Date): TokenRevocations {
  const record = async (
    kind: TokenRevocation['kind'],
    id: string,
    reason: RevocationReason,
    expiresAt: Date,
  ) => {
    const at = now().toISOString();
    await db.deleteFrom('token_revocations').where('expires_at', '<=', at).execute();
    await db
      .insertInto('token_revocations')
      .values({ kind, id, reason, revoked_at: at, expires_at: expiresAt.toISOString() })
      .onConflict((oc) => oc.columns(['kind', 'id']).doNothing())
      .execute();
  };

  return {
    async revokeGrant(grantId, reason) {
      await record('grant', grantId, reason, new Date(now().getTime() + GRANT_RECORD_DAYS * 86_400_000));
    },
    async revokeAccessToken(jti, expiresAt, reason) {
      await record('access-token', jti, reason, expiresAt);
    },
    async find(token) {
      const rows =
        token.grantId === undefined
          ? await revocationOfToken(db, token.jti)
          : await revocationsOfGrantOrToken(db, token.grantId, token.jti);
      const row = rows.find((r) => r.kind === 'grant') ?? rows[0];
      return (
        row && {
          kind: row.kind,
          id: row.id,
          reason: row.reason as RevocationReason,
          revokedAt: row.revoked_at,
        }
      );
    },
  };
}
