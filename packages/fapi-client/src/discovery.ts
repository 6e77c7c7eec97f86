// The bank's OpenID Provider metadata (OIDC Discovery §4, RFC 8414 §3) and its keys: the document is
// read, checked (the issuer is the one looked up, RFC 8414 §3.3; PAR is offered, FAPI 2.0 SP §5.3.3.2),
// and each endpoint is taken from it, the mTLS alias whenever the call presents the certificate
// (RFC 8705 §5).
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { EngineContext, ExchangeResponse } from './exchange.js';
import { reportChecks, type StepRef } from './observer.js';
import type { BackChannelEndpoint } from './registered-client.js';

const metadataSchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  jwks_uri: z.string(),
  registration_endpoint: z.string().optional(),
  pushed_authorization_request_endpoint: z.string().optional(),
  revocation_endpoint: z.string().optional(),
  introspection_endpoint: z.string().optional(),
  // CIBA §4: where decoupled authentication starts, when the bank offers it.
  backchannel_authentication_endpoint: z.string().optional(),
  authorization_response_iss_parameter_supported: z.boolean().optional(),
  dpop_signing_alg_values_supported: z.array(z.string()).optional(),
  mtls_endpoint_aliases: z.record(z.string(), z.string()).optional(),
});

export type OpMetadata = z.infer<typeof metadataSchema>;

/** Why the client will not use a bank's metadata: an OAuth-style error with its clause. */
export interface DiscoveryRefusal {
  status: number;
  error: string;
  description: string;
  clause: string;
  fix?: string;
}

export type Discovered<R> =
  | { metadata: OpMetadata; keys: JWTVerifyGetKey; jwks: JSONWebKeySet; checks: CheckResult[] }
  | { refusal: DiscoveryRefusal; checks: CheckResult[]; response: R };

/** RFC 8414 §3.3, FAPI 2.0 SP §5.3.3.2: what the client checks in the document before using it. */
export function discoveryChecks(metadata: OpMetadata, expectedIssuer: string): CheckResult[] {
  return [
    {
      name: 'Discovery issuer equals the issuer the directory lists',
      passed: metadata.issuer === expectedIssuer,
      clause: 'RFC 8414 §3.3, OIDC Discovery §4.3',
      detail: `document says ${metadata.issuer}; directory says ${expectedIssuer}`,
    },
    {
      name: 'Bank supports pushed authorization requests',
      passed: metadata.pushed_authorization_request_endpoint !== undefined,
      clause: 'RFC 9126 §5, FAPI 2.0 SP §5.3.3.2',
      detail: metadata.pushed_authorization_request_endpoint ?? 'no pushed_authorization_request_endpoint',
    },
  ];
}

/**
 * Reads and checks the discovery document, then the bank's keys. An answer that is not 2xx is handed
 * back as it is (`response`, no refusal) for the caller to report; a document the client must not use is
 * a refusal with its clause.
 */
export async function discoverBank<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  steps: { discovery: StepRef; jwks: StepRef },
  input: { discoveryUrl: string; issuer: string; dispatcher: Dispatcher },
): Promise<Discovered<R> | { failed: R }> {
  const get = (step: StepRef, url: string) =>
    engine.exchange({ ...step, kind: 'http', method: 'GET', url, headers: {}, dispatcher: input.dispatcher });
  const response = await get(steps.discovery, input.discoveryUrl);
  if (!response.ok) return { failed: response };
  const parsed = metadataSchema.safeParse(response.body);
  if (!parsed.success) {
    return {
      checks: [],
      response,
      refusal: {
        status: response.status,
        error: 'invalid_metadata',
        description: `The discovery document is missing ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
        clause: 'RFC 8414 §2, OIDC Discovery §3',
      },
    };
  }
  const metadata = parsed.data;
  const checks = discoveryChecks(metadata, input.issuer);
  reportChecks(engine.observer, steps.discovery, checks);
  // RFC 8414 §3.3 / OIDC Discovery §4.3: the issuer in the document is exactly the one looked up.
  if (metadata.issuer !== input.issuer) {
    return {
      checks,
      response,
      refusal: {
        status: response.status,
        error: 'invalid_issuer',
        description: `The discovery document's issuer ${metadata.issuer} differs from the directory's ${input.issuer}`,
        clause: 'RFC 8414 §3.3',
        fix: 'the bank must publish its own issuer; a mismatch is what a mix-up attack looks like',
      },
    };
  }
  if (!metadata.pushed_authorization_request_endpoint) {
    return {
      checks,
      response,
      refusal: {
        status: response.status,
        error: 'invalid_metadata',
        description: 'The bank publishes no pushed_authorization_request_endpoint, which FAPI requires',
        clause: 'FAPI 2.0 SP §5.3.3.2, RFC 9126 §5',
      },
    };
  }
  const jwks = await get(steps.jwks, metadata.jwks_uri);
  if (!jwks.ok) return { failed: jwks };
  const keySet = jwks.body as JSONWebKeySet;
  return { metadata, keys: createLocalJWKSet(keySet), jwks: keySet, checks };
}

/** RFC 8705 §5: the endpoint's URL, its mTLS alias when the call presents the certificate. */
export function endpointOf(
  metadata: OpMetadata,
  name: BackChannelEndpoint,
  mutualTls: boolean,
): string | undefined {
  const alias = mutualTls ? metadata.mtls_endpoint_aliases?.[name] : undefined;
  return alias ?? metadata[name];
}
