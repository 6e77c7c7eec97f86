// What the directory knows about: organisations, their authorisation servers and software statements, and
// the certificates it issued to them. Plain data; the store persists it and the routes render it.

/** Lifecycle of an organisation or a software statement. `revoked` is final. */
export const PARTICIPANT_STATUSES = ['active', 'suspended', 'revoked'] as const;
export type ParticipantStatus = (typeof PARTICIPANT_STATUSES)[number];

export const CERTIFICATE_TYPES = ['transport', 'signing'] as const;
export type CertificateType = (typeof CERTIFICATE_TYPES)[number];

/** UK Open Banking software roles a TPP can hold. */
export const SOFTWARE_ROLES = ['AISP', 'PISP', 'CBPII'] as const;
export type SoftwareRole = (typeof SOFTWARE_ROLES)[number];

/** RFC 5280 §5.3.1 reason codes the directory records. */
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export interface Organisation {
  orgId: string;
  orgName: string;
  status: ParticipantStatus;
  createdAt: string;
  updatedAt: string;
}

export interface AuthorisationServer {
  authorisationServerId: string;
  orgId: string;
  issuer: string;
  discoveryUrl: string;
  apiBaseUrl: string;
  customerFriendlyName: string;
  logoUri: string | null;
  createdAt: string;
}

export interface SoftwareStatement {
  softwareId: string;
  orgId: string;
  clientName: string;
  description: string;
  version: string;
  roles: SoftwareRole[];
  redirectUris: string[];
  logoUri: string | null;
  /** The statement's own status; see `effectiveStatus` for what a relying party must act on. */
  status: ParticipantStatus;
  createdAt: string;
  updatedAt: string;
}

export interface CertificateRecord {
  /** Upper-case hex, as Node's `X509Certificate.serialNumber` reports it. */
  serialNumber: string;
  /** RFC 8705 §3.1 thumbprint: base64url SHA-256 of the DER certificate. */
  x5tS256: string;
  orgId: string;
  softwareId: string;
  type: CertificateType;
  subject: string;
  /** e.g. "EC P-256", "RSA 2048". */
  keyType: string;
  /** Signing certificates: the JWK `kid` (RFC 7638 thumbprint) and `alg` they are published with. */
  kid: string | null;
  alg: string | null;
  notBefore: string;
  notAfter: string;
  /** The leaf, then its issuers (PEM). */
  chainPem: string;
  source: CertificateSource;
  revokedAt: string | null;
  revocationReason: RevocationReason | null;
  createdAt: string;
}

/** `pki`: from `pnpm pki`; `csr`: from a participant's request; `bundle`: keys the portal made for a client bundle. */
export type CertificateSource = 'pki' | 'csr' | 'bundle';

export type CertificateStatus = 'active' | 'revoked' | 'expired';

export interface SsaIssuance {
  jti: string;
  orgId: string;
  softwareId: string;
  issuedAt: string;
  expiresAt: string;
  /** Serial number of the transport certificate the SSA was fetched with. */
  certificateSerialNumber: string;
  ssa: string;
}

/** A software statement is never more trusted than its organisation. */
export function effectiveStatus(
  organisation: ParticipantStatus,
  software: ParticipantStatus,
): ParticipantStatus {
  if (organisation === 'revoked' || software === 'revoked') return 'revoked';
  if (organisation === 'suspended' || software === 'suspended') return 'suspended';
  return 'active';
}

export function certificateStatus(certificate: CertificateRecord, now: Date = new Date()): CertificateStatus {
  if (certificate.revokedAt) return 'revoked';
  return Date.parse(certificate.notAfter) <= now.getTime() ? 'expired' : 'active';
}

/** "Active", "Suspended", "Revoked": the UK Open Banking spelling used inside SSAs. */
export function obStatus(status: ParticipantStatus): string {
  return status.charAt(0).toUpperCase() + status.slice(1);
}
