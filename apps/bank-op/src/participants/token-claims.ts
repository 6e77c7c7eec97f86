// Every access token names the directory participant it was issued to: the software statement
// (`software_id`) and its organisation (`org_id`), as the client was registered from its SSA. The
// directory stays in charge after the token is issued: bank-api asks it for that software's status at
// each call, so a suspension or revocation stops the token at once — also for a DPoP client, which
// shows bank-api no certificate to look up. Both are private claims bank-op and bank-api agree on
// (RFC 7519 §4.3), beside the ones RFC 9068 §2.2 requires.
import type { KoaContextWithOIDC } from 'oidc-provider';

export const SOFTWARE_ID_CLAIM = 'software_id';
export const ORG_ID_CLAIM = 'org_id';

/** The token kinds oidc-provider issues as access tokens (customer grants and client credentials). */
const ACCESS_TOKEN_KINDS = new Set(['AccessToken', 'ClientCredentials']);

interface TokenLike {
  kind: string;
  clientId?: string;
  client?: { clientId: string } | undefined;
}

interface RegisteredParticipant {
  clientId: string;
  [SOFTWARE_ID_CLAIM]?: unknown;
  [ORG_ID_CLAIM]?: unknown;
}

/** extraTokenClaims part: `software_id` and `org_id` of the client, stored at registration from its SSA. */
export function participantTokenClaims(
  ctx: KoaContextWithOIDC | undefined,
  token: TokenLike,
): Record<string, string> | undefined {
  if (!ACCESS_TOKEN_KINDS.has(token.kind)) return undefined;
  const client = (token.client ?? ctx?.oidc.client) as RegisteredParticipant | undefined;
  if (!client || client.clientId !== token.clientId) return undefined;
  const softwareId = client[SOFTWARE_ID_CLAIM];
  const orgId = client[ORG_ID_CLAIM];
  if (typeof softwareId !== 'string' || typeof orgId !== 'string') return undefined;
  return { [SOFTWARE_ID_CLAIM]: softwareId, [ORG_ID_CLAIM]: orgId };
}

export const PROFILE_CLAIM = 'fapi_profile';

/**
 * extraTokenClaims part: the profile the client registered for (its `fapi_profile` metadata), so bank-api
 * accepts a token without cnf only when it was issued to a FAPI 1.0 Baseline client (Part 1 §6.2.1-2),
 * and refuses it from everyone else (FAPI 2.0 SP §5.3.4-5, FAPI 1.0 Adv §6.2.1-2).
 */
export function profileTokenClaim(
  ctx: KoaContextWithOIDC | undefined,
  token: TokenLike,
): Record<string, string> | undefined {
  if (!ACCESS_TOKEN_KINDS.has(token.kind)) return undefined;
  const client = (token.client ?? ctx?.oidc.client) as
    | { clientId: string; fapi_profile?: unknown }
    | undefined;
  if (!client || client.clientId !== token.clientId || typeof client.fapi_profile !== 'string')
    return undefined;
  return { [PROFILE_CLAIM]: client.fapi_profile };
}
