// Check 2: the access token is a JWT bank-op issued for this API and still valid (RFC 9068 §4): typ
// at+jwt, a FAPI signature verified against bank-op's published keys, iss, aud, exp/nbf, and the claims
// RFC 9068 §2.2 requires (client_id, sub, jti). FAPI 2.0 SP §5.3.4-3: validity, integrity, expiration.

import { isOpaqueToken } from '@fapi-sandbox/fapi-core/introspection';
import { everyProfileSigningAlgs, type FapiSigningAlg } from '@fapi-sandbox/fapi-core/jose/algorithms';
import { audienceValues } from '@fapi-sandbox/fapi-core/jose/claims';
import type { Violation } from '@fapi-sandbox/fapi-core/jose/reject';
import { type VerificationKeySource, verifyCompactJws } from '@fapi-sandbox/fapi-core/jose/signature';
import { jwtsForDisplay } from '@fapi-sandbox/fapi-core/trace';
import type { Introspect } from '../introspection.js';
import { refuse } from './challenge.js';
import type { AccessTokenClaims, Check } from './context.js';
import { checkIntrospectedToken } from './introspected-token.js';

export interface TokenCheckOptions {
  /** bank-op's signing keys: jose's remote JWKS set (cached, refetched on an unknown kid). */
  keys: VerificationKeySource;
  /** config.bankOp.issuer */
  issuer: string;
  /** config.bankApi.web.origin: the resource indicator bank-op puts in `aud`. */
  audience: string;
  /** Algorithms bank-op signs access tokens with. */
  algorithms?: readonly FapiSigningAlg[];
  /** Clock skew allowed on exp/nbf/iat, seconds. */
  clockToleranceSeconds?: number;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Asks bank-op about an opaque access token (introspection.ts); without it only JWTs are accepted. */
  introspect?: Introspect;
}

const AT_JWT = 'at+jwt';

