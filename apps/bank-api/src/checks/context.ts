// What the resource-server pipeline knows about one request as its checks run: the request as
// received, what the route requires, and what each check established for the next one.
import type { Consent, ConsentStatus, GrantedDetail, Permission } from '@fapi-sandbox/bank-domain';
import type { CertificateStatus } from '@fapi-sandbox/fapi-core/directory-client';
import type { FapiRequestHeaders } from '@fapi-sandbox/fapi-core/fapi-headers';
import type { MessageSignature } from '@fapi-sandbox/fapi-core/http-signatures';
import type { VerifiedDpopProof } from '@fapi-sandbox/fapi-core/jose/dpop';
import type { PeerCertificate } from '@fapi-sandbox/fapi-core/peer-certificate';
import type { TraceJwt } from '@fapi-sandbox/fapi-core/trace';

export type AuthScheme = 'Bearer' | 'DPoP';

/** What a route needs from the token and the consent behind it. */
export interface AccessRequirement {
  /** OAuth scope the token must carry: UK OB `accounts` (AISP) or `payments` (PISP). */
  scope: 'accounts' | 'payments';
  /**
   * `client_credentials`: the TPP acting for itself (creating or reading its consents).
   * `authorization_code`: the TPP acting for the customer under an authorised consent.
   */
  grant: 'client_credentials' | 'authorization_code';
  /** For authorization_code: each inner list needs at least one of its permissions. */
  permissions?: Permission[][];
  /** The route parameter naming an account that must be in the consent. */
  accountParam?: string;
  /** Consent statuses the call may run under; default Authorised. */
  allowedConsentStatuses?: ConsentStatus[];
}

/** RFC 9068 §2.2 claims of a bank-op access token, plus UK OB's consent id. */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scopes: string[];
  cnf: { 'x5t#S256'?: string; jkt?: string } | undefined;
  /** The grant the token was issued under (bank-op's grant_id claim), for the revocation check. */
  grant_id?: string;
  /** The consent (UK OB "intent") an authorization-code token was issued for. */
  openbanking_intent_id?: string;
  /** RFC 9396 §7: the authorization details granted instead of an intent, as the token carries them (unchecked). */
  authorization_details?: unknown;
  /** The directory participant the client was registered for: its software statement and organisation. */
  /** The profile bank-op holds the client to (its `fapi_profile` claim): bearer tokens only for Baseline. */
  fapi_profile?: string;
  software_id?: string;
  org_id?: string;
}

export interface PipelineContext {
  readonly method: string;
  /** The URL as the client addressed it (the public origin + path and query). */
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly query: URLSearchParams;
  /** The TLS socket, for the client certificate. */
  readonly socket: unknown;
  readonly interactionId: string;
  readonly requirement: AccessRequirement;
  readonly params: Record<string, string | undefined>;
  /** The request body as received, for its Content-Digest (RFC 9530). */
  readonly body?: Buffer;
  /** Set by the FAPI headers check. */
  fapi?: FapiRequestHeaders;
  credentials?: { scheme: AuthScheme; token: string };
  /** Set by the transport check. */
  certificate?: PeerCertificate;
  /** The directory's answer for the client certificate (mTLS), reused by the participant check. */
  certificateStatus?: CertificateStatus;
  dpop?: VerifiedDpopProof;
  /** Set by the token check. */
  token?: AccessTokenClaims;
  /** Set by the message signature check when the client signed the request (RFC 9421). */
  messageSignature?: MessageSignature;
  /**
   * Set by the authorisation check (authorization_code routes): the consent the token names, or, for a
   * token with authorization_details, the bank's view of the granted detail as a consent.
   */
  consent?: Consent;
  /** RFC 9396: the granted detail that covers this call, when the token carries authorization_details. */
  grantedDetail?: GrantedDetail;
  /** JWTs seen on this request, for the trace. */
  jwts: TraceJwt[];
}

/** One named step of the pipeline. `run` returns what it found, or throws an OAuthError naming the clause. */
export interface Check {
  /** e.g. "Transport: client certificate or DPoP proof" */
  name: string;
  /** The clause the check enforces, shown in the trace when it passes. */
  clause: string;
  /** The check's name in the trace for this request, when it differs from `name` (e.g. an introspected token). */
  nameFor?(ctx: PipelineContext): string;
  run(ctx: PipelineContext): Promise<string> | string;
}
