// Typed client of the directory (apps/directory): its public reads, the SSA fetch over mTLS, and SSA
// verification with the directory's published keys. bank-op, bank-api and the TPP use it. Each read may
// carry an x-fapi-interaction-id, and an `onExchange` hook sees every HTTP exchange (for flow traces).
import type { JSONWebKeySet } from 'jose';
import { type Dispatcher, fetch } from 'undici';
import type { SandboxConfig } from './config.js';
import { INTERACTION_ID_HEADER } from './fapi-headers.js';
import { type SsaClaims, verifySoftwareStatement } from './software-statement.js';
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

/** The claims of a software statement (defined with its verifier). */
export type { SsaClaims };

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

/** Per-call options of every directory read. */
export interface DirectoryCallOptions {
  /**
   * Sent as `x-fapi-interaction-id` (FAPI 1.0 Part 1 §6.2.1-11), so the directory's trace files the
   * request under the caller's interaction.
   */
  interactionId?: string;
}

/** Which read an exchange belongs to (`jwks` also when `verifySsa` fetches the keys). */
export type DirectoryOperation =
  | 'jwks'
  | 'participants'
  | 'certificateStatus'
  | 'softwareStatement'
  | 'softwareJwks'
  | 'fetchSsa';

/** One HTTP request to the directory and its answer, as the client sent and received them. */
export interface DirectoryExchange {
  operation: DirectoryOperation;
  /** The call's interaction id, when it was given one (also in `requestHeaders`). */
  interactionId?: string;
  method: 'GET';
  url: string;
  requestHeaders: Record<string, string>;
  /** Absent when no answer arrived; `error` then says why. */
  status?: number;
  responseHeaders?: Record<string, string>;
  /** The response body as received. An SSA is a credential: redact before showing it. */
  body?: string;
  /** The failure that stopped the request before any answer (connection refused, TLS, timeout). */
  error?: unknown;
  startedAt: Date;
  durationMs: number;
}

export interface DirectoryClient {
  /** The directory's SSA-verification keys (`/.well-known/jwks.json`). */
  jwks(options?: DirectoryCallOptions): Promise<JSONWebKeySet>;
  participants(options?: DirectoryCallOptions): Promise<Participants>;
  /** Status of a certificate by its RFC 8705 §3.1 thumbprint; unknown certificates answer `unknown`. */
  certificateStatus(x5tS256: string, options?: DirectoryCallOptions): Promise<CertificateStatus>;
  softwareStatement(
    orgId: string,
    softwareId: string,
    options?: DirectoryCallOptions,
  ): Promise<SoftwareStatement>;
  /** The software's signing keys (its `jwks_uri`). */
  softwareJwks(orgId: string, softwareId: string, options?: DirectoryCallOptions): Promise<JSONWebKeySet>;
  /** Fetches the software's SSA over mTLS; `transportDispatcher` must present its transport certificate. */
  fetchSsa(
    orgId: string,
    softwareId: string,
    transportDispatcher: Dispatcher,
    options?: DirectoryCallOptions,
  ): Promise<string>;
  /**
   * Verifies an SSA with the directory's current keys (`verifySoftwareStatement`: algorithm, `typ`,
   * signature, `iss`, `iat`, `exp`, every claim). Throws OAuthError 400 `invalid_software_statement`.
   */
  verifySsa(ssa: string, options?: DirectoryCallOptions): Promise<SsaClaims>;
}

export interface DirectoryClientOptions {
  config: SandboxConfig;
  /** For the public reads; defaults to an agent trusting the sandbox CA. */
  dispatcher?: Dispatcher;
  /**
   * Called once per HTTP exchange, after the answer's body is read (or the request failed), before the
   * result is returned or thrown. What it throws fails the call: a trace that must be complete stays so.
   */
  onExchange?: (exchange: DirectoryExchange) => void;
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

function headerRecord(headers: Headers): Record<string, string> {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return record;
}

export function createDirectoryClient(options: DirectoryClientOptions): DirectoryClient {
  const { config } = options;
  const web = config.directory.web.origin;
  const dispatcher = options.dispatcher ?? createSandboxAgent({}, config);

  /** One GET, reported to `onExchange`; answers the body text of a 2xx, throws DirectoryError otherwise. */
  async function get(
    operation: DirectoryOperation,
    url: string,
    request: { dispatcher: Dispatcher; accept: string; call: DirectoryCallOptions | undefined },
  ): Promise<string> {
    const interactionId = request.call?.interactionId;
    const requestHeaders: Record<string, string> = {
      accept: request.accept,
      ...(interactionId ? { [INTERACTION_ID_HEADER]: interactionId } : {}),
    };
    const startedAt = new Date();
    const started = performance.now();
    const report = (answer: Partial<DirectoryExchange>) =>
      options.onExchange?.({
        operation,
        ...(interactionId ? { interactionId } : {}),
        method: 'GET',
        url,
        requestHeaders,
        startedAt,
        durationMs: Math.round(performance.now() - started),
        ...answer,
      });
    let response: Awaited<ReturnType<typeof fetch>>;
    let body: string;
    try {
      response = await fetch(url, { dispatcher: request.dispatcher, headers: requestHeaders });
      body = await response.text();
    } catch (error) {
      report({ error });
      throw error;
    }
    report({ status: response.status, responseHeaders: headerRecord(response.headers), body });
    if (!response.ok) throw failure(url, response.status, body);
    return body;
  }

  async function getJson<T>(operation: DirectoryOperation, path: string, call?: DirectoryCallOptions) {
    return JSON.parse(
      await get(operation, `${web}${path}`, { dispatcher, accept: 'application/json', call }),
    ) as T;
  }

  const jwks = (call?: DirectoryCallOptions) =>
    getJson<JSONWebKeySet>('jwks', '/.well-known/jwks.json', call);

  return {
    jwks,
    participants: (call) => getJson<Participants>('participants', '/participants', call),
    certificateStatus: (x5tS256, call) =>
      getJson<CertificateStatus>(
        'certificateStatus',
        `/certificate-status?${new URLSearchParams({ 'x5t#S256': x5tS256 })}`,
        call,
      ),
    softwareStatement: (orgId, softwareId, call) =>
      getJson<SoftwareStatement>('softwareStatement', softwarePath(orgId, softwareId), call),
    softwareJwks: (orgId, softwareId, call) =>
      getJson<JSONWebKeySet>('softwareJwks', `${softwarePath(orgId, softwareId)}/jwks`, call),

    async fetchSsa(orgId, softwareId, transportDispatcher, call) {
      const url = `${config.directory.mtls.origin}${softwarePath(orgId, softwareId)}/ssa`;
      const body = await get('fetchSsa', url, {
        dispatcher: transportDispatcher,
        accept: 'application/jwt',
        call,
      });
      return body.trim();
    },

    verifySsa: (ssa, call) =>
      verifySoftwareStatement(ssa, {
        issuer: web,
        keys: () => jwks(call),
        ssaSource: `GET ${config.directory.mtls.origin}/organisations/{orgId}/software-statements/{softwareId}/ssa`,
      }),
  };
}
