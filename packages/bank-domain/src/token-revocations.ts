// Revoked grants and access tokens, shared by the bank's two processes. bank-op's access tokens are
// RFC 9068 JWTs: bank-api verifies them with bank-op's public key and never asks bank-op about them, so
// when bank-op revokes a grant (a code redeemed twice, RFC 6749 §4.1.2; a refresh token revoked, RFC 7009
// §2.1) or one access token (RFC 7009 §2), it writes the fact here, in the store both processes open, and
// bank-api reads it at every call (FAPI 2.0 SP §5.3.4-3: the resource server checks revocation status).
// A shared record was chosen over opaque tokens with introspection: the tokens stay self-contained for
// the learner to decode, and the check costs one indexed read of a local file instead of a network call.
import type Database from 'better-sqlite3';

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
  revokeGrant(grantId: string, reason: RevocationReason): void;
  /** This one access token is refused from now on; the record is kept until the token expires. */
  revokeAccessToken(jti: string, expiresAt: Date, reason: RevocationReason): void;
  /** The revocation that ends this token, if any: its grant's first, then its own. */
  find(token: { grantId?: string; jti: string }): TokenRevocation | undefined;
}

interface Row {
  kind: 'grant' | 'access-token';
  id: string;
  reason: RevocationReason;
  revoked_at: string;
}

/** Grant records outlive any refresh token issued under them (90 days), with a margin. */
const GRANT_RECORD_DAYS = 120;

export function tokenRevocationsRepository(db: Database.Database, now: () => Date): TokenRevocations {
  const insert = db.prepare(
    `INSERT INTO token_revocations (kind, id, reason, revoked_at, expires_at)
     VALUES (@kind, @id, @reason, @at, @expiresAt)
     ON CONFLICT (kind, id) DO NOTHING`,
  );
  // One indexed read per call (two primary-key lookups in one statement): its grant's record first, then its own.
  const find = db.prepare<{ grantId: string | null; jti: string }, Row>(
    `SELECT kind, id, reason, revoked_at FROM token_revocations
     WHERE (kind = 'grant' AND id = @grantId) OR (kind = 'access-token' AND id = @jti)
     ORDER BY kind = 'grant' DESC LIMIT 1`,
  );
  const purge = db.prepare('DELETE FROM token_revocations WHERE expires_at <= ?');

  const record = (kind: Row['kind'], id: string, reason: RevocationReason, expiresAt: Date) => {
    const at = now();
    purge.run(at.toISOString());
    insert.run({ kind, id, reason, at: at.toISOString(), expiresAt: expiresAt.toISOString() });
  };

  return {
    revokeGrant(grantId, reason) {
      record('grant', grantId, reason, new Date(now().getTime() + GRANT_RECORD_DAYS * 86_400_000));
    },
    revokeAccessToken(jti, expiresAt, reason) {
      record('access-token', jti, reason, expiresAt);
    },
    find(token) {
      const row = find.get({ grantId: token.grantId ?? null, jti: token.jti });
      return row && { kind: row.kind, id: row.id, reason: row.reason, revokedAt: row.revoked_at };
    },
  };
}
