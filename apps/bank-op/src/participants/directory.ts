// What bank-op reads from the directory (the ecosystem's trust anchor): its SSA-signing keys, the live
// status of a software statement and of a certificate, and the participants list (names and logos for
// the consent page). fapi-core's directory client (createDirectoryClient) provides these; bank-op
// depends only on this shape, so tests can hand in the same client or their own.
import { DirectoryError } from '@fapi-sandbox/fapi-core/directory-client';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
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
  /** The software's signing keys as the directory publishes them now (the client's jwks_uri). */
  softwareJwks(orgId: string, softwareId: string): Promise<JSONWebKeySet>;
}

/**
 * Runs a directory read for a decision about a request. A participant the directory does not know is
 * refused (invalid_client); a directory that cannot be reached makes the request fail with 503
 * temporarily_unavailable rather than pass unchecked.
 */
export async function askDirectory<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof OAuthError) throw err;
    if (err instanceof DirectoryError && err.status === 404) {
      throw new OAuthError({
        status: 401,
        error: 'invalid_client',
        description: `The directory does not know this participant (${err.errorDescription})`,
        clause: 'OB Directory participant status',
        fix: 'register the software with the directory first',
      });
    }
    throw new OAuthError({
      status: 503,
      error: 'temporarily_unavailable',
      description: `The directory could not be asked (${err instanceof Error ? err.message : String(err)})`,
      clause: 'RFC 6749 §4.1.2.1',
      fix: 'retry when the directory is reachable',
    });
  }
}
