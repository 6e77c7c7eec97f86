// The ecosystem's one typed source of truth: hostnames, ports, URLs, key and certificate paths,
// and the demo participants' identities. Every party and script reads it; environment variables
// override it (FAPI_<PARTY>_PORT, FAPI_SANDBOX_CERTS_DIR, FAPI_SANDBOX_DATA_DIR, FAPI_BASE_DOMAIN with
// FAPI_HOST_ADDRESS for a sandbox hosted for a room under a domain of its own, REDIS_URL for replicas
// that share their short-lived state, FAPI_<PARTY>_REPLICA_PORT for the ports one replica binds, and
// DATABASE_URL to keep the bank's data on a PostgreSQL server instead of the embedded SQLite file).

import net from 'node:net';

import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type PartyName = 'directory' | 'bank-op' | 'bank-api' | 'tpp';

export interface Listener {
  /**
   * Host name the listener is reached by: `<name>.<base domain>`. By default `*.localhost`, which browsers
   * resolve to loopback; under FAPI_BASE_DOMAIN, names a trainer's DNS (or a browser's host rules) resolves.
   */
  host: string;
  port: number;
  /** The local address the listener binds (FAPI_LISTEN_ADDRESS, else the host address). */
  address: string;
  /** `https://host:port` */
  origin: string;
}

export interface Party {
  name: PartyName;
  /** What a learner calls it. */
  title: string;
  /** The browser-facing listener: server TLS only, never asks for a client certificate. */
  web: Listener;
  /**
   * The mutual-TLS listener (RFC 8705 §5 `mtls_endpoint_aliases`): it asks for a client certificate,
   * optionally at the TLS layer, and the app decides. Kept off the browser-facing host so that a
   * browser never shows a certificate picker.
   */
  mtls?: Listener;
  /** Server certificate and key (PEM; the certificate file carries the issuing CA after the leaf). */
  serverCert: string;
  serverKey: string;
}

export interface Participant {
  /** Folder name under certs/participants/. */
  slug: string;
  orgId: string;
  orgName: string;
  softwareId: string;
  clientName: string;
  roles: string[];
  redirectUris: string[];
  logoUri: string;
  /** Transport (mTLS client) certificate and key, issued by the directory CA. */
  transportCert: string;
  transportKey: string;
  /** Signing keys (PS256 and ES256) as a private JWKS; the directory publishes the public half. */
  signingJwks: string;
  signingPublicJwks: string;
  /** Encryption keys (use enc, RSA-OAEP-256 and ECDH-ES) for ID tokens; the directory publishes the public half. */
  /** Absent for software made in the developer portal (its bundle has signing keys only). */
  encryptionJwks?: string;
  encryptionPublicJwks?: string;
}

export interface BankOrganisation {
  orgId: string;
  orgName: string;
}

