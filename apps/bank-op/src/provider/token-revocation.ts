// Revocation that reaches bank-api. bank-op's access tokens are RFC 9068 JWTs that bank-api verifies on
// its own, so revoking a grant in oidc-provider's storage alone would leave them usable until they expire.
// Every revocation is therefore also written to the bank's shared revocation record (bank-domain
// token-revocations.ts), which bank-api reads at each call (its "Revocation" check):
//   - a grant oidc-provider revokes: a code redeemed twice (RFC 6749 §4.1.2), a refresh token revoked
//     (RFC 7009 §2.1) or replayed. Access tokens carry their grant's id (GRANT_ID_CLAIM) for that lookup;
//   - one JWT access token presented to the revocation endpoint (RFC 7009 §2). oidc-provider answers
//     unsupported_token_type for every structured token; bank-op, having authenticated the client through
//     oidc-provider, verifies that the token is its own and the client's, and records its jti instead.
import { type BankStore, GRANT_ID_CLAIM, type RevocationReason } from '@fapi-sandbox/bank-domain';
import { composeDescription, oauthSafeText } from '@fapi-sandbox/fapi-core/errors';
import { everyProfileSigningAlgs } from '@fapi-sandbox/fapi-core/jose/algorithms';
import { toPublicJwk } from '@fapi-sandbox/fapi-core/jose/keys';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { noteCheck } from '../http/trace.js';
import { awaitedEvents } from './awaited-events.js';

/** extraTokenClaims: an access token issued under a grant names it, so bank-api can see it revoked. */
export function grantIdClaim(token: { kind: string; grantId?: string }): Record<string, string> {
  return token.kind === 'AccessToken' && token.grantId ? { [GRANT_ID_CLAIM]: token.grantId } : {};
}

function reasonFor(ctx: KoaContextWithOIDC): RevocationReason {
  const route = ctx.oidc?.route;
  const grantType = ctx.oidc?.params?.grant_type;
  if (route === 'revocation') return 'refresh token revoked';
  if (route === 'token' && grantType === 'authorization_code') return 'authorization code redeemed twice';
  if (route === 'token' && grantType === 'refresh_token') return 'refresh token reused';
  return 'grant revoked';
}

/**
 * Records every grant oidc-provider revokes, at the moment it does (its `grant.revoked` event), before the
 * response leaves: a client told "revoked" (or invalid_grant for a reused code) finds bank-api refusing the
 * grant's access tokens at its very next call, on SQLite as on PostgreSQL.
 */
export function recordGrantRevocations(provider: Provider, bank: BankStore): void {
  awaitedEvents(provider).on('grant.revoked', async (ctx, grantId: string) => {
    const reason = reasonFor(ctx);
    await bank.revocations.revokeGrant(grantId, reason);
    noteCheck(ctx.res, {
      name: "The grant's access tokens are refused at bank-api from now on",
      passed: true,
      clause: 'RFC 7009 §2.1, RFC 6749 §4.1.2, FAPI 2.0 SP §5.3.4-3',
      detail: `grant ${grantId} recorded as revoked (${reason}) in the bank's revocation record, which bank-api reads at every call`,
    });
  });
}

const REVOKE_ACCESS_TOKEN_CHECK = 'bank-op revokes its own JWT access token';

/**
 * Makes the revocation endpoint take bank-op's JWT access tokens. Runs after oidc-provider has
 * authenticated the client and refused the token as structured; replaces that refusal with the answer.
 */
export function revokeJwtAccessTokens(
  provider: Provider,
  deps: { bank: BankStore; issuer: string; signingJwks: JSONWebKeySet },
): void {
  const keys = createLocalJWKSet({ keys: deps.signingJwks.keys.map((key) => toPublicJwk(key)) });
  provider.use(async (koa, next) => {
    await next();
    const ctx = koa as unknown as KoaContextWithOIDC;
    const body = ctx.body as { error?: unknown } | undefined;
    if (ctx.oidc?.route !== 'revocation' || body?.error !== 'unsupported_token_type') return;
    const client = ctx.oidc.client;
    const token = ctx.oidc.params?.token;
    if (!client || typeof token !== 'string') return;

    let claims: { jti?: unknown; exp?: unknown; client_id?: unknown };
    try {
      ({ payload: claims } = await jwtVerify(token, keys, {
        issuer: deps.issuer,
        typ: 'at+jwt',
        algorithms: [...everyProfileSigningAlgs()],
      }));
    } catch {
      // RFC 7009 §2.2: an invalid token (not ours, altered, expired) is answered 200 like a revoked one.
      answer(ctx, 200, undefined, {
        passed: true,
        detail: 'not an unexpired access token of this bank: nothing to revoke (RFC 7009 §2.2 answers 200)',
      });
      return;
    }
    // RFC 7009 §2.1: a client revokes only tokens issued to it.
    if (claims.client_id !== client.clientId) {
      answer(
        ctx,
        400,
        {
          error: 'invalid_request',
          error_description: oauthSafeText(
            composeDescription({
              description: 'The token was issued to another client',
              clause: 'RFC 7009 §2.1',
              fix: 'revoke only tokens issued to this client',
            }),
          ),
        },
        { passed: false, detail: 'the access token was issued to another client' },
      );
      return;
    }
    if (typeof claims.jti !== 'string' || typeof claims.exp !== 'number') return;
    await deps.bank.revocations.revokeAccessToken(
      claims.jti,
      new Date(claims.exp * 1000),
      'access token revoked',
    );
    answer(ctx, 200, undefined, {
      passed: true,
      detail: `access token ${claims.jti} recorded as revoked in the bank's revocation record: bank-api refuses it from its next call; the refresh token and the grant stay (RFC 7009 §2.1 leaves that to the server)`,
    });
  });
}

/** Sets the response and puts this check in the trace in place of oidc-provider's refusal. */
function answer(
  ctx: KoaContextWithOIDC,
  status: number,
  body: Record<string, string> | undefined,
  check: Pick<CheckResult, 'passed' | 'detail'>,
): void {
  ctx.status = status;
  ctx.body = body ?? '';
  const checks = (ctx.res as { locals?: { traceChecks?: CheckResult[] } }).locals?.traceChecks;
  const refusal = checks?.findIndex((c) => !c.passed && c.detail?.startsWith('unsupported_token_type'));
  if (checks && refusal !== undefined && refusal >= 0) checks.splice(refusal, 1);
  noteCheck(ctx.res, { name: REVOKE_ACCESS_TOKEN_CHECK, clause: 'RFC 7009 §2, §2.1, §2.2', ...check });
}