export function tokenCheck(options: TokenCheckOptions): Check {
  const tolerance = options.clockToleranceSeconds ?? 10;
  const now = options.now ?? Date.now;
  const jwtCheckName = 'Token: signed by bank-op, for this API, in date';
  return {
    name: jwtCheckName,
    clause: 'RFC 9068 §4, FAPI 2.0 SP §5.3.4-3',
    // An opaque token is not checked here but asked about at bank-op: the trace says so.
    nameFor: (ctx) =>
      options.introspect && ctx.credentials && isOpaqueToken(ctx.credentials.token)
        ? 'Token: introspected at bank-op (opaque), active, for this API, in date'
        : jwtCheckName,
    async run(ctx) {
      const scheme = ctx.credentials!.scheme;
      const token = ctx.credentials!.token;
      const reject = (violation: Violation) =>
        refuse(scheme, { status: 401, error: 'invalid_token', ...violation });
      // RFC 7662 §2.1: a token bank-api cannot read is asked about, at bank-op, on every call.
      if (options.introspect && isOpaqueToken(token)) {
        return checkIntrospectedToken(ctx, {
          introspect: options.introspect,
          issuer: options.issuer,
          audience: options.audience,
          toleranceSeconds: tolerance,
          now,
          reject,
        });
      }
      const [shown] = jwtsForDisplay(token, 'access token');
      if (shown) ctx.jwts.push(shown);

      const { header, claims, alg } = await verifyCompactJws(token, options.keys, {
        what: 'access token',
        reject,
        allowedAlgs: options.algorithms ?? everyProfileSigningAlgs(),
        signatureFix: "use the access token exactly as bank-op's token endpoint returned it",
      });
      if (shown) shown.verified = true;

      // RFC 9068 §4: typ is at+jwt (media types compare case-insensitively), so an ID token is not a key.
      const typ =
        typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
      if (typ !== AT_JWT) {
        throw reject({
          description: `The token's typ is ${header.typ === undefined ? 'missing' : `'${String(header.typ)}'`}, not 'at+jwt'`,
          clause: 'RFC 9068 §4, §2.1',
          fix: "send the access_token from the token response (not the id_token); bank-op marks it typ 'at+jwt'",
        });
      }
      // RFC 9068 §4 / RFC 7519 §4.1.1: issued by the authorization server this API trusts.
      if (claims.iss !== options.issuer) {
        throw reject({
          description: `The token was issued by '${String(claims.iss)}', not by ${options.issuer}`,
          clause: 'RFC 9068 §4, RFC 7519 §4.1.1',
          fix: `obtain the token from ${options.issuer}`,
        });
      }
      // RFC 9068 §4 / RFC 8707: issued for this resource server, not another API.
      const audiences = audienceValues(claims.aud);
      if (!audiences.includes(options.audience)) {
        throw reject({
          description: `The token's audience is ${JSON.stringify(claims.aud ?? null)}, which does not include ${options.audience}`,
          clause: 'RFC 9068 §4, RFC 8707 §2',
          fix: `request the token with resource=${options.audience}`,
        });
      }
      const seconds = Math.floor(now() / 1000);
      // RFC 9068 §4 / RFC 7519 §4.1.4: not expired.
      if (typeof claims.exp !== 'number') {
        throw reject({
          description: 'The token has no exp claim',
          clause: 'RFC 9068 §2.2',
          fix: 'use a token issued by bank-op',
        });
      }
      if (claims.exp <= seconds - tolerance) {
        throw reject({
          description: `The token expired ${seconds - claims.exp} s ago`,
          clause: 'RFC 9068 §4, RFC 7519 §4.1.4',
          fix: 'obtain a new access token (refresh it or run the grant again)',
        });
      }
      // RFC 7519 §4.1.5: not before nbf.
      if (typeof claims.nbf === 'number' && claims.nbf > seconds + tolerance) {
        throw reject({
          description: `The token is not valid until ${new Date(claims.nbf * 1000).toISOString()}`,
          clause: 'RFC 7519 §4.1.5',
          fix: 'check your clock, or wait until the token becomes valid',
        });
      }
      if (typeof claims.iat !== 'number' || claims.iat > seconds + tolerance) {
        throw reject({
          description: 'The token has no iat claim, or one in the future',
          clause: 'RFC 9068 §2.2, RFC 7519 §4.1.6',
          fix: 'use a token issued by bank-op',
        });
      }
      // RFC 9068 §2.2: client_id, sub and jti are required; client_id names the TPP the token was issued to.
      for (const name of ['client_id', 'sub', 'jti'] as const) {
        if (typeof claims[name] !== 'string' || claims[name] === '') {
          throw reject({
            description: `The token has no ${name} claim`,
            clause: 'RFC 9068 §2.2',
            fix: 'use an access token issued by bank-op',
          });
        }
      }
      const cnf = claims.cnf as AccessTokenClaims['cnf'];
      const intent = claims.openbanking_intent_id;
      const { software_id: softwareId, org_id: orgId, grant_id: grantId, fapi_profile: profile } = claims;
      ctx.token = {
        iss: claims.iss,
        sub: claims.sub as string,
        aud: audiences,
        exp: claims.exp,
        iat: claims.iat,
        jti: claims.jti as string,
        client_id: claims.client_id as string,
        // RFC 9068 §2.2.3: scope is a space-separated string.
        scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [],
        cnf: cnf && typeof cnf === 'object' ? cnf : undefined,
        ...(typeof intent === 'string' ? { openbanking_intent_id: intent } : {}),
        ...(typeof grantId === 'string' && grantId !== '' ? { grant_id: grantId } : {}),
        ...(typeof softwareId === 'string' && softwareId !== '' ? { software_id: softwareId } : {}),
        ...(typeof orgId === 'string' && orgId !== '' ? { org_id: orgId } : {}),
        ...(typeof profile === 'string' ? { fapi_profile: profile } : {}),
        // RFC 9396 §7: the details the customer granted; checks/authorization-details.ts reads them.
        ...(claims.authorization_details !== undefined
          ? { authorization_details: claims.authorization_details }
          : {}),
      };
      return `${alg} signature verified with bank-op key ${String(header.kid ?? '?')}; iss ${claims.iss}; aud ${options.audience}; expires in ${claims.exp - seconds} s; client_id ${ctx.token.client_id}; scope '${ctx.token.scopes.join(' ')}'`;
    },
  };
}