export interface SandboxConfig {
  repoRoot: string;
  /** Every party's name ends in it: `localhost` by default, FAPI_BASE_DOMAIN for a hosted sandbox. */
  baseDomain: string;
  /** The address `*.<baseDomain>` resolves to for the sandbox's own clients (FAPI_HOST_ADDRESS, 127.0.0.1). */
  hostAddress: string;
  certsDir: string;
  dataDir: string;
  /**
   * DATABASE_URL: `postgres://user:password@host:5432/database`. Unset (the default), the bank's data
   * is an embedded SQLite file under dataDir; set, it lives on that PostgreSQL server, where several
   * replicas of bank-op and bank-api can share it.
   */
  databaseUrl?: string;
  /**
   * FAPI_DIRECTORY_DATABASE_URL and FAPI_TPP_DATABASE_URL: the same for the directory's and the TPP's
   * data. Each party has a database of its own, as each has its own keys: no party reads another's rows.
   */
  directoryDatabaseUrl?: string;
  tppDatabaseUrl?: string;
  ca: {
    /** The sandbox root CA: the only trust anchor every client needs. */
    root: string;
    /** Issuing CA for TLS server certificates. */
    server: string;
    /** The directory's issuing CA: transport and signing certificates of participants. */
    directory: string;
    directoryKey: string;
    /** root + server CA: what a client trusts to reach any party's https origin. */
    serverTrustBundle: string;
    /** root + directory CA: what an mTLS listener trusts for client certificates. */
    clientTrustBundle: string;
  };
  directory: Party & {
    mtls: Listener;
    ssaSigningJwks: string;
    adminCredentialFile: string;
    /** The developer portal's invite code (sign-up needs it), created at the directory's first start. */
    inviteCodeFile: string;
  };
  bankOp: Party & { mtls: Listener; issuer: string; signingJwks: string; encryptionJwks: string };
  bankApi: Party & {
    baseUrl: string;
    /**
     * bank-api's own transport certificate and key (the bank is a directory participant too): it
     * authenticates with them to bank-op's introspection endpoint (RFC 7662 §2.1, tls_client_auth).
     */
    introspectionCert: string;
    introspectionKey: string;
    /** bank-api's message signing keys (PS256, ES256): it signs its responses to signed requests (RFC 9421). */
    signingJwks: string;
  };
  tpp: Party;
  bank: BankOrganisation;
  participants: { demo: Participant; second: Participant };
  negative: {
    expiredTransportCert: string;
    expiredTransportKey: string;
    untrustedTransportCert: string;
    untrustedTransportKey: string;
    untrustedCa: string;
    revokedTransportCert: string;
    revokedTransportKey: string;
  };
  /** Machine-readable description of every generated file (written by `pnpm pki`). */
  pkiManifest: string;
  /**
   * REDIS_URL (`redis://` or `rediss://`): where replicas of a party share what must be shared (replay
   * caches, DPoP nonce secrets, oidc-provider's short-lived models). Unset: each process keeps its own.
   */
  redisUrl?: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const defaultRepoRoot = path.resolve(here, '../../..');

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name}=${raw} is not a TCP port (0-65535)`);
  }
  return value;
}

/** Dot-separated RFC 1123 §2.1 host name labels (letters, digits, inner hyphens). */
const BASE_DOMAIN = /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/;

function baseDomainOf(env: NodeJS.ProcessEnv): string {
  const raw = (env.FAPI_BASE_DOMAIN ?? '').trim().toLowerCase().replace(/\.$/, '');
  if (raw === '') return 'localhost';
  if (!BASE_DOMAIN.test(raw) || raw.length > 200 || net.isIP(raw) !== 0) {
    throw new Error(
      `FAPI_BASE_DOMAIN=${env.FAPI_BASE_DOMAIN} is not a DNS domain name (e.g. sandbox.example.org): the parties are named <party>.<domain>`,
    );
  }
  return raw;
}

/** The PostgreSQL URL in `variable`, or undefined to keep `owner`'s data in its embedded SQLite file. */
function databaseUrlOf(env: NodeJS.ProcessEnv, variable: string, owner: string): string | undefined {
  const raw = env[variable]?.trim();
  if (!raw) return undefined;
  if (!/^postgres(ql)?:\/\/[^/]/.test(raw)) {
    throw new Error(
      `${variable} must be a PostgreSQL URL, postgres://user:password@host:5432/database (got '${raw.split(':')[0]}:…'); unset it to keep ${owner} in its embedded SQLite file`,
    );
  }
  return raw;
}

function addressOf(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (net.isIP(raw) === 0) throw new Error(`${name}=${raw} is not an IPv4 or IPv6 address`);
  return raw;
}

/** REDIS_URL: a redis: or rediss: URL (ioredis's own form), or unset. */
function redisUrlOf(env: NodeJS.ProcessEnv): string | undefined {
  const raw = (env.REDIS_URL ?? '').trim();
  if (raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    url = new URL('invalid:');
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new Error(
      'REDIS_URL is not a Redis URL: give redis://host:port[/db] (or rediss:// for TLS), or leave it unset for the embedded stores',
    );
  }
  return raw;
}

