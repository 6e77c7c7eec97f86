// Typed client of the directory (apps/directory): its public reads, the SSA fetch over mTLS, and SSA
// verification with the directory's published keys. bank-op, bank-api and the TPP use it.
import {
  createLocalJWKSet,
  type JSONWebKeySet,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { type Dispatcher, fetch } from 'undici';
import type { SandboxConfig } from './config.js';
import { OAuthError } from './errors.js';
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

/** The claims of a directory-issued software statement assertion (UK Open Banking style). */
export interface SsaClaims extends JWTPayload {
  iss: string;
  iat: number;
  exp: number;
  jti: string;
  software_id: string;
  software_client_id: string;
  software_client_name: string;
  software_client_description: string;
  software_version: string;
  software_redirect_uris: string[];
  software_jwks_uri: string;
  software_roles: string[];
  software_logo_uri?: string;
  /** "Active", "Suspended" or "Revoked". */
  software_status: string;
  org_id: string;
  org_name: string;
  org_status: string;
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
  /** Fetches the software's SSA over mTLS; `transportDispatcher` must present its transport certificate. */
  fetchSsa(orgId: string, softwareId: string, transportDispatcher: Dispatcher): Promise<string>;
  /**
   * Verifies an SSA with the directory's current keys: signature (PS256 or ES256), `typ`, `iss`, `iat`,
   * `exp`. Throws OAuthError 400 `invalid_software_statement` (RFC 7591 §3.2.2) when it does not verify.
   */
  verifySsa(ssa: string): Promise<SsaClaims>;
}

export interface DirectoryClientOptions {
  config: SandboxConfig;
  /** For the public reads; defaults to an agent trusting the sandbox CA. */
  dispatcher?: Dispatcher;
}

function softwarePath(orgId: string, softwareId: string): string {
  return `/organisations/${encodeURIComponent(orgId)}/software-statements/${encodeURIComponent(softwareId)}`;
}

async function failure(url: string, response: Awaited<ReturnType<typeof fetch>>): Promise<DirectoryError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (typeof body.error === 'string') {
      return new DirectoryError(url, response.status, body.error, String(body.error_description ?? ''));
    }
  } catch {
    // Not JSON: reported below with the start of the body.
  }
  return new DirectoryError(url, response.status, 'unexpected_response', text.slice(0, 200));
}

export function createDirectoryClient(options: DirectoryClientOptions): DirectoryClient {
  const { config } = options;
  const web = config.directory.web.origin;
  const dispatcher = options.dispatcher ?? createSandboxAgent({}, config);

  async function getJson<T>(path: string): Promise<T> {
    const url = `${web}${path}`;
    const response = await fetch(url, { dispatcher, headers: { accept: 'application/json' } });
    if (!response.ok) throw await failure(url, response);
    return (await response.json()) as T;
  }

  const jwks = () => getJson<JSONWebKeySet>('/.well-known/jwks.json');

  return {
    jwks,
    participants: () => getJson<Participants>('/participants'),
    certificateStatus: (x5tS256) =>
      getJson<CertificateStatus>(`/certificate-status?${new URLSearchParams({ 'x5t#S256': x5tS256 })}`),
    softwareStatement: (orgId, softwareId) => getJson<SoftwareStatement>(softwarePath(orgId, softwareId)),
    softwareJwks: (orgId, softwareId) => getJson<JSONWebKeySet>(`${softwarePath(orgId, softwareId)}/jwks`),

    async fetchSsa(orgId, softwareId, transportDispatcher) {
      const url = `${config.directory.mtls.origin}${softwarePath(orgId, softwareId)}/ssa`;
      const response = await fetch(url, {
        dispatcher: transportDispatcher,
        headers: { accept: 'application/jwt' },
      });
      if (!response.ok) throw await failure(url, response);
      return (await response.text()).trim();
    },

    async verifySsa(ssa) {
      try {
        const { payload } = await jwtVerify(ssa, createLocalJWKSet(await jwks()), {
          issuer: web,
          typ: 'JWT',
          // FAPI 2.0 SP §5.4.1-1: only FAPI algorithms; `none` and HMAC are never accepted.
          algorithms: ['PS256', 'ES256'],
          requiredClaims: [
            'iat',
            'exp',
            'jti',
            'software_id',
            'org_id',
            'software_jwks_uri',
            'software_redirect_uris',
          ],
        });
        return payload as SsaClaims;
      } catch (err) {
        if (!(err instanceof joseErrors.JOSEError)) throw err;
        throw new OAuthError({
          status: 400,
          error: 'invalid_software_statement',
          description: `The software statement does not verify with the directory's keys: ${err.message}`,
          clause: 'RFC 7591 §3.2.2',
          fix: `fetch a fresh SSA from ${config.directory.mtls.origin} and send it unmodified`,
        });
      }
    },
  };
}
