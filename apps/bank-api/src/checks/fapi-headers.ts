// Check: the FAPI request headers and where the access token travels.
// FAPI 1.0 Part 1 §6.2.1-11 (x-fapi-interaction-id, echoed), §6.2.2-3/-4 and §6.2.1-13 (x-fapi-auth-date,
// x-fapi-customer-ip-address IPv4 or IPv6); FAPI 2.0 SP §5.3.4-1/-2 and FAPI 1.0 Part 1 §6.2.1-2/-3: the token
// comes in the Authorization header (RFC 6750 §2.1, RFC 9449 §7.1), never in the query (RFC 6750 §2.3);
// the scheme name is case-insensitive (RFC 9110 §11.1).
import { readFapiHeaders } from '@fapi-sandbox/fapi-core/fapi-headers';
import { missingCredentials, refuse } from './challenge.js';
import type { AuthScheme, Check, PipelineContext } from './context.js';

// RFC 6750 §2.1 b64token / RFC 9449 §7.1 token68: the characters an access token may contain.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

function parseAuthorization(ctx: PipelineContext): { scheme: AuthScheme; token: string } {
  const header = ctx.headers.authorization;
  if (header === undefined || header === '') {
    throw missingCredentials(
      'The request has no Authorization header',
      'RFC 6750 §2.1, RFC 9449 §7.1, FAPI 2.0 SP §5.3.4-1',
      "send 'Authorization: DPoP <token>' with a DPoP proof, or 'Authorization: Bearer <token>' over mutual TLS",
    );
  }
  const value = Array.isArray(header) ? header.join(', ') : header;
  const match = /^(\S+)\s+(\S+)$/.exec(value.trim());
  const scheme = match?.[1]?.toLowerCase();
  if (!match || (scheme !== 'bearer' && scheme !== 'dpop')) {
    throw missingCredentials(
      `The Authorization header is not '<scheme> <token>' with scheme Bearer or DPoP`,
      'RFC 6750 §2.1, RFC 9449 §7.1',
      "send 'Authorization: DPoP <token>' or 'Authorization: Bearer <token>' (one token, one space)",
    );
  }
  const normalised: AuthScheme = scheme === 'dpop' ? 'DPoP' : 'Bearer';
  const token = match[2]!;
  if (!TOKEN68.test(token)) {
    throw refuse(normalised, {
      status: 400,
      error: 'invalid_request',
      description: 'The access token contains characters a token cannot contain',
      clause: 'RFC 6750 §2.1',
      fix: 'send the access_token exactly as the token endpoint returned it',
    });
  }
  return { scheme: normalised, token };
}

export function fapiHeadersCheck(): Check {
  return {
    name: 'FAPI headers and token location',
    clause: 'FAPI 1.0 Part 1 §6.2.1-2/-3/-11/-13, §6.2.2; FAPI 2.0 SP §5.3.4-1/-2',
    run(ctx) {
      // RFC 6750 §2.3 / FAPI 2.0 SP §5.3.4-2: an access token in the URL ends up in logs and Referer headers.
      if (ctx.query.has('access_token')) {
        throw refuse(undefined, {
          status: 400,
          error: 'invalid_request',
          description: 'The access token was sent in the query string (access_token=…)',
          clause: 'FAPI 2.0 SP §5.3.4-2, FAPI 1.0 Part 1 §6.2.1-3, RFC 6750 §2.3',
          fix: 'remove access_token from the URL and send it in the Authorization header',
        });
      }
      // Throws 400 invalid_request naming the header, its clause and the fix.
      const fapi = readFapiHeaders(ctx.headers);
      ctx.fapi = { ...fapi, interactionId: ctx.interactionId };
      ctx.credentials = parseAuthorization(ctx);

      const notes = [
        fapi.minted
          ? `no x-fapi-interaction-id sent, minted ${ctx.interactionId}`
          : 'x-fapi-interaction-id echoed',
        fapi.authDate ? `customer last logged in ${fapi.authDate.toISOString()}` : undefined,
        fapi.customerIpAddress ? `customer present at ${fapi.customerIpAddress}` : undefined,
        `token in the Authorization header, scheme ${ctx.credentials.scheme}`,
      ];
      return notes.filter(Boolean).join('; ');
    },
  };
}