/** host:port of a Redis URL, never its user or password: what an error message may show. */
export function redisAddressOf(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || '6379'}`;
}

function listener(host: string, portNumber: number, address: string): Listener {
  return {
    host,
    port: portNumber,
    address,
    origin: portNumber === 443 ? `https://${host}` : `https://${host}:${portNumber}`,
  };
}

/** Builds the configuration from the environment. Call it once per process (see `sandboxConfig`). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SandboxConfig {
  const repoRoot = env.FAPI_SANDBOX_ROOT ?? defaultRepoRoot;
  const certsDir = path.resolve(repoRoot, env.FAPI_SANDBOX_CERTS_DIR ?? 'certs');
  const dataDir = path.resolve(repoRoot, env.FAPI_SANDBOX_DATA_DIR ?? 'data');
  const cert = (...parts: string[]) => path.join(certsDir, ...parts);

  const baseDomain = baseDomainOf(env);
  const hostAddress = addressOf(env, 'FAPI_HOST_ADDRESS', '127.0.0.1');
  const databaseUrl = databaseUrlOf(env, 'DATABASE_URL', 'the bank');
  const directoryDatabaseUrl = databaseUrlOf(env, 'FAPI_DIRECTORY_DATABASE_URL', 'the directory');
  const tppDatabaseUrl = databaseUrlOf(env, 'FAPI_TPP_DATABASE_URL', 'the TPP');
  const listenAddress = addressOf(env, 'FAPI_LISTEN_ADDRESS', hostAddress);
  /** `<name>.<base domain>` on `portNumber`, bound to the listen address. */
  const named = (name: string, portNumber: number) =>
    listener(`${name}.${baseDomain}`, portNumber, listenAddress);

  const redisUrl = redisUrlOf(env);
  const tppWeb = named('tpp', port(env, 'FAPI_TPP_PORT', 7443));

  const participant = (
    slug: string,
    fields: Omit<
      Participant,
      | 'slug'
      | 'transportCert'
      | 'transportKey'
      | 'signingJwks'
      | 'signingPublicJwks'
      | 'encryptionJwks'
      | 'encryptionPublicJwks'
    >,
  ): Participant => ({
    slug,
    ...fields,
    transportCert: cert('participants', slug, 'transport.crt'),
    transportKey: cert('participants', slug, 'transport.key'),
    signingJwks: cert('participants', slug, 'signing.private.jwks.json'),
    signingPublicJwks: cert('participants', slug, 'signing.public.jwks.json'),
    encryptionJwks: cert('participants', slug, 'encryption.private.jwks.json'),
    encryptionPublicJwks: cert('participants', slug, 'encryption.public.jwks.json'),
  });

  const bankOpWeb = named('bank', port(env, 'FAPI_BANK_OP_PORT', 9443));
  const bankApiWeb = named('api.bank', port(env, 'FAPI_BANK_API_PORT', 9543));
  // Budgetly runs no server: its seeded redirect URIs only need to be distinct and in the same domain.
  const budgetly = `https://budgetly.${baseDomain}`;

  const config: SandboxConfig = {
    repoRoot,
    baseDomain,
    hostAddress,
    certsDir,
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(directoryDatabaseUrl ? { directoryDatabaseUrl } : {}),
    ...(tppDatabaseUrl ? { tppDatabaseUrl } : {}),
    ca: {
      root: cert('ca', 'root-ca.crt'),
      server: cert('ca', 'server-ca.crt'),
      directory: cert('ca', 'directory-ca.crt'),
      directoryKey: cert('ca', 'directory-ca.key'),
      serverTrustBundle: cert('ca', 'server-trust-bundle.pem'),
      clientTrustBundle: cert('ca', 'client-trust-bundle.pem'),
    },
    directory: {
      name: 'directory',
      title: 'Directory',
      web: named('directory', port(env, 'FAPI_DIRECTORY_PORT', 8443)),
      mtls: named('mtls.directory', port(env, 'FAPI_DIRECTORY_MTLS_PORT', 8444)),
      serverCert: cert('servers', 'directory.crt'),
      serverKey: cert('servers', 'directory.key'),
      ssaSigningJwks: cert('directory', 'ssa-signing.private.jwks.json'),
      adminCredentialFile: path.join(dataDir, 'directory', 'admin-credential.txt'),
      inviteCodeFile: path.join(dataDir, 'directory', 'invite-code'),
    },
    bankOp: {
      name: 'bank-op',
      title: 'Bank OpenID Provider',
      web: bankOpWeb,
      mtls: named('mtls.bank', port(env, 'FAPI_BANK_OP_MTLS_PORT', 9444)),
      serverCert: cert('servers', 'bank-op.crt'),
      serverKey: cert('servers', 'bank-op.key'),
      issuer: bankOpWeb.origin,
      signingJwks: cert('bank-op', 'signing.private.jwks.json'),
      encryptionJwks: cert('bank-op', 'encryption.private.jwks.json'),
    },
    bankApi: {
      name: 'bank-api',
      title: 'Bank API',
      // Back channel only (TPP servers call it), so its one listener asks for a client certificate.
      web: bankApiWeb,
      mtls: bankApiWeb,
      serverCert: cert('servers', 'bank-api.crt'),
      serverKey: cert('servers', 'bank-api.key'),
      baseUrl: `${bankApiWeb.origin}/open-banking/v3.1`,
      introspectionCert: cert('bank-api', 'introspection.crt'),
      introspectionKey: cert('bank-api', 'introspection.key'),
      signingJwks: cert('bank-api', 'signing.private.jwks.json'),
    },
    tpp: {
      name: 'tpp',
      title: 'Demo TPP (Moneywise)',
      web: tppWeb,
      serverCert: cert('servers', 'tpp.crt'),
      serverKey: cert('servers', 'tpp.key'),
    },
    bank: { orgId: '001580000103UAvAAM', orgName: 'Sandbox Bank plc' },
    participants: {
      demo: participant('tpp-demo', {
        orgId: '0015800001041REAAY',
        orgName: 'Moneywise Ltd',
        softwareId: 'Mw3Tz7QkYp2Lr9DaX1bHcE',
        clientName: 'Moneywise',
        roles: ['AISP', 'PISP'],
        redirectUris: [`${tppWeb.origin}/callback`, `${tppWeb.origin}/callback?dummy1=lorem&dummy2=ipsum`],
        logoUri: `${tppWeb.origin}/logo.svg`,
      }),
      // A second TPP: the cross-client negative tests need another client with its own keys.
      second: participant('tpp-second', {
        orgId: '0015800001041RFAAY',
        orgName: 'Budgetly Ltd',
        softwareId: 'Bd8Kx2NvQm5Wt4RsY7jGhA',
        clientName: 'Budgetly',
        roles: ['AISP'],
        redirectUris: [`${budgetly}/callback`, `${budgetly}/callback?dummy1=lorem&dummy2=ipsum`],
        logoUri: `${budgetly}/logo.svg`,
      }),
    },
    negative: {
      expiredTransportCert: cert('negative', 'expired-transport.crt'),
      expiredTransportKey: cert('negative', 'expired-transport.key'),
      untrustedTransportCert: cert('negative', 'untrusted-transport.crt'),
      untrustedTransportKey: cert('negative', 'untrusted-transport.key'),
      untrustedCa: cert('negative', 'untrusted-ca.crt'),
      revokedTransportCert: cert('negative', 'revoked-transport.crt'),
      revokedTransportKey: cert('negative', 'revoked-transport.key'),
    },
    pkiManifest: cert('manifest.json'),
    ...(redisUrl ? { redisUrl } : {}),
  };
  // One replica of several behind the balancer (`pnpm dev --replicas N`): it binds ports of its own.
  const opReplica = port(env, 'FAPI_BANK_OP_REPLICA_PORT', 0);
  const apiReplica = port(env, 'FAPI_BANK_API_REPLICA_PORT', 0);
  if (opReplica) {
    const mtls = port(env, 'FAPI_BANK_OP_MTLS_REPLICA_PORT', 0);
    if (!mtls) throw new Error('FAPI_BANK_OP_REPLICA_PORT needs FAPI_BANK_OP_MTLS_REPLICA_PORT beside it');
    return replicaConfig(config, 'bankOp', { web: opReplica, mtls });
  }
  return apiReplica ? replicaConfig(config, 'bankApi', { web: apiReplica }) : config;
}

