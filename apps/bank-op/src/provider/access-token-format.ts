// Which kind of access token a client's tokens are: a JWT bank-api checks offline (RFC 9068, the default)
// or an opaque handle bank-api asks bank-op about at every call (RFC 7662 introspection). A sandbox
// extension of the client metadata, so a learner can compare the two from one bank: real ecosystems fix
// the format per resource server (what the API can verify), not per client.
import {
  ACCESS_TOKEN_FORMAT_METADATA,
  ACCESS_TOKEN_FORMATS,
  type AccessTokenFormat,
} from '@fapi-sandbox/fapi-core/introspection';
import { errors } from 'oidc-provider';

export { ACCESS_TOKEN_FORMAT_METADATA };

export function isAccessTokenFormat(value: unknown): value is AccessTokenFormat {
  return ACCESS_TOKEN_FORMATS.includes(value as AccessTokenFormat);
}

/** What a bad value is told: the choices and what each means. */
export const ACCESS_TOKEN_FORMAT_FIX = `send ${ACCESS_TOKEN_FORMAT_METADATA} "jwt" (RFC 9068, the default: bank-api checks the token offline) or "opaque" (bank-api introspects it at bank-op, RFC 7662)`;

/** The format of a client's access tokens for bank-api (JWT when it chose none). */
export function accessTokenFormatOf(client: unknown): AccessTokenFormat {
  const chosen = (client as Record<string, unknown> | undefined)?.[ACCESS_TOKEN_FORMAT_METADATA];
  return isAccessTokenFormat(chosen) ? chosen : 'jwt';
}

/** oidc-provider's extraClientMetadata validator for the field (its second line of defence). */
export function assertAccessTokenFormat(value: unknown): void {
  if (value !== undefined && !isAccessTokenFormat(value)) {
    throw new errors.InvalidClientMetadata(
      `${ACCESS_TOKEN_FORMAT_METADATA} must be "jwt" or "opaque" (bank-op sandbox extension); ${ACCESS_TOKEN_FORMAT_FIX}`,
    );
  }
}
