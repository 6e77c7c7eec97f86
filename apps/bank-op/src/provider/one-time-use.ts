// One use, whichever replica sees it: an authorization code (RFC 6749 §4.1.2, FAPI 2.0 SP §5.3.2.2-9), a
// rotated refresh token (RFC 9700 §4.14.2), a request_uri (RFC 9126 §4), a CIBA request (CIBA Core §11).
// oidc-provider reads the entry, checks its `consumed` mark, and marks it (`consume`) a few awaits later:
// two redemptions at two replicas, or two interleaved in one, can both read it unmarked. The stores set the
// mark in one step and tell the loser (storage/already-consumed.ts); here the loser gets what oidc-provider
// answers a second use it sees itself: the same error and, for a code or token, the grant revoked as
// oidc-provider revokes it (revokeGrant below), with grant.revoked emitted so bank-api refuses the winner's
// tokens too.
// Why consume and not a check after it: consume is where every one of these paths marks its entry, right
// after oidc-provider's own check and inside the request, and an oidc-provider error thrown there takes the
// endpoint's own error path (status, body, events); a read after the mark would race again.
import Provider, { type Adapter, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { AlreadyConsumed } from '../storage/already-consumed.js';
import type { OidcStore } from '../storage/oidc-store.js';

/** oidc-provider's words for a second use, per model (grant_source.js, refresh_token.js, respond.js). */
const SECOND_USE: Record<string, { revokesGrant: boolean; error: () => Error }> = {
  AuthorizationCode: {
    revokesGrant: true,
    error: () => new errors.InvalidGrant('authorization code already consumed'),
  },
  RefreshToken: { revokesGrant: true, error: () => new errors.InvalidGrant('refresh token already used') },
  BackchannelAuthenticationRequest: {
    revokesGrant: true,
    error: () => new errors.InvalidGrant('backchannel authentication request already consumed'),
  },
  PushedAuthorizationRequest: {
    revokesGrant: false,
    error: () => new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used'),
  },
};

/**
 * What oidc-provider does when it sees a reuse itself (its internal lib/helpers/revoke.js), through its
 * public models: every token and code of the grant deleted, the grant itself destroyed (its default
 * revokeGrantPolicy, which bank-op keeps, revokes the grant at the token endpoint) and grant.revoked
 * emitted for bank-api's revocation record (token-revocation.ts). The sandbox has no device flow.
 */
async function revokeGrant(ctx: KoaContextWithOIDC, grantId: string): Promise<void> {
  const { provider } = ctx.oidc;
  const issuedUnderGrant = [
    provider.AccessToken,
    provider.RefreshToken,
    provider.AuthorizationCode,
    provider.BackchannelAuthenticationRequest,
  ];
  await Promise.all([
    ...issuedUnderGrant.map((model) => model.revokeByGrantId(grantId)),
    provider.Grant.adapter.destroy(grantId),
  ]);
  provider.emit('grant.revoked', ctx, grantId);
}

function refusingSecondUse(model: string, adapter: Adapter): Adapter {
  const secondUse = SECOND_USE[model];
  if (!secondUse) return adapter;
  return {
    ...adapter,
    async consume(id: string) {
      try {
        await adapter.consume(id);
      } catch (err) {
        if (!(err instanceof AlreadyConsumed)) throw err;
        const ctx = Provider.ctx;
        if (secondUse.revokesGrant && ctx) {
          const grantId = (await adapter.find(id))?.grantId;
          if (typeof grantId === 'string') await revokeGrant(ctx, grantId);
        }
        throw secondUse.error();
      }
    },
  };
}

/** The store, with the loser of a race to consume an entry refused as oidc-provider refuses a reuse. */
export function withOneTimeUse(store: OidcStore): OidcStore {
  return {
    ...store,
    adapterFor: (model) => refusingSecondUse(model, store.adapterFor(model)),
  };
}
