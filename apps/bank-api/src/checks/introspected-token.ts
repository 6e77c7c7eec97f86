// Check 2, for an opaque access token (one that is not a JWT): bank-api cannot read it, so it asks bank-op
// (RFC 7662 §2.1, introspection.ts) and takes the answer as it would a JWT's claims: active, issued by
// bank-op, for this API, in date, naming its client, scope and binding (RFC 7662 §2.2; cnf per RFC 8705
// §3.2 and RFC 9449 §6.2). The binding, revocation, participant and consent checks that follow run on
// what it found, exactly as for a JWT.
import { createHash } from 'node:crypto';
import { audienceValues } from '@fapi-sandbox/fapi-core/jose/claims';
import type { Violation } from '@fapi-sandbox/fapi-core/jose/reject';
import { jwtsForDisplay } from '@fapi-sandbox/fapi-core/trace';
import type { Introspect } from '../introspection.js';
import type { AccessTokenClaims, PipelineContext } from './context.js';

export interface IntrospectedTokenOptions {
  introspect: Introspect;
  issuer: string;
  audience: string;
  toleranceSeconds: number;
  now: () => number;
  reject: (violation: Violation) => Error;
}

const optionalString = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

export async function checkIntrospectedToken(ctx: PipelineContext, options: IntrospectedTokenOptions) {
  const token = ctx.credentials!.token;
  const { response, jwt, ms } = await options.introspect(token);
  const [shown] = jwtsForDisplay(jwt, 'introspection response (RFC 9701)');
  if (shown) {
    shown.verified = true;
    ctx.jwts.push(shown);
  }
  const { reject } = options;
  // RFC 7662 §2.2: inactive covers expired, revoked (its grant too), never issued, or not for this API.
  if (response.active !== true) {
    throw reject({
      description: `bank-op says the token is not active (asked by introspection in ${ms} ms): it expired, was revoked, or is not a token for this API`,
      clause: 'RFC 7662 §2.2',
      fix: 'obtain a new access token (refresh it, or connect again if the connection was revoked)',
    });
  }
  if (response.iss !== options.issuer) {
    throw reject({
      description: `The introspected token was issued by '${String(response.iss)}', not by ${options.issuer}`,
      clause: 'RFC 7662 §2.2, RFC 9068 §4',
      fix: `obtain the token from ${options.issuer}`,
    });
  }
  const audiences = audienceValues(response.aud);
  if (!audiences.includes(options.audience)) {
    throw reject({
      description: `The introspected token's audience is ${JSON.stringify(response.aud ?? null)}, which does not include ${options.audience}`,
      clause: 'RFC 7662 §2.2, RFC 8707 §2',
      fix: `request the token with resource=${options.audience}`,
    });
  }
  const seconds = Math.floor(options.now() / 1000);
  const exp = typeof response.exp === 'number' ? response.exp : undefined;
  // RFC 7662 §2.2 exp: bank-op answers inactive for an expired token; this clock is checked too.
  if (exp === undefined || exp <= seconds - options.toleranceSeconds) {
    throw reject({
      description:
        exp === undefined ? 'The introspected token has no exp' : `The token expired ${seconds - exp} s ago`,
      clause: 'RFC 7662 §2.2',
      fix: 'obtain a new access token (refresh it or run the grant again)',
    });
  }
  const clientId = optionalString(response.client_id);
  if (!clientId) {
    throw reject({
      description: 'The introspection response names no client_id',
      clause: 'RFC 7662 §2.2',
      fix: 'use an access token issued by bank-op',
    });
  }
  const cnf = response.cnf as AccessTokenClaims['cnf'];
  const intent = optionalString(response.openbanking_intent_id);
  const grantId = optionalString(response.grant_id);
  const softwareId = optionalString(response.software_id);
  const orgId = optionalString(response.org_id);
  ctx.token = {
    iss: options.issuer,
    // RFC 7662 §2.2: sub only for a customer's token; a client-credentials token acts for its client.
    sub: optionalString(response.sub) ?? clientId,
    aud: audiences,
    exp,
    iat: typeof response.iat === 'number' ? response.iat : seconds,
    // bank-op sends no jti for an opaque token (the token is its own id): a digest stands in, never the token.
    jti: optionalString(response.jti) ?? createHash('sha256').update(token).digest('base64url'),
    client_id: clientId,
    scopes: typeof response.scope === 'string' ? response.scope.split(' ').filter(Boolean) : [],
    cnf: cnf && typeof cnf === 'object' ? cnf : undefined,
    ...(intent ? { openbanking_intent_id: intent } : {}),
    ...(grantId ? { grant_id: grantId } : {}),
    ...(softwareId ? { software_id: softwareId } : {}),
    ...(orgId ? { org_id: orgId } : {}),
    // RFC 9396 §9: introspection answers with the granted details as the JWT would carry them.
    ...(response.authorization_details !== undefined
      ? { authorization_details: response.authorization_details }
      : {}),
  };
  return `Opaque token: bank-api learned nothing from it until it asked bank-op; one introspection round trip over mTLS took ${ms} ms (RFC 7662, answer signed by bank-op, RFC 9701): active; iss ${options.issuer}; aud ${options.audience}; expires in ${exp - seconds} s; client_id ${clientId}; scope '${ctx.token.scopes.join(' ')}'`;
}
