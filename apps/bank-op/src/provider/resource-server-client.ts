// bank-api as a client of bank-op: a resource server that introspects the opaque access tokens it is
// sent (RFC 7662 §2.1). It authenticates with its own transport certificate, issued by the directory to
// the bank (tls_client_auth, RFC 8705 §2.1), and takes the answer signed (RFC 9701). A static client: it
// has no redirect URI, no grant, and is not registered through DCR like a TPP.
import { X509Certificate } from 'node:crypto';
import { subjectDn } from '@fapi-sandbox/fapi-core/certificate-identity';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { RESOURCE_SERVER_CLIENT_ID } from '@fapi-sandbox/fapi-core/introspection';
import { readPem } from '@fapi-sandbox/fapi-core/tls';
import type { ClientMetadata } from 'oidc-provider';

export function resourceServerClient(config: SandboxConfig, signingAlg: string): ClientMetadata {
  const certificate = new X509Certificate(readPem(config.bankApi.introspectionCert));
  return {
    client_id: RESOURCE_SERVER_CLIENT_ID,
    client_name: 'Bank API (resource server)',
    token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_subject_dn: subjectDn(certificate),
    grant_types: [],
    response_types: [],
    redirect_uris: [],
    // RFC 9701 §5: the introspection answer as a JWT bank-op signs, when bank-api asks for one.
    introspection_signed_response_alg: signingAlg as ClientMetadata['introspection_signed_response_alg'],
  };
}

/** RFC 7662 §2.1 / RFC 9068 §4: a resource server may introspect the access tokens addressed to it. */
export function isResourceServer(client: { clientId: string }): boolean {
  return client.clientId === RESOURCE_SERVER_CLIENT_ID;
}
