/// <reference path="./oidc-provider-revoke.d.ts" />
// One use, whichever replica sees it: an authorization code (RFC 6749 §4.1.2, FAPI 2.0 SP §5.3.2.2-9), a
// rotated refresh token (RFC 9700 §4.14.2), a request_uri (RFC 9126 §4), a CIBA or device code.
// oidc-provider reads the entry, checks its `consumed` mark, and marks it (`consume`) a few awaits later:
// two redemptions at two replicas, or two interleaved in one, can both read it unmarked. The stores set the
// mark in one step and tell the loser (storage/already-consumed.ts); here the loser gets what oidc-provider
// answers a second use it sees itself: the same error and, for a code or token, the grant revoked by
// oidc-provider's own revoke (which emits grant.revoked, so bank-api refuses the winner's tokens too).
// Why consume and not a check after it: consume is where every one of these paths marks its entry, right
// after oidc-provider's own check and inside the request, and an oidc-provider error thrown there takes the
// endpoint's own error path (status, body, events); a read after the mark would race again.
import Provider, { type Adapter, errors } from 'oidc-provider';
import revoke from 'oidc-provider/lib/helpers/revoke.js';
import { AlreadyConsumed } from '../storage/already-consumed.js';
import type { OidcStore } from '../storage/sqlite-adapter.js';

/** oidc-provider's words for a second use, per model (grant_source.js, refresh_token.js, respond.js). */
const SECOND_USE: Record<string, { revokesGrant: boolean; error: () => Error }> = {
  AuthorizationCode: {
    revokesGrant: true,
    error: () => new errors.InvalidGrant('authorization code already consumed'),
  },
  RefreshToken: { revokesGrant: true, error: () => new errors.InvalidGrant('refresh token already used') },
  DeviceCode: { revokesGrant: true, error: () => new errors.InvalidGrant('device code already consumed') },
  BackchannelAuthenticationRequest: {
    revokesGrant: true,
    error: () => new errors.InvalidGrant('backchannel authentication request already consumed'),
  },
  PushedAuthorizationRequest: {
    revokesGrant: false,
    error: () => new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used'),
  },
};

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
          if (typeof grantId === 'string') await revoke(ctx, grantId);
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
