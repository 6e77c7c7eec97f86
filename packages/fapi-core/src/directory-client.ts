// Typed client of the directory's public reads (apps/directory) for the parties that rely on it as
// servers: bank-op and bank-api read participants, software statements, their keys and certificate
// status. A participant's own client reads (its SSA over mTLS, the participants list it finds its bank
// in) are the client engine's (@fapi-sandbox/fapi-client, directory.ts), where observers see them.
import type { JSONWebKeySet } from 'jose';
import { type Dispatcher, fetch } from 'undici';
import type { SandboxConfig } from './config.js';
import { maxAgeMs, shortLivedCache } from './short-lived-cache.js';
import { createSandboxAgent } from './tls.js';

/** An organisation's or software statement's standing in the directory. `revoked` is final. */
export type DirectoryStatus = 'active' | 'suspended' | 'revoked';

export interface ParticipantAuthorisationServer {
  orgId: string;
  orgName: string;
  status: DirectoryStatus;
  issuer: string;
  discoveryUrl: string;
  apiBaseUrl: string;
  customerFriendlyName: string;
  logoUri: string | null;
}

export interface ParticipantSoftwareStatement {
  orgId: string;
  orgName: string;
  softwareId: string;
  clientName: string;
  /** Effective status: a software statement is never more trusted than its organisation. */
  status: DirectoryStatus;
  roles: string[];
  redirectUris: string[];
  jwksUri: string;
  logoUri: string | null;
}

export interface Participants {
  authorisationServers: ParticipantAuthorisationServer[];
  softwareStatements: ParticipantSoftwareStatement[];
}

export interface SoftwareStatement extends ParticipantSoftwareStatement {
  orgStatus: DirectoryStatus;
  /** The statement's own status, before its organisation's is applied. */
  ownStatus: DirectoryStatus;
  description: string;
  version: string;
  /** Where the TPP fetches its SSA (the directory's mTLS listener). */
  ssaUrl: string;
  createdAt: string;
  updatedAt: string;
}

export interface CertificateStatus {
  status: 'active' | 'revoked' | 'expired' | 'unknown';
  x5tS256: string;
  /** The rest is present for certificates the directory knows (status other than `unknown`). */
  serialNumber?: string;
  orgId?: string;
  softwareId?: string;
  type?: 'transport' | 'signing';
  notAfter?: string;
  revokedAt?: string;
  revocationReason?: string;
  /** Effective status of the software the certificate belongs to: refuse `suspended` and `revoked` too. */
  softwareStatus?: DirectoryStatus;
}

/** A directory answer other than success: the HTTP status and the directory's OAuth-style error. */
export class DirectoryError extends Error {
  override name = 'DirectoryError';
  constructor(
    readonly url: string,
    readonly status: number,
    readonly error: string,
    readonly errorDescription: string,
  ) {
    super(`Directory answered ${status} ${error} for ${url}: ${errorDescription}`);
  }
}

export interface DirectoryClient {
  /** The directory's SSA-verification keys (`/.well-known/jwks.json`). */
  jwks(): Promise<JSONWebKeySet>;
  participants(): Promise<Participants>;
  /** Status of a certificate by its RFC 8705 §3.1 thumbprint; unknown certificates answer `unknown`. */
  certificateStatus(x5tS256: string): Promise<CertificateStatus>;
  softwareStatement(orgId: string, softwareId: string): Promise<SoftwareStatement>;
  /** The software's signing keys (its `jwks_uri`). */
  softwareJwks(orgId: string, softwareId: string): Promise<JSONWebKeySet>;
}

export interface DirectoryClientOptions {
  config: SandboxConfig;
  /** For the public reads; defaults to an agent trusting the sandbox CA. */
  dispatcher?: Dispatcher;
  /**
   * Reuse certificate-status, software-statement and software-JWKS answers for as long as the directory's
   * `Cache-Control: max-age` allows (never longer; none or `no-store` means asked every time), concurrent
   * asks for the same answer sharing one request. Off by default: callers that cache themselves say so.
   */
  reuseStatusAnswers?: boolean;
}

function softwarePath(orgId: string, softwareId: string): string {
  return `/organisations/${encodeURIComponent(orgId)}/software-statements/${encodeURIComponent(softwareId)}`;
}

function failure(url: string, status: number, text: string): DirectoryError {
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof body.error === 'string') {
      return new DirectoryError(url, status, body.error, String(body.error_description ?? ''));
    }
  } catch {
    // Not JSON: reported below with the start of the body.
  }
  return new DirectoryError(url, status, 'unexpected_response', text.slice(0, 200));
}

export function createDirectoryClient(options: DirectoryClientOptions): DirectoryClient {
  const { config } = options;
  const web = config.directory.web.origin;
  const dispatcher = options.dispatcher ?? createSandboxAgent({}, config);

  /** One GET of a JSON read, with how long the directory lets it be reused; non-2xx throws DirectoryError. */
  async function read<T>(path: string): Promise<{ body: T; reuseMs: number }> {
    const url = `${web}${path}`;
    const response = await fetch(url, { dispatcher, headers: { accept: 'application/json' } });
    const text = await response.text();
    if (!response.ok) throw failure(url, response.status, text);
    return { body: JSON.parse(text) as T, reuseMs: maxAgeMs(response.headers.get('cache-control')) };
  }
  const getJson = async <T>(path: string): Promise<T> => (await read<T>(path)).body;
  // One cache for the status reads, keyed by path, each answer kept as long as its own max-age says.
  const statusAnswers = options.reuseStatusAnswers
    ? shortLivedCache(
        (answer: { reuseMs: number }) => answer.reuseMs,
        (path: string) => read<unknown>(path),
      )
    : undefined;
  const getStatus = async <T>(path: string): Promise<T> =>
    statusAnswers ? ((await statusAnswers.get(path)).body as T) : getJson<T>(path);

  return {
    jwks: () => getJson<JSONWebKeySet>('/.well-known/jwks.json'),
    participants: () => getJson<Participants>('/participants'),
    certificateStatus: (x5tS256) =>
      getStatus<CertificateStatus>(`/certificate-status?${new URLSearchParams({ 'x5t#S256': x5tS256 })}`),
    softwareStatement: (orgId, softwareId) => getStatus<SoftwareStatement>(softwarePath(orgId, softwareId)),
    softwareJwks: (orgId, softwareId) => getStatus<JSONWebKeySet>(`${softwarePath(orgId, softwareId)}/jwks`),
  };
}
