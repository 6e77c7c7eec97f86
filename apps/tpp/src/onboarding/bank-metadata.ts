// The bank's OpenID Provider metadata (OIDC Discovery / RFC 8414), read from the discovery URL the
// directory lists, with the endpoint the TPP must use for each call: the mTLS alias whenever the call
// presents the transport certificate (RFC 8705 §5).
import type { BackChannelEndpoint } from '@fapi-sandbox/fapi-client';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { PartyClient } from '../http/party-client.js';
import { PartyError } from '../http/party-error.js';
import type { TraceLog } from '../trace/trace-log.js';
import type { AuthorisationServer } from './directory.js';

const metadataSchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  jwks_uri: z.string(),
  registration_endpoint: z.string().optional(),
  pushed_authorization_request_endpoint: z.string().optional(),
  revocation_endpoint: z.string().optional(),
  introspection_endpoint: z.string().optional(),
  authorization_response_iss_parameter_supported: z.boolean().optional(),
  dpop_signing_alg_values_supported: z.array(z.string()).optional(),
  mtls_endpoint_aliases: z.record(z.string(), z.string()).optional(),
});

export type OpMetadata = z.infer<typeof metadataSchema>;

/** The bank's back-channel endpoints, as the client engine names them. */
export type EndpointName = BackChannelEndpoint;

export interface BankMetadata {
  server: AuthorisationServer;
  metadata: OpMetadata;
  /** The endpoint's URL, its mTLS alias when `mutualTls` (RFC 8705 §5). */
  endpoint(name: EndpointName, mutualTls: boolean): string;
  /** The bank's signing keys (ID tokens, JARM), fetched once per discovery. */
  keys: JWTVerifyGetKey;
}

export async function discoverBank(deps: {
  server: AuthorisationServer;
  party: PartyClient;
  trace: TraceLog;
  webAgent: Dispatcher;
  interactionId: string;
}): Promise<BankMetadata> {
  const { server, party, interactionId } = deps;
  const response = await party.expectOk({
    step: 'discovery',
    method: 'GET',
    url: server.discoveryUrl,
    interactionId,
    dispatcher: deps.webAgent,
  });
  const parsed = metadataSchema.safeParse(response.body);
  if (!parsed.success) {
    throw new PartyError({
      party: 'bank-op',
      step: 'Read the bank’s OpenID configuration',
      upstreamStatus: response.status,
      error: 'invalid_metadata',
      description: `The discovery document is missing ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
      clause: 'RFC 8414 §2, OIDC Discovery §3',
    });
  }
  const metadata = parsed.data;
  // RFC 8414 §3.3 / OIDC Discovery §4.3: the issuer in the document is exactly the one we looked up.
  const sameIssuer = metadata.issuer === server.issuer;
  const checks: CheckResult[] = [
    {
      name: 'Discovery issuer equals the issuer the directory lists',
      passed: sameIssuer,
      clause: 'RFC 8414 §3.3, OIDC Discovery §4.3',
      detail: `document says ${metadata.issuer}; directory says ${server.issuer}`,
    },
    {
      name: 'Bank supports pushed authorization requests',
      passed: metadata.pushed_authorization_request_endpoint !== undefined,
      clause: 'RFC 9126 §5, FAPI 2.0 SP §5.3.3.2',
      detail: metadata.pushed_authorization_request_endpoint ?? 'no pushed_authorization_request_endpoint',
    },
  ];
  deps.trace.recordChecks({ interactionId, step: 'discovery', checks });
  if (!sameIssuer) {
    throw new PartyError({
      party: 'bank-op',
      step: 'Read the bank’s OpenID configuration',
      upstreamStatus: response.status,
      error: 'invalid_issuer',
      description: `The discovery document's issuer ${metadata.issuer} differs from the directory's ${server.issuer}`,
      clause: 'RFC 8414 §3.3',
      fix: 'the bank must publish its own issuer; a mismatch is what a mix-up attack looks like',
    });
  }
  if (!metadata.pushed_authorization_request_endpoint) {
    throw new PartyError({
      party: 'bank-op',
      step: 'Read the bank’s OpenID configuration',
      upstreamStatus: response.status,
      error: 'invalid_metadata',
      description: 'The bank publishes no pushed_authorization_request_endpoint, which FAPI requires',
      clause: 'FAPI 2.0 SP §5.3.3.2, RFC 9126 §5',
    });
  }

  const jwksResponse = await party.expectOk({
    step: 'op-jwks',
    method: 'GET',
    url: metadata.jwks_uri,
    interactionId,
    dispatcher: deps.webAgent,
  });
  const keys = createLocalJWKSet(jwksResponse.body as JSONWebKeySet);

  return {
    server,
    metadata,
    keys,
    endpoint(name, mutualTls) {
      const alias = mutualTls ? metadata.mtls_endpoint_aliases?.[name] : undefined;
      const url = alias ?? metadata[name];
      if (!url) {
        throw new PartyError({
          party: 'bank-op',
          step: 'Read the bank’s OpenID configuration',
          upstreamStatus: 200,
          error: 'invalid_metadata',
          description: `The bank's discovery document has no ${name}`,
          clause: 'RFC 8414 §2',
        });
      }
      return url;
    },
  };
}
