// The token endpoint's peer: oidc-provider itself (the version bank-op pins, checked by the bench test),
// with bank-op's settings for the client-credentials grant and nothing else: private_key_jwt with the FAPI
// signing algorithms, certificate-bound access tokens (RFC 8705 §3), JWT access tokens for bank-api via a
// resource indicator (RFC 8707, RFC 9068) signed PS256 with bank-op's key, FAPI 2.0 mode, and the same
// client registered statically. Behind the same mTLS listener options (fapi-core/tls) and the same PKI.
// What bank-op adds on top (directory checks, its SQLite store, tracing, logs) is what the ratio measures.
import fs from 'node:fs';
import type { TLSSocket } from 'node:tls';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { fapiSigningAlgs } from '@fapi-sandbox/fapi-core/jose/algorithms';
import { close, createMtlsServer, listen } from '@fapi-sandbox/fapi-core/tls';
import type { JSONWebKeySet } from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';

/** bank-op's access-token signing algorithm for FAPI 2.0 clients (its profile's bankSigningAlgs[0]). */
export const ACCESS_TOKEN_ALG = 'PS256';

export interface BareOidcProviderOptions {
  config: SandboxConfig;
  port: number;
  /** The client_id bank-op gave the benchmark's client at registration: the same client, here static. */
  clientId: string;
}

export interface RunningPeer {
  origin: string;
  stop(): Promise<void>;
}

const readJwks = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as JSONWebKeySet;

export function bareProviderConfiguration(options: BareOidcProviderOptions): Configuration {
  const { config } = options;
  const resource = config.bankApi.web.origin;
  const algs = [...fapiSigningAlgs('fapi2')];
  return {
    jwks: readJwks(config.bankOp.signingJwks) as Configuration['jwks'],
    clients: [
      {
        client_id: options.clientId,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'accounts payments',
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'ES256',
        id_token_signed_response_alg: ACCESS_TOKEN_ALG,
        // The participant's public signing keys: what bank-op fetches from the directory's jwks_uri.
        jwks: readJwks(config.participants.demo.signingPublicJwks),
        tls_client_certificate_bound_access_tokens: true,
      } as never,
    ],
    clientAuthMethods: ['private_key_jwt'],
    enabledJWA: { clientAuthSigningAlgValues: algs as never },
    scopes: ['openid', 'accounts', 'payments'],
    clockTolerance: 15,
    features: {
      devInteractions: { enabled: false },
      fapi: { enabled: true, profile: '2.0' },
      clientCredentials: { enabled: true },
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        // The certificate the TLS layer verified against the directory CA (fapi-core's mTLS options).
        getCertificate: (ctx: KoaContextWithOIDC) => {
          const socket = ctx.req.socket as TLSSocket;
          return socket.authorized ? (socket.getPeerX509Certificate() as never) : undefined;
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async () => ({
          scope: 'accounts payments',
          audience: resource,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: ACCESS_TOKEN_ALG } },
        }),
      },
    },
  } as Configuration;
}

export async function startBareOidcProvider(options: BareOidcProviderOptions): Promise<RunningPeer> {
  const { config, port } = options;
  const listener = { ...config.bankOp.mtls, port, origin: `https://${config.bankOp.mtls.host}:${port}` };
  const provider = new Provider(listener.origin, bareProviderConfiguration(options));
  const server = createMtlsServer({ ...config.bankOp, mtls: listener }, provider.callback(), config);
  await listen(server, listener);
  return { origin: listener.origin, stop: () => close(server) };
}
