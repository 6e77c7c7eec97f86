// The client bundle: everything a learner's own client needs to join the sandbox, in one JSON file — who it
// is (organisation, software statement), its transport certificate and key (RFC 8705 mutual TLS), its
// signing keys with their certificates (the private_key_jwt assertion, RFC 7523, and the directory's
// jwks_uri), the trust anchors of the parties' TLS, and where every party is. The developer portal hands it
// out once (the private keys are not kept); the example clients in examples/ take it as their only input.

/** The `format` member: the shape below, version 1. */
export const CLIENT_BUNDLE_FORMAT = 'fapi-sandbox/client-bundle@1';

/** A JWK as JSON (private or public members), with the members the bundle always sets. */
export interface BundleJwk {
  kty: string;
  /** RFC 7638 thumbprint: the kid the directory publishes the key under at the software's jwks_uri. */
  kid: string;
  alg: 'PS256' | 'ES256';
  use: 'sig';
  /** The signing certificate, then the Directory CA (base64 DER, RFC 7517 §4.7). */
  x5c: string[];
  [member: string]: unknown;
}

export interface ClientBundle {
  format: typeof CLIENT_BUNDLE_FORMAT;
  organisation: { orgId: string; orgName: string };
  software: {
    softwareId: string;
    clientName: string;
    roles: string[];
    redirectUris: string[];
    jwksUri: string;
  };
  transport: {
    /** The transport certificate, then the Directory CA (PEM). */
    certificatePem: string;
    /** PKCS#8 PEM. */
    privateKeyPem: string;
    /** RFC 8705 §3.1 thumbprint of the certificate: what an mTLS-bound token's cnf holds. */
    x5tS256: string;
    serialNumber: string;
  };
  signing: {
    /** One PS256 RSA-2048 key and one ES256 P-256 key. */
    privateJwks: { keys: BundleJwk[] };
    publicJwks: { keys: BundleJwk[] };
  };
  trust: {
    /** The sandbox root CA and the server CA: verifies every party's TLS server certificate. */
    serverCaBundlePem: string;
  };
  endpoints: {
    directory: string;
    ssa: string;
    trace: { directory: string; bankOp: string; bankApi: string };
    bankIssuer: string;
    bankDiscovery: string;
    bankApi: string;
  };
  /** Host name to IP address: the parties' `*.localhost` names, for clients whose resolver does not know them. */
  resolve: Record<string, string>;
}