/**
 * The same configuration (origins, issuer, audience: what a client sees) with the party's listeners
 * bound to other ports: one replica's view behind a balancer on the configured ports (tcp-balancer.ts).
 */
export function replicaConfig(
  config: SandboxConfig,
  party: 'bankOp' | 'bankApi',
  ports: { web: number; mtls?: number },
): SandboxConfig {
  const on = (listener: Listener, port: number): Listener => ({ ...listener, port });
  const current = config[party];
  const web = on(current.web, ports.web);
  // bank-api's one listener is both its web and its mTLS listener.
  const mtls =
    !current.mtls || current.mtls === current.web ? web : on(current.mtls, ports.mtls ?? ports.web);
  return { ...config, [party]: { ...current, web, mtls } };
}

/**
 * The environment that makes another process's `sandboxConfig()` equal `config` (ports, data and certs
 * folders): the inverse of `loadConfig`, for starting parties as child processes.
 */
export function environmentFor(config: SandboxConfig): Record<string, string> {
  return {
    FAPI_DIRECTORY_PORT: String(config.directory.web.port),
    FAPI_DIRECTORY_MTLS_PORT: String(config.directory.mtls.port),
    FAPI_BANK_OP_PORT: String(config.bankOp.web.port),
    FAPI_BANK_OP_MTLS_PORT: String(config.bankOp.mtls.port),
    FAPI_BANK_API_PORT: String(config.bankApi.web.port),
    FAPI_TPP_PORT: String(config.tpp.web.port),
    FAPI_SANDBOX_DATA_DIR: config.dataDir,
    FAPI_SANDBOX_CERTS_DIR: config.certsDir,
    FAPI_BASE_DOMAIN: config.baseDomain,
    FAPI_HOST_ADDRESS: config.hostAddress,
    FAPI_LISTEN_ADDRESS: config.tpp.web.address,
    ...(config.redisUrl ? { REDIS_URL: config.redisUrl } : {}),
    ...(config.databaseUrl ? { DATABASE_URL: config.databaseUrl } : {}),
    ...(config.directoryDatabaseUrl ? { FAPI_DIRECTORY_DATABASE_URL: config.directoryDatabaseUrl } : {}),
    ...(config.tppDatabaseUrl ? { FAPI_TPP_DATABASE_URL: config.tppDatabaseUrl } : {}),
  };
}

let cached: SandboxConfig | undefined;

/** The process-wide configuration, read from the environment on first use. */
export function sandboxConfig(): SandboxConfig {
  cached ??= loadConfig();
  return cached;
}

/** Every host name the sandbox uses; all resolve to the host address (see `resolver.ts`). */
export function sandboxHostnames(config: SandboxConfig = sandboxConfig()): string[] {
  const parties = [config.directory, config.bankOp, config.bankApi, config.tpp];
  return [...new Set(parties.flatMap((p) => [p.web.host, ...(p.mtls ? [p.mtls.host] : [])]))];
}
