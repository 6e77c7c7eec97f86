// The client bundle the directory's developer portal hands a learner who brings their own client: who the
// software is, its transport key and certificate (mTLS, RFC 8705), its signing keys (private_key_jwt,
// RFC 7523; the directory publishes the public half at jwksUri), what to trust and where everything is.
// The private keys are in it once: the directory does not keep them.
import type { JWK } from 'jose';

export const CLIENT_BUNDLE_FORMAT = 'fapi-sandbox/client-bundle@1';

export interface ClientBundle {
  format: typeof CLIENT_BUNDLE_FORMAT;
  organisation: { orgId: string; orgName: string };
  software: {
    softwareId: string;
    clientName: string;
    roles: string[];
    redirectUris: string[];
    /** The software's public signing keys, published by the directory (register it as jwks_uri). */
    jwksUri: string;
  };
  transport: {
    /** Leaf, then the Directory CA (PEM). */
    certificatePem: string;
    /** PKCS#8 PEM. */
    privateKeyPem: string;
    /** RFC 8705 §3.1 thumbprint of the certificate: what a bound access token's cnf names. */
    x5tS256: string;
    serialNumber: string;
  };
  signing: {
    /** One PS256 RSA-2048 and one ES256 P-256 key; each kid is the RFC 7638 thumbprint, x5c its chain. */
    privateJwks: { keys: JWK[] };
    publicJwks: { keys: JWK[] };
  };
  trust: {
    /** Root + server CA: verifies every party's TLS server certificate. */
    serverCaBundlePem: string;
  };
  endpoints: {
    directory: string;
    /** GET with the transport certificate (mTLS): the software statement assertion. */
    ssa: string;
    /** GET with the transport certificate: this software's own trace events at each party. */
    trace: { directory: string; bankOp: string; bankApi: string };
    bankIssuer: string;
    bankDiscovery: string;
    bankApi: string;
  };
  /** Every sandbox host name resolves to loopback (curl --resolve, /etc/hosts). */
  resolve: Record<string, string>;
}
