// The client bundle the directory's developer portal hands a learner who brings their own client: who the
// software is, its transport key and certificate (mTLS, RFC 8705), its signing keys (private_key_jwt,
// RFC 7523; the directory publishes the public half at jwksUri), what to trust and where everything is.
// The private keys are in it once: the directory does not keep them.
import fs from 'node:fs';
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
  /**
   * One RSA-OAEP-256 (RSA-2048) and one ECDH-ES (P-256) key, use enc, each kid its RFC 7638 thumbprint: the
   * directory publishes the public halves at jwksUri, so a bank can encrypt ID tokens to them (OIDC Core
   * §10.2). Absent from bundles made before the directory made encryption keys.
   */
  encryption?: {
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

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The first missing or mistyped member of a bundle, as a path such as "transport.privateKeyPem". */
function firstProblem(bundle: Record<string, unknown>): string | undefined {
  const strings: [string, ...string[]][] = [
    ['organisation', 'orgId'],
    ['software', 'softwareId'],
    ['software', 'jwksUri'],
    ['transport', 'certificatePem'],
    ['transport', 'privateKeyPem'],
    ['trust', 'serverCaBundlePem'],
    ['endpoints', 'directory'],
    ['endpoints', 'bankIssuer'],
    ['endpoints', 'bankApi'],
    ['endpoints', 'trace', 'directory'],
    ['endpoints', 'trace', 'bankOp'],
    ['endpoints', 'trace', 'bankApi'],
  ];
  for (const path of strings) {
    let node: unknown = bundle;
    for (const name of path) node = isObject(node) ? node[name] : undefined;
    if (typeof node !== 'string' || node === '') return path.join('.');
  }
  const keys =
    isObject(bundle.signing) && isObject(bundle.signing.privateJwks) && bundle.signing.privateJwks.keys;
  if (!Array.isArray(keys) || keys.length === 0) return 'signing.privateJwks.keys';
  return undefined;
}

/** A parsed bundle, or throws naming what is wrong with it and how to get a good one. */
export function parseClientBundle(text: string, source = 'the client bundle'): ClientBundle {
  const again =
    'download it again from the directory’s developer portal (My software, Download client bundle)';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not JSON: ${again}`);
  }
  if (!isObject(value) || value.format !== CLIENT_BUNDLE_FORMAT) {
    throw new Error(`${source} is not a ${CLIENT_BUNDLE_FORMAT} file (its "format" differs): ${again}`);
  }
  const problem = firstProblem(value);
  if (problem) throw new Error(`${source} has no ${problem}: ${again}`);
  return value as unknown as ClientBundle;
}

/** Reads a bundle file (see parseClientBundle). */
export function readClientBundle(file: string): ClientBundle {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the client bundle ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  return parseClientBundle(text, file);
}
