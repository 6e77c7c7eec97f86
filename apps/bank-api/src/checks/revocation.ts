// Check: the token has not been revoked (FAPI 2.0 SP §5.3.4-3: the resource server verifies the access
// token's revocation status). bank-op's access tokens are self-contained JWTs, so bank-op writes every
// revocation to the bank's shared revocation record (bank-domain token-revocations.ts) and this check
// reads it: a grant revoked because its code was redeemed twice (RFC 6749 §4.1.2) or its refresh token
// was revoked (RFC 7009 §2.1, as the TPP does when it disconnects), or one access token revoked
// (RFC 7009 §2). The refusal takes effect at the next call, not when the token expires.
import { type BankStore, GRANT_ID_CLAIM, type TokenRevocation } from '@fapi-sandbox/bank-domain';
import { refuse } from './challenge.js';
import type { Check } from './context.js';

export interface RevocationCheckOptions {
  store: BankStore;
}

const CLAUSE = 'FAPI 2.0 SP §5.3.4-3 (revocation status), RFC 7009 §2';

/** The clause behind each way a token ends. */
const CLAUSE_BY_REASON: Record<TokenRevocation['reason'], string> = {
  'authorization code redeemed twice': 'RFC 6749 §4.1.2, FAPI 2.0 SP §5.3.4-3',
  'refresh token revoked': 'RFC 7009 §2.1, FAPI 2.0 SP §5.3.4-3',
  'refresh token reused': 'RFC 6749 §10.4, FAPI 2.0 SP §5.3.4-3',
  'access token revoked': 'RFC 7009 §2, FAPI 2.0 SP §5.3.4-3',
  'grant revoked': CLAUSE,
};

function describe(revocation: TokenRevocation): { description: string; fix: string } {
  if (revocation.kind === 'grant') {
    return {
      description: `The token's grant ${revocation.id} was revoked at ${revocation.revokedAt} (${revocation.reason}), and with it every access token issued under it`,
      fix:
        revocation.reason === 'authorization code redeemed twice'
          ? 'redeem each authorization code once; start a new authorization (connect again) for new tokens'
          : 'the connection has ended: create a new consent and ask the customer to authorise it (connect again)',
    };
  }
  return {
    description: `The access token ${revocation.id} was revoked at ${revocation.revokedAt}`,
    fix: 'obtain a new access token with the refresh token, or connect again',
  };
}

export function revocationCheck(options: RevocationCheckOptions): Check {
  return {
    name: 'Revocation: neither the token nor its grant is revoked',
    clause: CLAUSE,
    async run(ctx) {
      const token = ctx.token!;
      const scheme = ctx.credentials!.scheme;
      // A customer's token (it names a consent) must name its grant, or its grant's revocation could not be seen.
      if (token.openbanking_intent_id && !token.grant_id) {
        throw refuse(scheme, {
          status: 401,
          error: 'invalid_token',
          description: `The token names no grant (no ${GRANT_ID_CLAIM} claim), so the bank cannot tell whether its grant was revoked`,
          clause: CLAUSE,
          fix: "obtain a new access token from bank-op (refresh it): bank-op's tokens name their grant",
        });
      }
      const revocation = await options.store.revocations.find({
        ...(token.grant_id ? { grantId: token.grant_id } : {}),
        jti: token.jti,
      });
      if (revocation) {
        throw refuse(scheme, {
          status: 401,
          error: 'invalid_token',
          ...describe(revocation),
          clause: CLAUSE_BY_REASON[revocation.reason],
        });
      }
      return token.grant_id
        ? `neither grant ${token.grant_id} nor token ${token.jti} is in the bank's revocation record`
        : `token ${token.jti} is not in the bank's revocation record`;
    },
  };
}
