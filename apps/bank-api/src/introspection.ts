// bank-api asks bank-op what an opaque access token means (RFC 7662 §2.1): over mutual TLS with its own
// transport certificate (tls_client_auth as the resource-server client 'bank-api', RFC 8705 §2.1), and
// with Accept: application/token-introspection+jwt so the answer is a JWT bank-op signs (RFC 9701 §4):
// no one between the two parties can turn an inactive token into an active one.
// Cost: one round trip to bank-op on every API call that carries an opaque token. Nothing is cached, so a
// revoked token is refused at its very next call (a cache could keep an answer only until the token's
// exp, and would delay revocation by as long as it keeps it).
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import {
  INTROSPECTION_JWT_MEDIA_TYPE,
  INTROSPECTION_JWT_TYP,
  RESOURCE_SERVER_CLIENT_ID,
} from '@fapi-sandbox/fapi-core/introspection';
import { everyProfileSigningAlgs } from '@fapi-sandbox/fapi-core/jose/algorithms';
import type { Violation } from '@fapi-sandbox/fapi-core/jose/reject';
import { type VerificationKeySource, verifyCompactJws } from '@fapi-sandbox/fapi-core/jose/signature';
import { type Dispatcher, fetch } from 'undici';

export interface IntrospectionClientOptions {
  /** bank-op's introspection endpoint on its mTLS listener (RFC 8705 §5 alias). */
  endpoint: string;
  /** Presents bank-api's transport certificate (config.bankApi.introspectionCert). */
  dispatcher: Dispatcher;
  /** bank-op's signing keys, which sign the introspection response. */
  keys: VerificationKeySource;
  /** config.bankOp.issuer: the iss of the signed response. */
  issuer: string;
  timeoutMs?: number;
}

export interface Introspection {
  /** RFC 7662 §2.2: the token's members (active, scope, client_id, exp, aud, cnf, ...). */
  response: Record<string, unknown>;
  /** The signed response as received (for the trace). */
  jwt: string;
  /** How long the round trip took. */
  ms: number;
}

export type Introspect = (token: string) => Promise<Introspection>;

const CLAUSE = 'RFC 7662 §2, RFC 9701 §5';

/** bank-op could not answer: the call fails closed (never accepted unchecked), and says why. */
function unavailable(status: 502 | 503, description: string): OAuthError {
  return new OAuthError({
    status,
    error: 'temporarily_unavailable',
    description,
    clause: CLAUSE,
    fix: 'start bank-op (pnpm dev) and retry; bank-api cannot check an opaque token without it',
  });
}

export function createIntrospectionClient(options: IntrospectionClientOptions): Introspect {
  const reject = (violation: Violation) =>
    unavailable(502, `bank-op's introspection response was refused: ${violation.description}`);
  return async (token) => {
    const started = performance.now();
    let response: Awaited<ReturnType<typeof fetch>>;
    try {
      response = await fetch(options.endpoint, {
        method: 'POST',
        dispatcher: options.dispatcher,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: INTROSPECTION_JWT_MEDIA_TYPE,
        },
        body: new URLSearchParams({
          token,
          token_type_hint: 'access_token',
          client_id: RESOURCE_SERVER_CLIENT_ID,
        }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
      });
    } catch (err) {
      throw unavailable(
        503,
        `bank-op's introspection endpoint ${options.endpoint} could not be reached (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    const body = await response.text();
    const type = response.headers.get('content-type') ?? '';
    if (response.status !== 200 || !type.startsWith(INTROSPECTION_JWT_MEDIA_TYPE)) {
      throw unavailable(
        502,
        `bank-op's introspection endpoint answered ${response.status} ${type || 'without a content type'}: ${body.slice(0, 200)}`,
      );
    }
    // RFC 9701 §5: signed by bank-op, typ token-introspection+jwt, from bank-op, for bank-api.
    const { header, claims } = await verifyCompactJws(body, options.keys, {
      what: 'introspection response',
      reject,
      allowedAlgs: everyProfileSigningAlgs(),
      signatureFix: 'check that bank-op signs with the keys at its jwks_uri',
    });
    const typ = String(header.typ ?? '')
      .toLowerCase()
      .replace(/^application\//, '');
    const nested = claims.token_introspection;
    if (
      typ !== INTROSPECTION_JWT_TYP ||
      claims.iss !== options.issuer ||
      claims.aud !== RESOURCE_SERVER_CLIENT_ID ||
      typeof nested !== 'object' ||
      nested === null
    ) {
      throw reject({
        description: `it is not a token-introspection+jwt from ${options.issuer} for ${RESOURCE_SERVER_CLIENT_ID} with a token_introspection claim`,
        clause: 'RFC 9701 §5',
        fix: 'check the introspection settings of bank-op',
      });
    }
    return {
      response: nested as Record<string, unknown>,
      jwt: body,
      ms: Math.round(performance.now() - started),
    };
  };
}
