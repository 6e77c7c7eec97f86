// The JSON shapes the directory answers with (see the cross-party contract): one function per resource.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import {
  type AuthorisationServer,
  type CertificateRecord,
  certificateStatus,
  effectiveStatus,
  type Organisation,
  type SoftwareStatement,
} from '../domain/model.js';
import { softwareJwksUri, ssaUrl } from '../domain/urls.js';

export function authorisationServerView(server: AuthorisationServer) {
  return {
    authorisationServerId: server.authorisationServerId,
    orgId: server.orgId,
    issuer: server.issuer,
    discoveryUrl: server.discoveryUrl,
    apiBaseUrl: server.apiBaseUrl,
    customerFriendlyName: server.customerFriendlyName,
    logoUri: server.logoUri,
  };
}

export function organisationView(organisation: Organisation, servers: AuthorisationServer[]) {
  return {
    orgId: organisation.orgId,
    orgName: organisation.orgName,
    status: organisation.status,
    authorisationServers: servers.map(authorisationServerView),
    createdAt: organisation.createdAt,
    updatedAt: organisation.updatedAt,
  };
}

export function softwareStatementView(
  config: SandboxConfig,
  organisation: Organisation,
  software: SoftwareStatement,
) {
  return {
    orgId: organisation.orgId,
    orgName: organisation.orgName,
    orgStatus: organisation.status,
    softwareId: software.softwareId,
    clientName: software.clientName,
    description: software.description,
    version: software.version,
    roles: software.roles,
    redirectUris: software.redirectUris,
    logoUri: software.logoUri,
    jwksUri: softwareJwksUri(config, organisation.orgId, software.softwareId),
    ssaUrl: ssaUrl(config, organisation.orgId, software.softwareId),
    /** What relying parties act on: never more trusted than the organisation. */
    status: effectiveStatus(organisation.status, software.status),
    /** The statement's own status, before the organisation's is applied (what an admin sets). */
    ownStatus: software.status,
    createdAt: software.createdAt,
    updatedAt: software.updatedAt,
  };
}

export function certificateView(certificate: CertificateRecord, options: { withPem?: boolean } = {}) {
  return {
    serialNumber: certificate.serialNumber,
    x5tS256: certificate.x5tS256,
    type: certificate.type,
    status: certificateStatus(certificate),
    orgId: certificate.orgId,
    softwareId: certificate.softwareId,
    subject: certificate.subject,
    keyType: certificate.keyType,
    kid: certificate.kid,
    alg: certificate.alg,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    revokedAt: certificate.revokedAt,
    revocationReason: certificate.revocationReason,
    source: certificate.source,
    createdAt: certificate.createdAt,
    ...(options.withPem ? { chainPem: certificate.chainPem } : {}),
  };
}
