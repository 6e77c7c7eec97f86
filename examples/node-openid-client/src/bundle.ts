// The client bundle the directory's developer portal hands a learner (format fapi-sandbox/client-bundle@1),
// and the one HTTP client every call of this example goes through: it trusts the sandbox's server CA (and
// nothing is ever sent without verifying the server), presents the transport certificate when a server asks
// for one (RFC 8705 mutual TLS), and resolves the parties' names from the bundle's `resolve` map.
import dns from 'node:dns';
import fs from 'node:fs';
import type { LookupFunction } from 'node:net';
import type { JWK } from 'jose';
import { Agent } from 'undici';

export interface ClientBundle {
  format: 'fapi-sandbox/client-bundle@1';
  organisation: { orgId: string; orgName: string };
  software: {
    softwareId: string;
    clientName: string;
    roles: string[];
    redirectUris: string[];
    jwksUri: string;
  };
  transport: { certificatePem: string; privateKeyPem: string; x5tS256: string; serialNumber: string };
  signing: { privateJwks: { keys: JWK[] } };
  /** Encryption keys (use enc): the bank encrypts ID tokens to their public halves, which the directory publishes. */
  encryption?: { privateJwks: { keys: JWK[] } };
  trust: { serverCaBundlePem: string };
  endpoints: { ssa: string; bankIssuer: string; bankApi: string };
  resolve: Record<string, string>;
}

/** Reads a bundle file and refuses anything that is not one, saying what it expected. */
export function readBundle(file: string): ClientBundle {
  const bundle = JSON.parse(fs.readFileSync(file, 'utf8')) as ClientBundle;
  if (bundle?.format !== 'fapi-sandbox/client-bundle@1') {
    throw new Error(
      `${file} is not a client bundle (format "${String(bundle?.format)}"): download one from the directory's developer portal`,
    );
  }
  return bundle;
}

/** The bundle's names first (the parties' `*.localhost` hosts), then the system resolver. */
export function bundleLookup(bundle: ClientBundle): LookupFunction {
  return (hostname, options, callback) => {
    const address = bundle.resolve[hostname.toLowerCase()];
    if (!address) {
      dns.lookup(hostname, options, callback);
      return;
    }
    const family = address.includes(':') ? 6 : 4;
    if (options.all) {
      (callback as unknown as (err: null, all: dns.LookupAddress[]) => void)(null, [{ address, family }]);
    } else {
      callback(null, address, family);
    }
  };
}

/** One undici Agent: server certificates verified against the bundle's CA, the transport certificate on offer. */
export function bundleAgent(bundle: ClientBundle): Agent {
  return new Agent({
    connect: {
      ca: bundle.trust.serverCaBundlePem,
      cert: bundle.transport.certificatePem,
      key: bundle.transport.privateKeyPem,
      lookup: bundleLookup(bundle),
      minVersion: 'TLSv1.2',
    },
  });
}
