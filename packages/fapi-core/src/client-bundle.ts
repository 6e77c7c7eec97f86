// A client bundle: everything a learner's own client needs to join the sandbox's network as a participant
// (the directory's developer portal hands it out once, with private keys it does not keep). Format
// "fapi-sandbox/client-bundle@1": the organisation and software, the transport certificate and key (its
// mTLS identity, RFC 8705 §2.1), the signing keys (private_key_jwt, JAR), the CA bundle that verifies the
// parties' TLS, and the running sandbox's endpoints.
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
    jwksUri: string;
  };
  transport: {
    /** The leaf, then the Directory CA. */
    certificatePem: string;
    /** PKCS#8 PEM. */
    privateKeyPem: string;
    x5tS256: string;
    serialNumber: string;
  };
  signing: { privateJwks: { keys: JWK[] }; publicJwks: { keys: JWK[] } };
  trust: { serverCaBundlePem: string };
  endpoints: {
    directory: string;
    ssa: string;
    trace: { directory: string; bankOp: string; bankApi: string };
    bankIssuer: string;
    bankDiscovery: string;
    bankApi: string;
  };
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
