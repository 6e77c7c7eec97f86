// TLS for every party: the servers' options (FAPI's TLS rules), the browser-facing and mutual-TLS
// listeners, and an HTTP client that trusts the sandbox CA and finds the parties by name (resolver.ts).
// Certificate verification is never turned off: a client that cannot verify a party fails.
import { constants } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { Agent, type RequestInfo, type RequestInit, type Response, fetch as undiciFetch } from 'undici';
import { type Listener, type Participant, type Party, type SandboxConfig, sandboxConfig } from './config.js';
import { certificateFixedFor } from './peer-certificate.js';
import { sandboxLookupFor } from './resolver.js';

export { isLoopbackName, sandboxLookup } from './resolver.js';

/**
 * FAPI 2.0 SP §5.2.1-2 and FAPI 1.0 Adv §8.5: TLS 1.2 only with the BCP 195 (RFC 9325 §4.2)
 * recommended suites, or TLS 1.3. Nothing older is negotiated.
 */
export const FAPI_CIPHER_SUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
].join(':');

export const FAPI_TLS_MIN_VERSION = 'TLSv1.2' as const;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const pemCache = new Map<string, Buffer>();

/** Reads a PEM file once; a missing file names `pnpm pki`, the command that creates it. */
export function readPem(file: string): Buffer {
  const cached = pemCache.get(file);
  if (cached) return cached;
  if (!fs.existsSync(file)) {
    throw new Error(`${file} does not exist. Generate the sandbox PKI first: pnpm pki`);
  }
  const content = fs.readFileSync(file);
  pemCache.set(file, content);
  return content;
}

function baseServerOptions(party: Party): https.ServerOptions {
  return {
    cert: readPem(party.serverCert),
    key: readPem(party.serverKey),
    minVersion: FAPI_TLS_MIN_VERSION,
    ciphers: FAPI_CIPHER_SUITES,
    honorCipherOrder: true,
  };
}

/** Options of a browser-facing listener: server authentication only. */
export function webServerOptions(party: Party): https.ServerOptions {
  return baseServerOptions(party);
}

/**
 * Options of a mutual-TLS listener. The certificate is requested but optional at the TLS layer
 * (RFC 8705 §2 leaves the decision to the server): a DPoP or private_key_jwt client may call without
 * one, and the app decides per endpoint. `socket.authorized` tells whether it chains to a CA in
 * `clientTrustBundle` (the directory's); self-signed certificates (RFC 8705 §2.2) arrive unauthorized.
 */
export function mtlsServerOptions(
  party: Party,
  config: SandboxConfig = sandboxConfig(),
): https.ServerOptions {
  return {
    ...baseServerOptions(party),
    requestCert: true,
    rejectUnauthorized: false,
    ca: readPem(config.ca.clientTrustBundle),
    // RFC 9325 §3.5 allows a TLS 1.2 server to refuse renegotiation; refusing it means a connection's client
    // certificate is the one of its handshake for the connection's whole life (peer-certificate.ts relies on it).
    secureOptions: constants.SSL_OP_NO_RENEGOTIATION,
  };
}

export function createWebServer(party: Party, handler: Handler): https.Server {
  return https.createServer(webServerOptions(party), handler);
}

export function createMtlsServer(
  party: Party,
  handler: Handler,
  config: SandboxConfig = sandboxConfig(),
): https.Server {
  if (!party.mtls) throw new Error(`${party.name} has no mTLS listener in the sandbox config`);
  const server = https.createServer(mtlsServerOptions(party, config), handler);
  server.on('secureConnection', certificateFixedFor);
  return server;
}

/**
 * Starts listening on the listener's address (loopback unless a hosted sandbox names another); resolves
 * with the port actually bound (useful with port 0 in tests).
 */
export function listen(
  server: https.Server,
  on: Pick<Listener, 'port'> & Partial<Pick<Listener, 'address'>>,
  host = on.address ?? '127.0.0.1',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(on.port, host, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : on.port);
    });
  });
}

/** Closes a server and every open connection (keep-alive sockets included). */
export function close(server: https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export interface SandboxAgentOptions {
  /** PEM file of the client certificate (leaf first, then its chain) for mutual TLS. */
  certFile?: string;
  keyFile?: string;
  /** PEM contents instead of files (e.g. a certificate issued at run time). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Trust anchors; defaults to the sandbox's server trust bundle. */
  caFile?: string;
  /** PEM trust anchors instead of a file (e.g. a client bundle's). */
  ca?: string | Buffer;
}

/** An undici dispatcher that verifies every server against the sandbox CA and can present a client certificate. */
export function createSandboxAgent(
  options: SandboxAgentOptions = {},
  config: SandboxConfig = sandboxConfig(),
): Agent {
  const cert = options.cert ?? (options.certFile ? readPem(options.certFile) : undefined);
  const key = options.key ?? (options.keyFile ? readPem(options.keyFile) : undefined);
  const connect: SecureContextOptions & { lookup: LookupFunction; minVersion: typeof FAPI_TLS_MIN_VERSION } =
    {
      ca: options.ca ?? readPem(options.caFile ?? config.ca.serverTrustBundle),
      lookup: sandboxLookupFor(config),
      minVersion: FAPI_TLS_MIN_VERSION,
      ...(cert && key ? { cert, key } : {}),
    };
  return new Agent({ connect });
}

/** The agent presenting a participant's transport certificate (its mTLS identity in the ecosystem). */
export function transportAgentFor(participant: Participant, config: SandboxConfig = sandboxConfig()): Agent {
  return createSandboxAgent(
    { certFile: participant.transportCert, keyFile: participant.transportKey },
    config,
  );
}

let defaultAgent: Agent | undefined;

/** undici's fetch over the sandbox agent (or the one given as `dispatcher`). */
export function sandboxFetch(input: RequestInfo, init: RequestInit = {}): Promise<Response> {
  defaultAgent ??= createSandboxAgent();
  return undiciFetch(input, { dispatcher: defaultAgent, ...init });
}
