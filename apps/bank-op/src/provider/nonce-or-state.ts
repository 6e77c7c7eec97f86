// FAPI 1.0 Part 1 §5.2.2.2-1 and §5.2.2.3-1: the authorization server requires nonce when scope has
// openid, and state when it does not. oidc-provider checks this only in its '1.0 Final' mode
// (oidcRequired), which Baseline clients do not run in, so bank-op checks it for the profiles that ask
// (client policy requireNonceOrState), on the authorization and PAR endpoints, through extraParams.
import { composeDescription } from '@fapi-sandbox/fapi-core/errors';
import { type Client, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { profileOf, ruleById } from '../profiles/index.js';

/** Which of nonce and state FAPI 1.0 Part 1 requires of these authorization parameters. */
export function nonceOrStateRequired(params: Record<string, unknown>): 'nonce' | 'state' {
  return String(params.scope ?? '')
    .split(' ')
    .includes('openid')
    ? 'nonce'
    : 'state';
}

/** extraParams validator, registered under `nonce`; oidc-provider runs it after the redirect_uri check. */
export async function requireNonceOrState(
  ctx: KoaContextWithOIDC,
  _nonce: string | undefined,
  client: Client | undefined,
): Promise<void> {
  const profile = profileOf(client as never);
  if (!profile.client.requireNonceOrState) return;
  const params = ctx.oidc.params as Record<string, unknown>;
  const required = nonceOrStateRequired(params);
  if (typeof params[required] === 'string' && params[required] !== '') return;
  const rule = ruleById(profile, 'nonce-or-state');
  throw new errors.InvalidRequest(
    composeDescription({
      description: `missing required parameter '${required}' (${profile.title} requires ${required} when scope ${required === 'nonce' ? 'has' : 'lacks'} openid)`,
      clause: rule.clause,
      fix: rule.fix,
    }),
  );
}
