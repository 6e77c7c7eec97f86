// What bank-op reads from the directory (the ecosystem's trust anchor): its SSA-signing keys, the live
// status of a software statement and of a certificate, and the participants list (names and logos for
// the consent page). fapi-core's directory client (createDirectoryClient) provides these; bank-op
// depends only on this shape, so tests can hand in the same client or their own.
import type { JSONWebKeySet } from 'jose';

export type ParticipantStatus = 'active' | 'suspended' | 'revoked';

export interface SoftwareStatementRecord {
  orgId: string;
  softwareId: string;
  clientName: string;
  /** Effective status: a software statement is never more trusted than its organisation. */
  status: ParticipantStatus;
  logoUri?: string | null;
}

export interface CertificateStatusRecord {
  status: 'active' | 'revoked' | 'expired' | 'unknown';
  orgId?: string;
  softwareId?: string;
  type?: 'transport' | 'signing';
  revokedAt?: string;
}

export interface ParticipantsList {
  softwareStatements: {
    orgId: string;
    orgName: string;
    softwareId: string;
    clientName: string;
    status: string;
    logoUri?: string | null;
  }[];
}

export interface DirectoryReads {
  /** The directory's SSA-signing public keys. */
  jwks(): Promise<JSONWebKeySet>;
  softwareStatement(orgId: string, softwareId: string): Promise<SoftwareStatementRecord>;
  certificateStatus(x5tS256: string): Promise<CertificateStatusRecord>;
  participants(): Promise<ParticipantsList>;
}
